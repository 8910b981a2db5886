import type { Queryable } from "../../platform/db/db.js";
import {
  type ActivityItem,
  type ActivityKind,
  activityCursor,
  parseActivityCursor,
  registeredItemId,
} from "./activity-items.js";

/** The member activity read model's table (migrations/002_member_activity.sql). */

/** Adds the item once: a redelivered or republished event finds its row there and changes nothing. */
export async function recordActivity(tx: Queryable, item: ActivityItem): Promise<void> {
  await tx.query(
    `INSERT INTO query.member_activity
       (item_id, membership_id, kind, ledger_kind, amount, balance_after, reference, status, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (item_id) DO NOTHING`,
    [
      item.itemId,
      item.membershipId,
      item.kind,
      item.ledgerKind,
      item.amount,
      item.balanceAfter,
      item.reference,
      item.status,
      item.occurredAt,
    ],
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

/**
 * Whether the read model has heard of the member (from MemberRegistered), and its balance as the
 * money-by-region read model has it (null before that model has heard of the member).
 */
export async function activityMember(
  q: Queryable,
  membershipId: string,
): Promise<{ balance: number | null } | undefined> {
  const [row] = await q.query<{ balance: number | null }>(
    `SELECT b.balance FROM query.member_activity a
     LEFT JOIN query.member_balances b ON b.membership_id = a.membership_id
     WHERE a.item_id = $1`,
    [registeredItemId(membershipId)],
  );
  return row && { balance: row.balance };
}
