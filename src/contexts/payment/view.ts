import { problemBody } from "../../platform/http/problem.js";
import type { Reply } from "../../platform/idempotency.js";
import { rechargeFailed } from "../money/api.js";
import { failureProblem } from "./domain.js";
import type { PaymentView } from "./schemas.js";
import type { PaymentRow } from "./store.js";

/** A slip as the API shows it, in every answer alike: the POSTs', the GET's and the list's. */
export function paymentView(row: PaymentRow): PaymentView {
  return {
    paymentId: row.id,
    membershipId: row.membership_id,
    franchiseId: row.franchise_id,
    amount: row.amount,
    paidWithMoney: row.paid_with_money,
    paidWithPoints: row.paid_with_points,
    pointsEarned: row.points_earned,
    autoRecharged: row.auto_recharged,
    commissionBps: row.commission_bps,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    settlementId: row.settlement_id,
    ...(row.status === "CANCELLED"
      ? {
          refund: {
            money: row.refund_money ?? 0,
            points: row.refund_points ?? 0,
            pointsTakenBack: row.points_taken_back ?? 0,
            takenFromMoney: row.taken_from_money ?? 0,
          },
        }
      : {}),
  };
}

/**
 * The answer a payment request gets: 201 with the slip (NORMAL, or PENDING while its auto-recharge is
 * at the bank), or the problem saying why it FAILED.
 */
export function paymentReply(row: PaymentRow): Reply {
  if (row.status !== "FAILED") return { status: 201, body: paymentView(row) };
  const reason = row.failure_reason ?? "";
  const body = problemBody(failureProblem(reason, reason === rechargeFailed));
  return { status: body.status, body };
}
