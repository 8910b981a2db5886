import type { Queryable } from "../../platform/db/db.js";
import type { PaymentStatus } from "./domain.js";

/** The SQL of payment slips (the payment schema's payments table). */

// A type, not an interface, so it fits the port's Row index signature.
export type PaymentRow = {
  id: string;
  membership_id: string;
  franchise_id: string;
  owner_id: string;
  amount: number;
  paid_with_money: number;
  paid_with_points: number;
  points_earned: number;
  commission_bps: number;
  status: PaymentStatus;
  auto_recharged: boolean;
  failure_reason: string | null;
  settlement_run_id: string | null;
  settlement_id: string | null;
  refund_money: number | null;
  refund_points: number | null;
  points_taken_back: number | null;
  taken_from_money: number | null;
  created_at: Date;
  cancelled_at: Date | null;
  settled_at: Date | null;
};

export interface NewPayment {
  readonly id: string;
  readonly membershipId: string;
  readonly franchiseId: string;
  readonly ownerId: string;
  readonly amount: number;
  readonly paidWithMoney: number;
  readonly paidWithPoints: number;
  readonly pointsEarned: number;
  readonly commissionBps: number;
  readonly idempotencyKey: string;
}

export async function insertPayment(tx: Queryable, p: NewPayment): Promise<void> {
  await tx.query(
    `INSERT INTO payment.payments (id, membership_id, franchise_id, owner_id, amount, paid_with_money,
       paid_with_points, points_earned, commission_bps, status, idempotency_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'PENDING', $10)`,
    [
      p.id,
      p.membershipId,
      p.franchiseId,
      p.ownerId,
      p.amount,
      p.paidWithMoney,
      p.paidWithPoints,
      p.pointsEarned,
      p.commissionBps,
      p.idempotencyKey,
    ],
  );
}

export async function findPayment(q: Queryable, id: string): Promise<PaymentRow | undefined> {
  const [row] = await q.query<PaymentRow>("SELECT * FROM payment.payments WHERE id = $1", [id]);
  return row;
}

/** The payment an earlier attempt with this idempotency key created (it died before answering). */
export async function paymentByKey(q: Queryable, membershipId: string, key: string) {
  const [row] = await q.query<{ id: string }>(
    "SELECT id FROM payment.payments WHERE membership_id = $1 AND idempotency_key = $2",
    [membershipId, key],
  );
  return row?.id;
}

/** The payment went through (NORMAL) or could not be made (FAILED); only a PENDING one changes. */
export async function finishPayment(
  tx: Queryable,
  id: string,
  outcome: { status: "NORMAL"; autoRecharged: boolean } | { status: "FAILED"; reason: string },
): Promise<PaymentRow | undefined> {
  const [row] = await tx.query<PaymentRow>(
    `UPDATE payment.payments SET status = $2, auto_recharged = $3, failure_reason = $4, completed_at = now()
     WHERE id = $1 AND status = 'PENDING' RETURNING *`,
    [
      id,
      outcome.status,
      outcome.status === "NORMAL" && outcome.autoRecharged,
      outcome.status === "FAILED" ? outcome.reason : null,
    ],
  );
  return row;
}

/**
 * The cancel's side of the race with settlement: one conditional UPDATE, NORMAL and unclaimed →
 * CANCELLING, against the claim's NORMAL and not cancelling → claimed. Exactly one of them matches.
 */
export async function beginCancel(
  tx: Queryable,
  id: string,
  by: { membershipId: string; key: string; sagaId: string },
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE payment.payments SET status = 'CANCELLING', cancelled_by = $2, cancel_key = $3, cancel_saga_id = $4
     WHERE id = $1 AND status = 'NORMAL' AND settlement_run_id IS NULL RETURNING id`,
    [id, by.membershipId, by.key, by.sagaId],
  );
  return rows.length > 0;
}

/** The cancel saga an earlier attempt with this key by this caller started (it died before answering). */
export async function cancelByKey(q: Queryable, id: string, membershipId: string, key: string) {
  const [row] = await q.query<{ cancel_saga_id: string }>(
    "SELECT cancel_saga_id FROM payment.payments WHERE id = $1 AND cancelled_by = $2 AND cancel_key = $3",
    [id, membershipId, key],
  );
  return row?.cancel_saga_id;
}

export interface RefundFigures {
  readonly money: number;
  readonly points: number;
  readonly pointsTakenBack: number;
  readonly takenFromMoney: number;
}

/** Money gave back what the refund says: the slip is CANCELLED with those figures. */
export async function finishCancel(
  tx: Queryable,
  id: string,
  refund: RefundFigures,
): Promise<PaymentRow | undefined> {
  const [row] = await tx.query<PaymentRow>(
    `UPDATE payment.payments SET status = 'CANCELLED', refund_money = $2, refund_points = $3,
       points_taken_back = $4, taken_from_money = $5, cancelled_at = now()
     WHERE id = $1 AND status = 'CANCELLING' RETURNING *`,
    [id, refund.money, refund.points, refund.pointsTakenBack, refund.takenFromMoney],
  );
  return row;
}

/** Money refused the refund: the slip is NORMAL again, as if no cancel had been asked. */
export async function abandonCancel(tx: Queryable, id: string): Promise<void> {
  await tx.query(
    `UPDATE payment.payments SET status = 'NORMAL', cancelled_by = NULL, cancel_key = NULL, cancel_saga_id = NULL
     WHERE id = $1 AND status = 'CANCELLING'`,
    [id],
  );
}

export interface PaymentFilter {
  /** Only the viewer's own payments, and with `asOwner` those of franchises it owns; all when absent. */
  readonly viewer?: string | undefined;
  readonly asOwner: boolean;
  readonly status?: PaymentStatus | undefined;
  readonly franchiseId?: string | undefined;
  /** The nextCursor of the page before: the id of its last item. */
  readonly before?: string | undefined;
  readonly limit: number;
}

/** Payments newest first (ids sort by creation time). */
export async function listPayments(q: Queryable, f: PaymentFilter): Promise<PaymentRow[]> {
  return q.query<PaymentRow>(
    `SELECT * FROM payment.payments
     WHERE ($1::text IS NULL OR membership_id = $1 OR ($2::boolean AND owner_id = $1))
       AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR franchise_id = $4)
       AND ($5::text IS NULL OR id < $5)
     ORDER BY id DESC LIMIT $6`,
    [f.viewer ?? null, f.asOwner, f.status ?? null, f.franchiseId ?? null, f.before ?? null, f.limit],
  );
}
