import { ident, type Queryable } from "../db/db.js";
import type { LiveStatus, NewSaga, SagaLogEntry, SagaPhase, SagaStatus } from "./types.js";

// A type, not an interface, so it fits the port's Row index signature.
export type SagaRow = {
  id: string;
  type: string;
  status: SagaStatus;
  step: number;
  data: unknown;
  correlation_id: string;
  attempts: number;
  next_run_at: Date | string;
  lock_holder: string | null;
  last_error: string | null;
  failure_reason: string | null;
  wakes: number;
  waits: number;
  stuck_from: LiveStatus | null;
  created_at: Date | string;
  updated_at: Date | string;
};

/** Where a committed step leaves the saga. */
export interface Transition {
  readonly status: SagaStatus;
  readonly step: number;
  readonly data: unknown;
  readonly failureReason?: string;
  /** Keep driving (renew the lease) or hand the saga back to be due after waitMs. */
  readonly keepLease: boolean;
  readonly waitMs?: number;
  /** The step waits again without its answer (counted against the budget); else the count restarts. */
  readonly waited?: boolean;
  /** With status STUCK: the status a retry goes back to. */
  readonly stuckFrom?: LiveStatus;
}

export interface LogRow {
  readonly step: string;
  readonly phase: SagaPhase;
  readonly outcome: SagaLogEntry["outcome"];
  readonly detail?: unknown;
}

export const liveStatuses: readonly SagaStatus[] = ["RUNNING", "WAITING", "COMPENSATING"];
const live = `status IN ('RUNNING', 'WAITING', 'COMPENSATING')`;
const free = "(locked_until IS NULL OR locked_until < now())";
const ms = (n: number) => `($${n}::bigint * interval '1 millisecond')`;
const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

export type SagaStore = ReturnType<typeof sagaStore>;

/**
 * The INSERT of log entries (a JSON array in parameter $param) for the saga that the CTE `source`
 * returned, numbered after its last one; nothing when `source` is empty (the fence did not pass).
 */
const logEntries = (s: string, source: string, param: number) =>
  `INSERT INTO ${s}.saga_steps (saga_id, seq, step, phase, outcome, detail)
   SELECT n.id, coalesce((SELECT max(seq) FROM ${s}.saga_steps WHERE saga_id = n.id), 0) + e.ord,
          e.entry->>'step', e.entry->>'phase', e.entry->>'outcome', e.entry->'detail'
   FROM ${source} n, jsonb_array_elements($${param}::text::jsonb) WITH ORDINALITY AS e(entry, ord)`;

