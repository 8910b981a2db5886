import type { Queryable } from "../../platform/db/db.js";

/** SQL for counting email lookups per caller (the limit against enumerating members). */

/**
 * Serialises one caller's lookups across replicas until the transaction ends, so concurrent ones
 * cannot all pass the limit together.
 */
export async function lockCaller(q: Queryable, callerId: string): Promise<void> {
  await q.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`mypay.lookup.${callerId}`]);
}

/** The caller's latest lookups since a time, newest first. */
export async function recentLookups(
  q: Queryable,
  callerId: string,
  since: Date,
  limit: number,
): Promise<Date[]> {
  const rows = await q.query<{ looked_up_at: Date }>(
    `SELECT looked_up_at FROM membership.lookups
     WHERE caller_id = $1 AND looked_up_at > $2 ORDER BY looked_up_at DESC LIMIT $3`,
    [callerId, since, limit],
  );
  return rows.map((r) => new Date(r.looked_up_at));
}

/**
 * Counts a lookup, and drops a few rows that left the window (anyone's), skipping rows other
 * transactions are deleting, so the table holds about one window's lookups.
 */
export async function recordLookup(q: Queryable, callerId: string, now: Date, before: Date): Promise<void> {
  await q.query(
    `WITH stale AS (
       DELETE FROM membership.lookups WHERE id IN (
         SELECT id FROM membership.lookups WHERE looked_up_at <= $3
         ORDER BY looked_up_at LIMIT 100 FOR UPDATE SKIP LOCKED)
     )
     INSERT INTO membership.lookups (caller_id, looked_up_at) VALUES ($1, $2)`,
    [callerId, now, before],
  );
}
