import type { Queryable } from "../../platform/db/db.js";
import { activityCursor, parseActivityCursor } from "./activity-cursor.js";
import {
  type ActivityDetails,
  type ActivityItem,
  type ActivityKind,
  registeredItemId,
} from "./activity-items.js";

/** The member activity read model's table (migrations/002_member_activity.sql, 003_…). */

/**
 * Adds each item once, in one statement: a redelivered or republished event finds its rows there and
 * changes nothing.
 */
export async function recordActivity(tx: Queryable, items: readonly ActivityItem[]): Promise<void> {
  if (items.length === 0) return;
  await tx.query(
    `INSERT INTO query.member_activity
       (item_id, membership_id, kind, ledger_kind, amount, balance_after, reference, status, details, occurred_at)
     SELECT i."itemId", i."membershipId", i.kind, i."ledgerKind", i.amount, i."balanceAfter", i.reference,
            i.status, i.details, i."occurredAt"
     FROM jsonb_to_recordset($1::text::jsonb) AS i("itemId" text, "membershipId" text, kind text,
       "ledgerKind" text, amount bigint, "balanceAfter" bigint, reference text, status text, details jsonb,
       "occurredAt" timestamptz)
     ON CONFLICT (item_id) DO NOTHING`,
    [JSON.stringify(items)],
  );
}

interface ActivityRow {
  [column: string]: unknown;
  item_id: string;
  membership_id: string;
  kind: ActivityKind;
  ledger_kind: string | null;
  amount: number | null;
  balance_after: number | null;
  reference: string | null;
  status: string | null;
  details: ActivityDetails | null;
  occurred_at: Date;
}

const itemOf = (r: ActivityRow): ActivityItem => ({
  membershipId: r.membership_id,
  itemId: r.item_id,
  kind: r.kind,
  ledgerKind: r.ledger_kind,
  amount: r.amount,
  balanceAfter: r.balance_after,
  reference: r.reference,
  status: r.status,
  details: r.details,
  occurredAt: new Date(r.occurred_at).toISOString(),
});

/** A member's items, newest first (time, then item id); `cursor` is the nextCursor of the page before. */
export async function activityPage(
  q: Queryable,
  membershipId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: ActivityItem[]; nextCursor: string | null }> {
  const after = page.cursor === undefined ? undefined : parseActivityCursor(page.cursor);
  if (page.cursor !== undefined && !after) throw new Error(`query: not an activity cursor: ${page.cursor}`);
  const rows = await q.query<ActivityRow>(
    `SELECT * FROM query.member_activity
     WHERE membership_id = $1 AND ($2::timestamptz IS NULL OR (occurred_at, item_id) < ($2::timestamptz, $3::text))
     ORDER BY occurred_at DESC, item_id DESC LIMIT $4`,
    [membershipId, after?.occurredAt ?? null, after?.itemId ?? null, page.limit + 1],
  );
  const items = rows.slice(0, page.limit).map(itemOf);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > page.limit && last ? activityCursor(last) : null };
}

/** The member's money and points as the read model last heard them. */
export interface ActivitySummary {
  readonly balance: number;
  readonly points: number;
}

/**
 * Whether the read model has heard of the member (from MemberRegistered), and its money and points
 * as the money-by-region read model has them (null before that model has heard of the member).
 */
export async function activityMember(
  q: Queryable,
  membershipId: string,
): Promise<{ money: ActivitySummary | null } | undefined> {
  const [row] = await q.query<{ balance: number | null; points: number | null }>(
    `SELECT b.balance, b.points FROM query.member_activity a
     LEFT JOIN query.member_balances b ON b.membership_id = a.membership_id
     WHERE a.item_id = $1`,
    [registeredItemId(membershipId)],
  );
  if (!row) return undefined;
  return { money: row.balance === null ? null : { balance: row.balance, points: row.points ?? 0 } };
}
