import type { Queryable } from "../../platform/db/db.js";

/**
 * One sliding-window counter of attempts per key, in membership's tables: failed logins per email
 * (the lockout) and email lookups per caller (against enumeration). Table and column names are
 * constants of this file, never input.
 */
export interface AttemptWindow {
  readonly table: "membership.login_failures" | "membership.lookups";
  readonly keyColumn: "email_key" | "caller_id";
  readonly timeColumn: "attempted_at" | "looked_up_at";
  /** Names the advisory lock, so two counters never share one. */
  readonly lock: string;
}

export const loginFailures: AttemptWindow = {
  table: "membership.login_failures",
  keyColumn: "email_key",
  timeColumn: "attempted_at",
  lock: "mypay.login",
};

export const lookups: AttemptWindow = {
  table: "membership.lookups",
  keyColumn: "caller_id",
  timeColumn: "looked_up_at",
  lock: "mypay.lookup",
};

/**
 * Serialises one key's attempts across replicas until the transaction ends, so concurrent ones
 * cannot all pass the limit together.
 */
export async function lockKey(q: Queryable, w: AttemptWindow, key: string): Promise<void> {
  await q.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${w.lock}.${key}`]);
}

/** The key's latest attempts since a time, newest first. */
export async function recentAttempts(
  q: Queryable,
  w: AttemptWindow,
  key: string,
  since: Date,
  limit: number,
): Promise<Date[]> {
  const rows = await q.query<{ at: Date }>(
    `SELECT ${w.timeColumn} AS at FROM ${w.table}
     WHERE ${w.keyColumn} = $1 AND ${w.timeColumn} > $2 ORDER BY ${w.timeColumn} DESC LIMIT $3`,
    [key, since, limit],
  );
  return rows.map((r) => new Date(r.at));
}

/**
 * Counts an attempt, and drops a few rows that left the window (anyone's), skipping rows other
 * transactions are deleting, so the table holds about one window's attempts.
 */
export async function recordAttempt(
  q: Queryable,
  w: AttemptWindow,
  key: string,
  now: Date,
  before: Date,
): Promise<void> {
  await q.query(
    `WITH stale AS (
       DELETE FROM ${w.table} WHERE id IN (
         SELECT id FROM ${w.table} WHERE ${w.timeColumn} <= $3
         ORDER BY ${w.timeColumn} LIMIT 100 FOR UPDATE SKIP LOCKED)
     )
     INSERT INTO ${w.table} (${w.keyColumn}, ${w.timeColumn}) VALUES ($1, $2)`,
    [key, now, before],
  );
}

/** Forgets a key's attempts (a successful login clears its failures). */
export async function clearAttempts(q: Queryable, w: AttemptWindow, key: string): Promise<void> {
  await q.query(`DELETE FROM ${w.table} WHERE ${w.keyColumn} = $1`, [key]);
}
