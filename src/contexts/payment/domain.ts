import { type ErrorCode, errorCatalogue, type Failure, fail, ok, type Result } from "../../kernel/errors.js";
import { won } from "../../kernel/won.js";

/**
 * The payment slip's rules (전표, API.md "Payment and points") as plain functions: how a payment splits
 * between money and points, who may see or cancel a slip, when a cancel is refused, what a failed
 * payment answers, and how a settlement run's claimed slips add up per franchise and stamped rate.
 * The SQL enforces the status changes a second time (conditional updates).
 */

/**
 * PENDING: its auto-recharge is at the bank; FAILED: it could not be made (nothing was paid);
 * CANCELLING: a cancel is under way. NORMAL (정상, unsettled), CANCELLED and SETTLED as in API.md.
 */
export const paymentStatuses = ["PENDING", "NORMAL", "FAILED", "CANCELLING", "CANCELLED", "SETTLED"] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

export interface PaymentSplit {
  readonly paidWithMoney: number;
  readonly paidWithPoints: number;
}

/** `usePoints` pays that much of `amount` (1 point = 1 won); money pays the rest. */
export function splitPayment(amount: number, usePoints = 0): Result<PaymentSplit> {
  if (won(usePoints) > won(amount)) {
    return fail("VALIDATION_FAILED", "body/usePoints must not be more than the amount");
  }
  return ok({ paidWithMoney: amount - usePoints, paidWithPoints: usePoints });
}

/** Who is asking: the payer, the franchise's owner and staff may see and cancel a slip. */
export interface Viewer {
  readonly membershipId: string;
  readonly role: string;
}

export interface SlipParties {
  readonly membershipId: string;
  readonly ownerId: string;
}

export function canSee(viewer: Viewer, slip: SlipParties): boolean {
  return (
    viewer.role === "staff" ||
    viewer.membershipId === slip.membershipId ||
    viewer.membershipId === slip.ownerId
  );
}

export interface CancelState {
  readonly status: PaymentStatus;
  /** A settlement run claimed it: its payout is under way. */
  readonly claimed: boolean;
}

/**
 * Why a slip cannot be cancelled now, or undefined when it can (NORMAL and unclaimed). Claimed or
 * SETTLED: a franchise is paid, or being paid, for it; anything else is not a payment to undo.
 */
export function cancelRefusal(slip: CancelState): Result<never> | undefined {
  if (slip.status === "SETTLED" || (slip.status === "NORMAL" && slip.claimed)) {
    return fail("ALREADY_SETTLED", "the payment is settled, or being settled, with the franchise");
  }
  if (slip.status === "NORMAL") return undefined;
  const why: Record<Exclude<PaymentStatus, "NORMAL" | "SETTLED">, string> = {
    PENDING: "the payment is not made yet",
    FAILED: "the payment failed: nothing was paid",
    CANCELLING: "the payment is being cancelled",
    CANCELLED: "the payment is already cancelled",
  };
  return fail("CONFLICT", why[slip.status]);
}

/**
 * The problem a failed payment answers, from the saga's failure reason: the code itself when it is one
 * of the catalogue's; an auto-recharge the bank refused means the money was not enough.
 */
export function failureProblem(reason: string, bankRefusedRecharge: boolean): Failure {
  if (bankRefusedRecharge) {
    return {
      code: "INSUFFICIENT_BALANCE",
      detail: "the money balance is short and the bank refused the auto-recharge; nothing was paid",
    };
  }
  if (reason in errorCatalogue) {
    return { code: reason as ErrorCode, detail: `the payment was not made (${reason}); nothing was paid` };
  }
  return { code: "INTERNAL_ERROR", detail: "the payment was not made; nothing was paid" };
}

/** The problem a cancel answers when money refused its refund (the slip is NORMAL again). */
export function cancelFailure(reason: string): Failure {
  const code = reason in errorCatalogue ? (reason as ErrorCode) : "INTERNAL_ERROR";
  return { code, detail: `the payment could not be cancelled (${reason}); nothing was given back` };
}

/** One line of a run's claim: a franchise's claimed slips at one stamped commission rate. */
export type ClaimLine = {
  readonly franchiseId: string;
  readonly commissionBps: number;
  readonly count: number;
  readonly gross: number;
};

export interface ClaimGroup {
  readonly franchiseId: string;
  readonly paymentCount: number;
  readonly gross: number;
  readonly byRate: readonly {
    readonly commissionBps: number;
    readonly gross: number;
    readonly count: number;
  }[];
}

/** The claim's lines grouped per franchise (ordered by franchise id, then rate), with their totals. */
export function groupClaims(lines: readonly ClaimLine[]): ClaimGroup[] {
  const groups = new Map<string, ClaimLine[]>();
  for (const line of lines) groups.set(line.franchiseId, [...(groups.get(line.franchiseId) ?? []), line]);
  return [...groups.keys()].sort().map((franchiseId) => {
    const rates = (groups.get(franchiseId) ?? []).toSorted((a, b) => a.commissionBps - b.commissionBps);
    return {
      franchiseId,
      paymentCount: rates.reduce((n, r) => n + r.count, 0),
      gross: rates.reduce((sum, r) => sum + won(r.gross), 0),
      byRate: rates.map((r) => ({ commissionBps: r.commissionBps, gross: r.gross, count: r.count })),
    };
  });
}
