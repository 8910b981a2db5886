import type { EventEnvelope, EventHandler } from "./bus/bus.js";
import {
  type ConsumerHandler,
  consumersOf,
  deliverFromBus,
  deliverManyFromBus,
  type ManyHandler,
} from "./consumers.js";
import type { Db } from "./db/db.js";

/**
 * Wraps a consumer's handler so an event has its effect once however often it is delivered: the
 * event id goes into the schema's inbox in the same transaction as the effect. A duplicate finds
 * the id there and is acknowledged. A handler that throws rolls its effect back; the attempt is
 * recorded and retried with backoff by the schema's redelivery loop (redelivery.ts), then
 * dead-lettered for staff, while the bus goes on with the next event. Events the bus hands over
 * together (a relay's batch, in process) are handled in one transaction with one inbox insert, and
 * by `many` when given: the same effect for all of them in one statement. A batch that fails is
 * delivered again one event at a time, through `handler`.
 */
export function handleOnce(
  db: Db,
  schema: string,
  consumer: string,
  handler: ConsumerHandler,
  many?: ManyHandler,
): EventHandler {
  consumersOf(db, schema).handlers.set(consumer, handler);
  const one = (event: EventEnvelope) => deliverFromBus(db, schema, consumer, handler, event);
  return Object.assign(one, {
    many: (events: readonly EventEnvelope[]) =>
      deliverManyFromBus(db, schema, consumer, handler, events, many),
  });
}
