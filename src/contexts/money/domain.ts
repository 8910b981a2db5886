import { fail, ok, type Result } from "../../kernel/errors.js";
import { won } from "../../kernel/won.js";

/**
 * Money's rules as plain functions (API.md "Money", "Payment and points"): the auto-recharge, points
 * earned on a payment, and what a cancelled payment gives back. The ledger's SQL enforces the
 * balances a second time; these decide the amounts.
 */

/** A manual recharge is a multiple of this; an auto-recharge tops up at least this much. */
export const rechargeUnit = 10_000;

/**
 * The recharge a payment or remittance of `price` triggers when `balance` is short: nothing when it is
 * not short; 10,000 won when the shortfall is 10,000 or less; otherwise exactly the shortfall. It must
 * leave the balance (plus won already promised to it) within the cap.
 */
export function autoRechargeAmount(
  balance: number,
  price: number,
  cap: number,
  reserved = 0,
): Result<number> {
  const shortfall = won(price) - won(balance);
  if (shortfall <= 0) return ok(0);
  const amount = shortfall <= rechargeUnit ? rechargeUnit : shortfall;
  if (balance + won(reserved) + amount > cap) {
    return fail(
      "BALANCE_LIMIT_EXCEEDED",
      `recharging ${amount.toLocaleString("en")} won would pass the cap of ${cap.toLocaleString("en")} won`,
    );
  }
  return ok(amount);
}

/** Points a payment earns: floor(paidWithMoney × accrualBps / 10,000); points paid earn nothing. */
export function pointsEarned(paidWithMoney: number, accrualBps: number): number {
  if (!Number.isInteger(accrualBps) || accrualBps < 0 || accrualBps > 10_000)
    throw new RangeError(`accrual of ${accrualBps} bps is outside 0-10,000`);
  // Integer arithmetic: a won amount times at most 10,000 stays exact below 2^53 for amounts < 9e11.
  return Math.floor((won(paidWithMoney) * accrualBps) / 10_000);
}

export interface PaidPayment {
  readonly paidWithMoney: number;
  readonly paidWithPoints: number;
  readonly pointsEarned: number;
}

export interface CancelRefund {
  /** Won back to the member's money. */
  readonly money: number;
  /** Used points given back. */
  readonly points: number;
  /** Earned points removed from the member. */
  readonly pointsTakenBack: number;
  /** Earned points the member had spent already, taken from the money refund instead (1 point = 1 won). */
  readonly takenFromMoney: number;
}

/**
 * What cancelling a payment gives back when the member holds `pointsNow`: the money and the used points
 * go back and the earned points are taken back, but points go no lower than zero: the earned points
 * already spent are taken from the money refund.
 */
export function cancelRefund(payment: PaidPayment, pointsNow: number): CancelRefund {
  const { paidWithMoney, paidWithPoints, pointsEarned: earned } = payment;
  const available = won(pointsNow) + won(paidWithPoints);
  const missing = Math.max(0, won(earned) - available);
  if (missing > won(paidWithMoney)) throw new RangeError("a payment never earns more points than won paid");
  return {
    money: paidWithMoney - missing,
    points: paidWithPoints,
    pointsTakenBack: earned - missing,
    takenFromMoney: missing,
  };
}
