import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { createBackgroundLoop, yieldToRequests } from "./background-loop.js";
import type { EventBus, EventEnvelope } from "./bus/bus.js";
import { type Db, ident } from "./db/db.js";
import { createLease } from "./lease.js";
import type { Logger } from "./logging.js";

export interface OutboxRelayOptions {
  readonly db: Db;
  readonly schema: string;
  readonly bus: EventBus;
  readonly logger: Logger;
  /** How often the loop looks for new rows when nobody kicks it. */
  readonly pollMs?: number;
  readonly batchSize?: number;
  /** Names this relay in the lease row; unique per relay instance by default. */
  readonly holder?: string;
  /** How long published rows are kept for replayFrom() before purging. */
  readonly retentionMs?: number;
  readonly leaseMs?: number;
}

export interface OutboxRelay {
  start(): void;
  /** New events were committed: run soon rather than at the next poll. */
  kick(): void;
  /** Finishes the current batch, stops, and hands the lease to the next relay. */
  stop(): Promise<void>;
  /** One round: returns how many events it published (0 when another relay holds the lease). */
  runOnce(): Promise<number>;
  /** Deletes published rows older than the given age; returns how many. */
  purgePublished(olderThanMs?: number): Promise<number>;
  /** Marks rows from seq on as unpublished again, for a broker that lost messages; returns how many. */
  replayFrom(seq: number): Promise<number>;
}

// A type, not an interface, so it fits the port's Row index signature.
type OutboxRow = {
  seq: number;
  id: string;
  type: string;
  version: number;
  occurred_at: Date | string;
  source: string;
  correlation_id: string;
  causation_id: string | null;
  traceparent: string | null;
  data: unknown;
};

const day = 24 * 60 * 60 * 1000;
const purgeEveryMs = 60 * 60 * 1000;
const maxBackoffMs = 30_000;

function toEnvelope(row: OutboxRow): EventEnvelope {
  return {
    id: row.id,
    type: row.type,
    version: row.version,
    occurredAt: new Date(row.occurred_at).toISOString(),
    source: row.source,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    ...(row.traceparent ? { traceparent: row.traceparent } : {}),
    data: row.data,
  };
}

/**
 * Publishes a schema's outbox in seq order. A lease row makes one relay per schema publish at a
 * time, across processes, so events never interleave; no transaction is held while publishing
 * because an in-process handler needs the (single-connection) database itself.
 */
/** Events handed to a bus that takes several at once, per turn of the event loop. */
const publishChunk = 16;

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, bus, logger } = options;
  const schema = ident(options.schema);
  const pollMs = options.pollMs ?? 250;
  const batchSize = options.batchSize ?? 100;
  const leaseMs = options.leaseMs ?? 10_000;
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const log = logger.child({ relay: schema });

  let rounds: Promise<unknown> = Promise.resolve();
  let failures = 0;
  let lastPurge = 0;

  const lease = createLease(db, { schema, name: "outbox", holder, leaseMs });

  /** Publishes one batch; stops at the first failure so order holds, and marks what went out. */
  async function round(): Promise<{ published: number; failed: boolean }> {
    if (!(await lease.take())) return { published: 0, failed: false };
    // Stop well before the lease runs out, measured on our own clock from when we renewed it.
    const deadline = Date.now() + leaseMs / 2;
    const rows = await db.query<OutboxRow>(
      `SELECT seq, id, type, version, occurred_at, source, correlation_id, causation_id, traceparent, data
       FROM ${schema}.outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1`,
      [batchSize],
    );
    const sent: string[] = [];
    let failed = false;
    // A few events at a time between requests (one when the bus takes them singly): a backlog must
    // not hold the event loop, and an in-process consumer handles each chunk in one transaction.
    const chunk = bus.publishMany ? publishChunk : 1;
    for (let i = 0; i < rows.length; i += chunk) {
      if (Date.now() > deadline) break;
      await yieldToRequests();
      const some = rows.slice(i, i + chunk);
      try {
        if (bus.publishMany) await bus.publishMany(some.map(toEnvelope));
        else await bus.publish(toEnvelope(some[0]!));
        sent.push(...some.map((r) => r.id));
      } catch (error) {
        const first = some[0]!;
        log.warn(
          { err: error, eventId: first.id, type: first.type, seq: first.seq },
          "publish failed; will retry",
        );
        failed = true;
        break;
      }
    }
    if (sent.length > 0) {
      await db.query(`UPDATE ${schema}.outbox SET published_at = now() WHERE id = ANY($1::text[])`, [sent]);
    }
    return { published: sent.length, failed };
  }

  /** Rounds never overlap within one relay, whoever calls them. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = rounds.then(fn, fn);
    rounds = next.catch(() => {});
    return next;
  }

  async function purgePublished(olderThanMs = options.retentionMs ?? 7 * day): Promise<number> {
    const rows = await db.query(
      `DELETE FROM ${schema}.outbox
       WHERE published_at IS NOT NULL AND published_at < now() - $1 * interval '1 millisecond'
       RETURNING seq`,
      [olderThanMs],
    );
    return rows.length;
  }

  const backoff = () => (failures === 0 ? pollMs : Math.min(maxBackoffMs, pollMs * 2 ** failures));

  /** One loop step: returns how long to wait before the next. */
  async function step(): Promise<number> {
    const { published, failed } = await serial(round);
    if (Date.now() - lastPurge > purgeEveryMs) {
      lastPurge = Date.now();
      const purged = await purgePublished();
      if (purged > 0) log.info({ purged }, "purged published outbox rows");
    }
    failures = failed ? failures + 1 : 0;
    return !failed && published === batchSize ? 0 : backoff();
  }

  const loop = createBackgroundLoop({
    round: step,
    onError(error) {
      failures++;
      log.error({ err: error }, "outbox relay round failed");
      return backoff();
    },
    // A kick does not cut a failure backoff short: it would hammer a broker that is down.
    kickCutsWait: () => failures === 0,
  });

  return {
    start: loop.start,
    kick: loop.kick,
    async stop() {
      await loop.stop();
      await serial(lease.release);
    },
    runOnce: () => serial(round).then((r) => r.published),
    purgePublished,
    async replayFrom(seq) {
      const rows = await db.query(
        `UPDATE ${schema}.outbox SET published_at = NULL
         WHERE seq >= $1 AND published_at IS NOT NULL RETURNING seq`,
        [seq],
      );
      log.warn({ fromSeq: seq, rows: rows.length }, "outbox replay requested");
      return rows.length;
    },
  };
}
