/** Settlement (정산): the arithmetic of paying a franchise for its payments, and the payout's retry rule. */

/** One commission rate's share of a franchise's claimed payments (the rate stamped on each payment). */
export interface RateGroup {
  readonly commissionBps: number;
  readonly gross: number;
  readonly count: number;
}

/** What one settlement pays: gross = commission + net, all integer won. */
export interface Figures {
  readonly paymentCount: number;
  readonly gross: number;
  readonly commission: number;
  readonly net: number;
}

export interface RunTotals extends Figures {
  readonly franchises: number;
}

const bpsPerUnit = 10_000n;

/** floor(gross × bps / 10000), exact for any safe integers (the product may pass 2^53). */
export function commissionAtRate(gross: number, bps: number): number {
  if (!Number.isSafeInteger(gross) || gross < 0) throw new RangeError(`not a won amount: ${gross}`);
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) throw new RangeError(`not a rate in bps: ${bps}`);
  return Number((BigInt(gross) * BigInt(bps)) / bpsPerUnit);
}

/**
 * A franchise's settlement (API.md "Settlement"): commission is computed per stamped rate and summed,
 * so a rate change between payments is honoured and each rate's rounding is taken once.
 */
export function settlementFigures(byRate: readonly RateGroup[]): Figures {
  let gross = 0;
  let commission = 0;
  let paymentCount = 0;
  for (const group of byRate) {
    gross += group.gross;
    commission += commissionAtRate(group.gross, group.commissionBps);
    paymentCount += group.count;
  }
  return { paymentCount, gross, commission, net: gross - commission };
}

/** The sums of a run's settlements, as its answer shows them. */
export function runTotals(settlements: readonly Figures[]): RunTotals {
  const totals = { franchises: settlements.length, paymentCount: 0, gross: 0, commission: 0, net: 0 };
  for (const s of settlements) {
    totals.paymentCount += s.paymentCount;
    totals.gross += s.gross;
    totals.commission += s.commission;
    totals.net += s.net;
  }
  return totals;
}

/** A payout is tried this many times (a fresh request id each) before the settlement is FAILED. */
export const payoutAttempts = 3;

/**
 * The bank request id of a payout attempt: derived from the settlement, so a retry after a crash
 * sends the same one (the bank de-duplicates on it) and a retry after a FAILED sends the next.
 */
export function payoutRequestId(settlementId: string, attempt: number): string {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`not an attempt: ${attempt}`);
  return attempt === 1 ? settlementId : `${settlementId}:${attempt}`;
}

export type AfterRefusal =
  | { readonly kind: "retry"; readonly attempt: number; readonly requestId: string; readonly delayMs: number }
  | { readonly kind: "give-up" };

/** What follows a payout attempt the bank refused: the next attempt after a doubling delay, or FAILED. */
export function afterRefusedPayout(settlementId: string, attempt: number, baseDelayMs: number): AfterRefusal {
  if (attempt >= payoutAttempts) return { kind: "give-up" };
  const next = attempt + 1;
  return {
    kind: "retry",
    attempt: next,
    requestId: payoutRequestId(settlementId, next),
    delayMs: baseDelayMs * 2 ** (attempt - 1),
  };
}

/** RUNNING while payments are being claimed or any payout is under way; COMPLETED once each is PAID or FAILED. */
export type RunStatus = "RUNNING" | "COMPLETED";

export function runStatus(recorded: boolean, pendingSettlements: number): RunStatus {
  return recorded && pendingSettlements === 0 ? "COMPLETED" : "RUNNING";
}

/** Why a cutoff cannot be used: payments after now do not exist yet, so a later cutoff means nothing. */
export function cutoffProblem(cutoff: Date, now: Date): string | undefined {
  if (Number.isNaN(cutoff.getTime())) return "cutoff: not a date-time";
  if (cutoff.getTime() > now.getTime()) return "cutoff: must not be in the future";
  return undefined;
}
