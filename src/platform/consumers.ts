import { newId } from "../kernel/ids.js";
import type { EventEnvelope } from "./bus/bus.js";
import { type Db, ident, type Queryable } from "./db/db.js";
import { PoisonEvent } from "./poison.js";
import { withEventSpan } from "./tracing.js";

/** A consumer's effect of one event, run inside the transaction that records it in the inbox. */
export type ConsumerHandler = (tx: Queryable, event: EventEnvelope) => Promise<void>;

/**
 * The same effect as a ConsumerHandler for several events at once, in their order, in one set-based
 * statement instead of one per event: what events delivered together cost (issue 8).
 */
export type ManyHandler = (tx: Queryable, events: readonly EventEnvelope[]) => Promise<void>;

export interface RetryPolicy {
  /** Attempts, the first delivery included, before the event becomes a dead letter. */
  readonly attempts: number;
  /** Backoff before the second attempt; it doubles per attempt up to maxMs, with ±25% jitter. */
  readonly baseMs: number;
  readonly maxMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 5, baseMs: 1_000, maxMs: 60_000 };

export interface SchemaConsumers {
  readonly handlers: Map<string, ConsumerHandler>;
  policy: RetryPolicy;
}

// Per database and schema, so that a schema's redelivery loop finds a consumer's handler by its name
// while every call site stays one `handleOnce(db, schema, name, handler)`.
const registry = new WeakMap<Db, Map<string, SchemaConsumers>>();

export function consumersOf(db: Db, schema: string): SchemaConsumers {
  const schemas = registry.get(db) ?? new Map<string, SchemaConsumers>();
  registry.set(db, schemas);
  const consumers = schemas.get(schema) ?? { handlers: new Map(), policy: defaultRetryPolicy };
  schemas.set(schema, consumers);
  return consumers;
}

/**
 * Inserts the inbox row; false when the consumer had handled the event already, or, from the bus,
 * when a failure of it is on record (the redelivery loop, or staff for a dead letter, own it now).
 */
async function enterInbox(
  tx: Queryable,
  schema: string,
  consumer: string,
  eventId: string,
  fromBus: boolean,
) {
  const s = ident(schema);
  // On PostgreSQL a concurrent duplicate waits on the row lock here until the first commits.
  const fresh = await tx.query(
    `INSERT INTO ${s}.inbox (consumer, event_id) SELECT $1, $2
     WHERE NOT ($3 AND EXISTS (SELECT 1 FROM ${s}.consumer_failures WHERE consumer = $1 AND event_id = $2))
     ON CONFLICT DO NOTHING RETURNING 1`,
    [consumer, eventId, fromBus],
  );
  return fresh.length > 0;
}

/**
 * A delivery from the bus. A failing handler's attempt is recorded and the delivery acknowledged, so
 * the events behind it keep flowing; the redelivery loop retries it. Throws only when nothing could
 * be recorded, so that the bus delivers it again.
 */
export async function deliverFromBus(
  db: Db,
  schema: string,
  consumer: string,
  handler: ConsumerHandler,
  event: EventEnvelope,
): Promise<void> {
  try {
    await db.tx(async (tx) => {
      if (await enterInbox(tx, schema, consumer, event.id, true)) await handler(tx, event);
    });
  } catch (error) {
    await recordOrThrow(db, schema, consumer, event, error);
  }
}

/**
 * Several deliveries from the bus to one consumer, in order, in one transaction with one inbox
 * insert. If any handler throws, nothing of the batch stays and each event is delivered alone, so
 * that the failure is recorded against that event only and the others take effect.
 */
