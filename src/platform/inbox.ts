import type { EventEnvelope, EventHandler } from "./bus/bus.js";
import { type Db, ident, type Queryable } from "./db/db.js";

/**
 * Wraps a consumer's handler so an event has its effect once however often it is delivered: the
 * event id goes into the schema's inbox in the same transaction as the effect. A duplicate finds
 * the id there and returns, so the bus acknowledges it; a handler that throws rolls the inbox row
 * back with its effect, and the redelivery runs it again.
 */
export function handleOnce(
  db: Db,
  schema: string,
  consumer: string,
  handler: (tx: Queryable, event: EventEnvelope) => Promise<void>,
): EventHandler {
  const inbox = `${ident(schema)}.inbox`;
  return (event) =>
    db.tx(async (tx) => {
      // On PostgreSQL a concurrent duplicate waits on the row lock here until the first commits.
      const fresh = await tx.query(
        `INSERT INTO ${inbox} (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
        [consumer, event.id],
      );
      if (fresh.length === 0) return;
      await handler(tx, event);
    });
}