/** The SQL of the saga tables in one context's schema. */
export function sagaStore(schema: string) {
  const s = ident(schema);
  return {
    /**
     * A new saga, due at once; or reserved for its starter (`reservedFor`) for one lease: the worker
     * leaves it alone while the starter drives it, and takes it over only if the starter died.
     */
    async insert(tx: Queryable, saga: NewSaga, reservedFor: string | null, leaseMs: number): Promise<void> {
      await tx.query(
        `INSERT INTO ${s}.sagas (id, type, status, data, correlation_id, lock_holder, locked_until)
         VALUES ($1, $2, 'RUNNING', $3::text::jsonb, $4, $5, CASE WHEN $5::text IS NULL THEN NULL ELSE now() + ${ms(6)} END)`,
        [saga.id, saga.type, json(saga.data), saga.correlationId, reservedFor, leaseMs],
      );
    },

    /** Takes the lease on one due saga; undefined when it is not due, over, or held by another runner. */
    async claim(db: Queryable, id: string, holder: string, leaseMs: number): Promise<SagaRow | undefined> {
      const rows = await db.query<SagaRow>(
        `UPDATE ${s}.sagas SET locked_until = now() + ${ms(3)}, lock_holder = $2
         WHERE id = $1 AND ${live} AND next_run_at <= now() AND ${free} RETURNING *`,
        [id, holder, leaseMs],
      );
      return rows[0];
    },

    /** Takes the lease on up to `limit` due sagas of the given types, oldest due first. */
    async claimDue(db: Queryable, holder: string, leaseMs: number, limit: number, types: readonly string[]) {
      return db.query<SagaRow>(
        `UPDATE ${s}.sagas SET locked_until = now() + ${ms(3)}, lock_holder = $2
         WHERE id IN (SELECT id FROM ${s}.sagas
                      WHERE ${live} AND next_run_at <= now() AND ${free} AND type = ANY($4::text[])
                      ORDER BY next_run_at LIMIT $1 FOR UPDATE SKIP LOCKED)
           AND ${live} AND ${free}
         RETURNING *`,
        [limit, holder, leaseMs, types],
      );
    },

    /**
     * Moves the saga on, fenced: only the holder of the lease, at the state it read, can; and logs
     * `entries` with it, in the same statement, so that a step with no writes of its own needs no
     * transaction. A wait is due at once when a wake came in while the step ran.
     */
    async advance(
      tx: Queryable,
      from: SagaRow,
      to: Transition,
      leaseMs: number,
      entries: readonly LogRow[] = [],
    ): Promise<SagaRow | undefined> {
      const rows = await tx.query<SagaRow>(
        `WITH next AS (
           UPDATE ${s}.sagas SET status = $4, step = $5, data = $6::text::jsonb,
             failure_reason = coalesce($7, failure_reason), attempts = 0, last_error = NULL, updated_at = now(),
             waits = CASE WHEN $13::boolean THEN waits + 1 ELSE 0 END, stuck_from = $14,
             next_run_at = CASE WHEN wakes > $10 THEN now() ELSE now() + ${ms(8)} END,
             locked_until = CASE WHEN $9::boolean THEN now() + ${ms(11)} END,
             lock_holder = CASE WHEN $9::boolean THEN lock_holder END
           WHERE id = $1 AND lock_holder = $2 AND status = $3 AND step = $12 RETURNING *),
         logged AS (${logEntries(s, "next", 15)})
         SELECT * FROM next`,
        [
          from.id,
          from.lock_holder,
          from.status,
          to.status,
          to.step,
          json(to.data),
          to.failureReason ?? null,
          to.waitMs ?? 0,
          to.keepLease,
          from.wakes,
          leaseMs,
          from.step,
          to.waited ?? false,
          to.stuckFrom ?? null,
          JSON.stringify(entries),
        ],
      );
      return rows[0];
    },

    /**
     * Stores the data an action got so far and renews the lease, fenced like advance (and the lease
     * unexpired), with its log entry in the same statement.
     */
    async checkpoint(db: Queryable, from: SagaRow, data: unknown, leaseMs: number, entry: LogRow) {
      const rows = await db.query(
        `WITH next AS (
           UPDATE ${s}.sagas SET data = $5::text::jsonb, locked_until = now() + ${ms(6)}, updated_at = now()
           WHERE id = $1 AND lock_holder = $2 AND status = $3 AND step = $4 AND locked_until > now() RETURNING id),
         logged AS (${logEntries(s, "next", 7)})
         SELECT id FROM next`,
        [from.id, from.lock_holder, from.status, from.step, json(data), leaseMs, JSON.stringify([entry])],
      );
      return rows.length > 0;
    },

    async log(tx: Queryable, sagaId: string, entry: LogRow): Promise<void> {
      await tx.query(
        `INSERT INTO ${s}.saga_steps (saga_id, seq, step, phase, outcome, detail)
         SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5::text::jsonb FROM ${s}.saga_steps WHERE saga_id = $1`,
        [sagaId, entry.step, entry.phase, entry.outcome, json(entry.detail)],
      );
    },

    /** Leaves the saga at its step after a fault, due again after delayMs; STUCK when out of budget. */
    async backoff(db: Queryable, from: SagaRow, delayMs: number, error: string, stuck: boolean) {
      const rows = await db.query<SagaRow>(
        `UPDATE ${s}.sagas SET attempts = attempts + 1, last_error = $3, next_run_at = now() + ${ms(4)},
           stuck_from = CASE WHEN $5::boolean THEN status END,
           status = CASE WHEN $5::boolean THEN 'STUCK' ELSE status END,
           locked_until = NULL, lock_holder = NULL, updated_at = now()
         WHERE id = $1 AND lock_holder = $2 AND ${live} RETURNING *`,
        [from.id, from.lock_holder, error, delayMs, stuck],
      );
      return rows[0];
    },

    /** A STUCK saga back in the status it was stuck from, with a fresh budget, due now. */
    async resume(tx: Queryable, id: string): Promise<SagaRow | undefined> {
      const rows = await tx.query<SagaRow>(
        `UPDATE ${s}.sagas SET status = stuck_from, stuck_from = NULL, attempts = 0, waits = 0,
           next_run_at = now(), locked_until = NULL, lock_holder = NULL, updated_at = now()
         WHERE id = $1 AND status = 'STUCK' RETURNING *`,
        [id],
      );
      return rows[0];
    },

    async release(db: Queryable, id: string, holder: string): Promise<void> {
      await db.query(
        `UPDATE ${s}.sagas SET locked_until = NULL, lock_holder = NULL WHERE id = $1 AND lock_holder = $2`,
        [id, holder],
      );
    },

    async wake(db: Queryable, id: string): Promise<boolean> {
      const rows = await db.query(
        `UPDATE ${s}.sagas SET next_run_at = now(), wakes = wakes + 1 WHERE id = $1 AND ${live} RETURNING id`,
        [id],
      );
      return rows.length > 0;
    },
  };
}