export async function deliverManyFromBus(
  db: Db,
  schema: string,
  consumer: string,
  handler: ConsumerHandler,
  events: readonly EventEnvelope[],
  many?: ManyHandler,
): Promise<void> {
  const s = ident(schema);
  try {
    await db.tx(async (tx) => {
      const fresh = await tx.query<{ event_id: string }>(
        `INSERT INTO ${s}.inbox (consumer, event_id)
         SELECT DISTINCT $1, e.id FROM unnest($2::text[]) AS e(id)
         WHERE NOT EXISTS (SELECT 1 FROM ${s}.consumer_failures f WHERE f.consumer = $1 AND f.event_id = e.id)
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [consumer, events.map((e) => e.id)],
      );
      const toHandle = new Set(fresh.map((r) => r.event_id));
      // Each event once (a batch may hold one twice), in the order delivered.
      const handled = events.filter((e) => toHandle.delete(e.id));
      if (many) await many(tx, handled);
      else for (const event of handled) await handler(tx, event);
    });
  } catch {
    // Only the in-process bus hands over several at once. Each alone, in its own trace.
    const delivery = { consumer, via: "in-process" } as const;
    for (const event of events)
      await withEventSpan(delivery, [event], () => deliverFromBus(db, schema, consumer, handler, event));
  }
}

/**
 * A retry or a staff replay of a recorded failure: the inbox still makes a second effect impossible.
 * A retry that succeeds is forgotten; a replayed dead letter is kept, marked handled, for the record.
 */
export function redeliver(
  db: Db,
  schema: string,
  consumer: string,
  handler: ConsumerHandler,
  event: EventEnvelope,
): Promise<{ handled: boolean; attempts?: number; dead?: boolean }> {
  // In the trace of the transaction that wrote the event, as its first delivery was.
  return withEventSpan({ consumer, via: "redelivery" }, [event], () =>
    redeliverNow(db, schema, consumer, handler, event),
  );
}

async function redeliverNow(
  db: Db,
  schema: string,
  consumer: string,
  handler: ConsumerHandler,
  event: EventEnvelope,
): Promise<{ handled: boolean; attempts?: number; dead?: boolean }> {
  const s = ident(schema);
  try {
    await db.tx(async (tx) => {
      if (await enterInbox(tx, schema, consumer, event.id, false)) await handler(tx, event);
      const key = [consumer, event.id];
      await tx.query(
        `DELETE FROM ${s}.consumer_failures WHERE consumer = $1 AND event_id = $2 AND dead_lettered_at IS NULL`,
        key,
      );
      await tx.query(
        `UPDATE ${s}.consumer_failures SET handled_at = now(), next_attempt_at = NULL
         WHERE consumer = $1 AND event_id = $2`,
        key,
      );
    });
    return { handled: true };
  } catch (error) {
    return { handled: false, ...(await recordOrThrow(db, schema, consumer, event, error)) };
  }
}

async function recordOrThrow(db: Db, schema: string, consumer: string, event: EventEnvelope, error: unknown) {
  try {
    return await recordFailure(db, schema, consumer, event, error);
  } catch (recording) {
    throw new AggregateError([error, recording], `${consumer} failed on ${event.id} and could not record it`);
  }
}

const errorText = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).slice(0, 2_000);

/**
 * Counts one failed attempt: the next is due after a jittered backoff, or, once the budget is spent,
 * the event is a dead letter. A dead letter's failed replay waits for staff again.
 */
async function recordFailure(db: Db, schema: string, consumer: string, event: EventEnvelope, error: unknown) {
  const { baseMs, maxMs } = consumersOf(db, schema).policy;
  // A poison event is a dead letter at once: the same data would fail every time.
  const attempts = error instanceof PoisonEvent ? 1 : consumersOf(db, schema).policy.attempts;
  const backoff = (n: string) =>
    `now() + least($8::float8, $7::float8 * power(2, ${n})) * (0.75 + random() * 0.5) * interval '1 millisecond'`;
  const [row] = await db.query<{ attempts: number; dead: boolean }>(
    `INSERT INTO ${ident(schema)}.consumer_failures AS f
       (id, consumer, event_id, event, attempts, last_error, next_attempt_at, dead_lettered_at)
     VALUES ($1, $2, $3, $4::jsonb, 1, $5,
       CASE WHEN 1 < $6::int THEN ${backoff("0")} END, CASE WHEN 1 >= $6::int THEN now() END)
     ON CONFLICT (consumer, event_id) DO UPDATE SET
       attempts = f.attempts + 1,
       last_error = EXCLUDED.last_error,
       dead_lettered_at = coalesce(f.dead_lettered_at, CASE WHEN f.attempts + 1 >= $6::int THEN now() END),
       next_attempt_at = CASE WHEN f.dead_lettered_at IS NULL AND f.attempts + 1 < $6::int
                         THEN ${backoff("f.attempts")} END
     RETURNING attempts, dead_lettered_at IS NOT NULL AS dead`,
    [newId("deadLetter"), consumer, event.id, event, errorText(error), attempts, baseMs, maxMs],
  );
  return row!;
}
