import { fail, ok, type Result } from "../../kernel/errors.js";
import { newId } from "../../kernel/ids.js";
import type { Queryable } from "../../platform/db/db.js";
import { accountRow, accounts } from "./chart.js";
import { post } from "./ledger.js";

/**
 * A member's wallet as the member leaves mypay. Leaving is two steps in two contexts: money closes
 * the wallet for leaving (CLOSING: it holds nothing and, like CLOSED, refuses new money, because
 * every posting and reservation needs status OPEN), then membership commits the withdrawal. On
 * MemberWithdrawn the wallet is CLOSED and its points expire; a withdrawal that did not happen
 * reopens it, and a CLOSING wallet left behind by a crash is reopened by the sweep.
 */

/** How long a wallet may stay CLOSING for a member who is still ACTIVE before the sweep reopens it. */
export const closingGraceSeconds = 60;

/**
 * Closes the wallet for leaving in one conditional update: only with money balance 0 and nothing
 * reserved (no recharge or refund in flight). A member without a wallet gets one already CLOSING,
 * so that a recharge racing the withdrawal cannot open one. Repeating it is ok (and restarts the
 * grace period). CONFLICT, naming the won held, when the wallet is not empty.
 */
export async function closeForLeaving(q: Queryable, membershipId: string): Promise<Result<void>> {
  const money = accountRow("member_money", membershipId);
  // Its own statement: it waits for a recharge inserting the wallet now, and the next statement
  // (a new snapshot) then sees that wallet and its reservation.
  await q.query(
    `INSERT INTO money.accounts (id, kind, currency, owner_id, normal_side, status)
     VALUES ($1, $2, $3, $4, $5, 'CLOSING') ON CONFLICT (id) DO NOTHING`,
    [money.id, money.kind, money.currency, money.ownerId, money.normalSide],
  );
  const closing = await q.query(
    `UPDATE money.accounts SET status = 'CLOSING', updated_at = now()
     WHERE id = $1 AND status IN ('OPEN', 'CLOSING') AND balance = 0 AND reserved_in = 0 RETURNING id`,
    [money.id],
  );
  if (closing.length === 1) return ok(undefined);
  const [row] = await q.query<{ status: string; held: number }>(
    "SELECT status, (balance + reserved_in)::bigint AS held FROM money.accounts WHERE id = $1",
    [money.id],
  );
  if (row?.status === "CLOSED") return ok(undefined);
  return fail(
    "CONFLICT",
    `the member holds ${row?.held ?? 0} won in money or in recharges and refunds under way; withdraw or send it before leaving`,
  );
}

/** Takes back closeForLeaving: the withdrawal did not happen, so the wallet takes money again. */
export async function reopenWallet(q: Queryable, membershipId: string): Promise<void> {
  await q.query(
    "UPDATE money.accounts SET status = 'OPEN', updated_at = now() WHERE id = $1 AND status = 'CLOSING'",
    [accounts.memberMoney(membershipId)],
  );
}

/**
 * Closes a withdrawn member's wallet for good (on MemberWithdrawn): only with money balance 0 and
 * nothing in flight (else CONFLICT); the points expire with a ledger entry. A wallet already
 * closed is ok, with nothing more to expire.
 */
export async function closeWallet(
  tx: Queryable,
  membershipId: string,
): Promise<Result<{ expiredPoints: number }>> {
  const [row] = await tx.query<{ closed: boolean; status: string | null }>(
    `WITH c AS (UPDATE money.accounts SET status = 'CLOSED', updated_at = now()
                 WHERE id = $1 AND status IN ('OPEN', 'CLOSING') AND balance = 0 AND reserved_in = 0 RETURNING id)
     SELECT EXISTS (SELECT 1 FROM c) AS closed, (SELECT status FROM money.accounts WHERE id = $1) AS status`,
    [accounts.memberMoney(membershipId)],
  );
  if (row?.closed) return ok({ expiredPoints: await expirePoints(tx, membershipId) });
  if (row?.status == null) return fail("NOT_FOUND", "the member has no wallet");
  if (row.status === "CLOSED") return ok({ expiredPoints: 0 });
  return fail("CONFLICT", "the money balance must be 0, with no recharge in flight");
}

async function expirePoints(tx: Queryable, membershipId: string): Promise<number> {
  const account = accounts.memberPoints(membershipId);
  // Locked before it is read, so that no payment spends points between the read and the posting.
  const [row] = await tx.query<{ balance: number }>(
    "SELECT balance FROM money.accounts WHERE id = $1 FOR NO KEY UPDATE",
    [account],
  );
  const points = row?.balance ?? 0;
  if (points > 0) {
    const expired = await post(tx, {
      id: newId("ledgerTransaction"),
      kind: "POINTS_EXPIRE",
      reference: membershipId,
      postings: [
        { account, side: "D", amount: points, currency: "PNT" },
        { account: accounts.pointsExpired, side: "C", amount: points, currency: "PNT" },
      ],
    });
    if (!expired.ok)
      throw new Error(`ledger: the points of ${membershipId} did not expire: ${expired.error.detail}`);
  }
  await tx.query("UPDATE money.accounts SET status = 'CLOSED', updated_at = now() WHERE id = $1", [account]);
  return points;
}

/** Wallets left CLOSING longer than the grace period (a crash between the two steps of leaving). */
export async function staleClosingWallets(q: Queryable, limit: number): Promise<string[]> {
  const rows = await q.query<{ owner_id: string }>(
    `SELECT owner_id FROM money.accounts
     WHERE status = 'CLOSING' AND kind = 'member_money' AND updated_at < now() - $1 * interval '1 second'
     ORDER BY updated_at LIMIT $2`,
    [closingGraceSeconds, limit],
  );
  return rows.map((r) => r.owner_id);
}

/** Reopens a stale CLOSING wallet, unless a retried withdrawal closed it again meanwhile. */
export async function reopenStaleWallet(q: Queryable, membershipId: string): Promise<boolean> {
  const rows = await q.query(
    `UPDATE money.accounts SET status = 'OPEN', updated_at = now()
     WHERE id = $1 AND status = 'CLOSING' AND updated_at < now() - $2 * interval '1 second' RETURNING id`,
    [accounts.memberMoney(membershipId), closingGraceSeconds],
  );
  return rows.length > 0;
}
