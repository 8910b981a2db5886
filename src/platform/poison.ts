/**
 * An event no retry can mend: its data does not match the schema its publisher's contract declares.
 * A consumer that throws it sends the event to its dead letters at the first attempt, for staff to
 * see, and the events behind it keep flowing.
 */
export class PoisonEvent extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PoisonEvent";
  }
}
