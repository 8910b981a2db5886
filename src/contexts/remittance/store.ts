import type { Queryable } from "../../platform/db/db.js";
import type { Recipient, Remittance, RemittanceStatus, RemittanceType } from "./domain.js";

/** The remittance schema's SQL (the persistence adapter). */

interface RemittanceRow {
  [column: string]: unknown;
  id: string;
  type: RemittanceType;
  sender_id: string;
  receiver_id: string | null;
  to_bank_code: string | null;
  to_account_number: string | null;
  amount: number;
  fee: number;
  memo: string | null;
  status: RemittanceStatus;
  auto_recharged: boolean;
  failure_reason: string | null;
  created_at: Date | string;
  completed_at: Date | string | null;
}

function toRemittance(row: RemittanceRow): Remittance {
  const to: Recipient =
    row.type === "MEMBER"
      ? { membershipId: row.receiver_id as string }
      : { bankCode: row.to_bank_code as string, accountNumber: row.to_account_number as string };
  return {
    id: row.id,
    type: row.type,
    senderId: row.sender_id,
    to,
    amount: row.amount,
    fee: row.fee,
    memo: row.memo,
    status: row.status,
    autoRecharged: row.auto_recharged,
    failureReason: row.failure_reason,
    createdAt: new Date(row.created_at),
    completedAt: row.completed_at === null ? null : new Date(row.completed_at),
  };
}

export interface NewRemittance {
  readonly id: string;
  readonly type: RemittanceType;
  readonly senderId: string;
  readonly to: Recipient;
  readonly amount: number;
  readonly fee: number;
  readonly memo: string | null;
  /** The Idempotency-Key of the request that asked for it, so that a retry after a crash finds it. */
  readonly idempotencyKey: string | null;
}

export async function insertRemittance(tx: Queryable, r: NewRemittance): Promise<void> {
  const member = "membershipId" in r.to ? r.to : null;
  const bank = "bankCode" in r.to ? r.to : null;
  await tx.query(
    `INSERT INTO remittance.remittances
       (id, type, sender_id, receiver_id, to_bank_code, to_account_number, amount, fee, memo, idempotency_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      r.id,
      r.type,
      r.senderId,
      member?.membershipId ?? null,
      bank?.bankCode ?? null,
      bank?.accountNumber ?? null,
      r.amount,
      r.fee,
      r.memo,
      r.idempotencyKey,
    ],
  );
}

export async function findRemittance(q: Queryable, id: string): Promise<Remittance | undefined> {
  const [row] = await q.query<RemittanceRow>("SELECT * FROM remittance.remittances WHERE id = $1", [id]);
  return row && toRemittance(row);
}

/** The remittance an earlier request of this sender with this Idempotency-Key created. */
export async function remittanceByKey(q: Queryable, senderId: string, key: string) {
  const [row] = await q.query<{ id: string }>(
    "SELECT id FROM remittance.remittances WHERE sender_id = $1 AND idempotency_key = $2",
    [senderId, key],
  );
  return row?.id;
}

/** The auto-recharge of this remittance brought the sender's money in (its step's transaction). */
export async function markAutoRecharged(tx: Queryable, id: string): Promise<void> {
  await tx.query("UPDATE remittance.remittances SET auto_recharged = true WHERE id = $1", [id]);
}

/** The final status, once; undefined when the remittance was final already. */
export async function finishRemittance(
  tx: Queryable,
  id: string,
  status: "SUCCEEDED" | "FAILED",
  reason: string | null,
): Promise<Remittance | undefined> {
  const [row] = await tx.query<RemittanceRow>(
    `UPDATE remittance.remittances SET status = $2, failure_reason = $3, completed_at = now()
     WHERE id = $1 AND status = 'PENDING' RETURNING *`,
    [id, status, reason],
  );
  return row && toRemittance(row);
}

/**
 * A member's remittances, newest first: the ones it sent and the SUCCEEDED ones it received. `before`
 * is the last id of the page before (ids sort by creation time).
 */
export async function listRemittances(
  q: Queryable,
  page: { membershipId: string; before?: string | undefined; limit: number },
): Promise<Remittance[]> {
  const rows = await q.query<RemittanceRow>(
    `SELECT * FROM remittance.remittances
     WHERE (sender_id = $1 OR (receiver_id = $1 AND status = 'SUCCEEDED'))
       AND ($2::text IS NULL OR id < $2)
     ORDER BY id DESC LIMIT $3`,
    [page.membershipId, page.before ?? null, page.limit],
  );
  return rows.map(toRemittance);
}
