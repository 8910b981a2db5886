import { createBackgroundLoop } from "./background-loop.js";
import type { EventEnvelope } from "./bus/bus.js";
import { consumersOf, type RetryPolicy, redeliver } from "./consumers.js";
import { type Db, ident } from "./db/db.js";
import type { Logger } from "./logging.js";

export interface RedeliveryOptions extends Partial<RetryPolicy> {
  readonly db: Db;
  readonly schema: string;
  readonly logger: Logger;
  /** How often the loop looks for due retries when nobody kicks it. */
  readonly pollMs?: number;
  readonly batchSize?: number;
  /** How long a claimed retry is this process's; a crash hands it to another after that. */
  readonly leaseMs?: number;
}

export interface Redelivery {
  readonly schema: string;
  start(): void;
  /** A retry became due (a staff replay): look now rather than at the next poll. */
  kick(): void;
  stop(): Promise<void>;
  /** One round: returns how many retries it ran. */
  runOnce(): Promise<number>;
}

type Due = { id: string; consumer: string; event: EventEnvelope };

/**
 * Retries a schema's failed events when they are due, and replays the dead letters staff asked for.
 * Rows are claimed by pushing their due time past a lease, so replicas never run one retry twice.
 */
export function createRedelivery(options: RedeliveryOptions): Redelivery {
  const { db, logger } = options;
  const schema = ident(options.schema);
  const consumers = consumersOf(db, schema);
  const { attempts, baseMs, maxMs } = { ...consumers.policy, ...options };
  consumers.policy = { attempts, baseMs, maxMs };
  const pollMs = options.pollMs ?? 1_000;
  const batchSize = options.batchSize ?? 20;
  const leaseMs = options.leaseMs ?? 30_000;
  const log = logger.child({ redelivery: schema });

  async function claimDue(): Promise<Due[]> {
    const names = [...consumers.handlers.keys()];
    if (names.length === 0) return [];
    return db.query<Due>(
      `UPDATE ${schema}.consumer_failures SET next_attempt_at = now() + $3 * interval '1 millisecond'
       WHERE id IN (SELECT id FROM ${schema}.consumer_failures
                    WHERE next_attempt_at <= now() AND consumer = ANY($1::text[])
                    ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, consumer, event`,
      [names, batchSize, leaseMs],
    );
  }

  async function round(): Promise<number> {
    const due = await claimDue();
    for (const row of due) {
      const handler = consumers.handlers.get(row.consumer)!;
      const outcome = await redeliver(db, schema, row.consumer, handler, row.event);
      const what = {
        consumer: row.consumer,
        eventId: row.event.id,
        type: row.event.type,
        deadLetterId: row.id,
      };
      if (outcome.handled) log.info(what, "failed event handled on retry");
      else if (outcome.dead) log.error({ ...what, attempts: outcome.attempts }, "event dead-lettered");
      else log.warn({ ...what, attempts: outcome.attempts }, "event retry failed");
    }
    return due.length;
  }

  const loop = createBackgroundLoop({
    round: async () => ((await round()) === batchSize ? 0 : pollMs),
    onError(error) {
      log.error({ err: error }, "redelivery round failed");
      return pollMs * 5;
    },
  });
  return { schema, start: loop.start, kick: loop.kick, stop: loop.stop, runOnce: round };
}
