import type { Queryable } from "../../platform/db/db.js";
import { recordEvents } from "../../platform/outbox.js";
import type {
  SagaContext,
  SagaDefinition,
  SagaStep,
  StepContext,
  StepOutcome,
} from "../../platform/saga/engine.js";
import { failOrFault, mustSucceed } from "../../platform/saga/outcomes.js";
import { type AccountRef, type TransferData, transferStep } from "../banking/api.js";
import { type SettlementCompleted, settlementEvents } from "./api.js";
import { type SettlementSagaDeps, settlementSchema } from "./deps.js";
import { afterRefusedPayout, payoutRequestId } from "./domain.js";
import { finishSettlement, type PlannedSettlement } from "./store.js";

/** One franchise's payout (settlement-payout): hold the gross, send the net, settle; or give it all back. */

export const payoutSagaType = "settlement-payout";

export interface PayoutData extends TransferData {
  readonly settlementId: string;
  readonly runId: string;
  readonly franchiseId: string;
  readonly paymentCount: number;
  readonly gross: number;
  /** Kept by mypay as commission revenue when the payout is made; `amount` is the net sent. */
  readonly commission: number;
  /** 1 for the first request to the bank; each refusal within the budget moves to the next. */
  readonly attempt: number;
  /** The bank's reasons for the refused attempts so far. */
  readonly refusals?: readonly string[];
}

/** The payout's data: membershipId is the franchise's owner (on whose behalf banking lists the transfer). */
export function payoutData(runId: string, from: AccountRef, s: PlannedSettlement): PayoutData {
  return {
    settlementId: s.settlementId,
    runId,
    franchiseId: s.franchiseId,
    membershipId: s.ownerId,
    paymentCount: s.paymentCount,
    gross: s.gross,
    commission: s.commission,
    amount: s.net,
    attempt: 1,
    requestId: payoutRequestId(s.settlementId, 1),
    from,
    to: s.account,
  };
}

export function payoutSaga(deps: SettlementSagaDeps): SagaDefinition<PayoutData> {
  return {
    type: payoutSagaType,
    steps: [
      claimedStep(deps),
      holdStep(deps),
      { name: "payout", action: (data, ctx) => payout(deps, data, ctx) },
      settleStep(deps),
    ],
    onCompleted: (tx, data, ctx) => finish(tx, data, ctx, "PAID", null),
    onCompensated: (tx, data, reason, ctx) => finish(tx, data, ctx, "FAILED", reason),
    // Staff retry a STUCK one: the bank may know by now, so banking asks it again.
    onRetry: async (data) => void (await deps.banking.recheck(data.requestId)),
  };
}

/** Done by the run: the payments are this settlement's. Undone: they are free for a later run. */
const claimedStep = (deps: SettlementSagaDeps): SagaStep<PayoutData> => ({
  name: "claimed",
  action: async () => ({ kind: "next" }),
  compensate: async (data) => {
    await deps.payment.releaseClaim({ runId: data.runId, franchiseId: data.franchiseId });
    return { kind: "done" };
  },
});

/** gross leaves the franchise's payable into transit, so the won cannot be paid twice. */
const holdStep = (deps: SettlementSagaDeps): SagaStep<PayoutData> => ({
  name: "hold",
  action: async (data, ctx) => {
    const held = await deps.money.hold({
      holdId: data.settlementId,
      source: { franchiseId: data.franchiseId },
      amount: data.amount,
      fee: data.commission,
      purpose: "SETTLEMENT",
      correlationId: ctx.correlationId,
    });
    return held.ok ? { kind: "next" } : failOrFault(held.error);
  },
  compensate: async (data) => {
    mustSucceed(await deps.money.releaseHold(data.settlementId), "release the hold");
    return { kind: "done" };
  },
});

/** The net left: transit settles (commission to revenue) and the payments become SETTLED. */
const settleStep = (deps: SettlementSagaDeps): SagaStep<PayoutData> => ({
  name: "settle",
  action: async (data) => {
    mustSucceed(await deps.money.settleHold(data.settlementId), "settle the hold");
    const { runId, franchiseId, settlementId } = data;
    await deps.payment.markSettled({ runId, franchiseId, settlementId });
    return { kind: "next" };
  },
});

/**
 * The net to the franchise's settlement account (nothing to send when it is 0). A refusal within the
 * budget waits with a growing delay and sends the next request id; UNKNOWN waits as transferStep does.
 */
async function payout(
  deps: SettlementSagaDeps,
  data: PayoutData,
  ctx: StepContext,
): Promise<StepOutcome<PayoutData>> {
  if (data.amount === 0) return { kind: "next" };
  const outcome = await transferStep(deps, ctx, data, {
    purpose: "SETTLEMENT",
    reference: data.settlementId,
  });
  if (outcome.kind !== "fail") return outcome;
  const next = afterRefusedPayout(data.settlementId, data.attempt, deps.sagaWaitMs);
  if (next.kind === "give-up") return outcome;
  const tried = outcome.data ?? data;
  return {
    kind: "wait",
    retryInMs: next.delayMs,
    data: {
      ...tried,
      attempt: next.attempt,
      requestId: next.requestId,
      sending: false,
      refusals: [...(data.refusals ?? []), outcome.reason],
    },
  };
}

async function finish(
  tx: Queryable,
  data: PayoutData,
  ctx: SagaContext,
  status: "PAID" | "FAILED",
  reason: string | null,
) {
  const firmbankingId = data.firmbankingId ?? null;
  await finishSettlement(tx, data.settlementId, { status, reason, firmbankingId });
  const event: SettlementCompleted = {
    settlementId: data.settlementId,
    runId: data.runId,
    franchiseId: data.franchiseId,
    paymentCount: data.paymentCount,
    gross: data.gross,
    commission: data.commission,
    net: data.amount,
    status,
    reason,
  };
  await recordEvents(tx, settlementSchema, [{ type: settlementEvents.SettlementCompleted, data: event }], {
    correlationId: ctx.correlationId,
    causationId: data.settlementId,
  });
}
