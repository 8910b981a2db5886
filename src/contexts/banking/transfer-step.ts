import type { Queryable } from "../../platform/db/db.js";
import type { SagaContext, StepContext, StepOutcome } from "../../platform/saga/engine.js";
import {
  type AccountRef,
  type BankingApi,
  type FirmbankingOutcome,
  type FirmbankingPurpose,
  firmbankingNotSent,
  type TransferCommand,
} from "./api.js";

/** What the firmbanking step of a saga needs: banking, and how long to wait on an UNKNOWN answer. */
export interface TransferStepDeps {
  readonly banking: BankingApi;
  readonly sagaWaitMs: number;
}

/** The part of a saga's data the firmbanking step reads and writes. */
export interface TransferData {
  /** The member on whose behalf (a franchise's owner for a settlement). */
  readonly membershipId: string;
  readonly amount: number;
  readonly requestId: string;
  readonly from: AccountRef;
  readonly to: AccountRef;
  readonly firmbankingId?: string;
  /** Committed, under the saga's lease, right before the transfer is ordered: it may have been sent since. */
  readonly sending?: boolean;
}

export interface TransferSpec<D> {
  readonly purpose: FirmbankingPurpose;
  readonly reference: string;
  /** Writes that commit with the step once the bank moved the won (none: the step's advance alone). */
  readonly onSucceeded?: (tx: Queryable, data: D, ctx: SagaContext) => Promise<void>;
}

/**
 * The firmbanking step of a saga (recharge, withdraw, remittance, settlement payout). It orders the transfer once, and only while it holds the
 * saga's lease (a checkpoint renews it and records `sending` first); afterwards it only reads the
 * outcome banking stored, when the FirmbankingCompleted event wakes it or its long wait runs out:
 * banking's resolver is the one that asks the bank. UNKNOWN waits: never taken for a failure, and it
 * gives up only on a FAILED that banking holds, so nothing is undone while won may still move.
 */
export async function transferStep<D extends TransferData>(
  deps: TransferStepDeps,
  ctx: StepContext,
  data: D,
  spec: TransferSpec<D>,
): Promise<StepOutcome<D>> {
  const command = transferCommand(data, spec, ctx);
  const stored = data.sending ? await deps.banking.outcome(data.requestId) : undefined;
  if (stored) return follow(deps, data, stored, spec);
  const sending: D = { ...data, sending: true };
  await ctx.checkpoint(sending, "sending");
  const answer = await deps.banking.transfer(command);
  if (answer.ok) return follow(deps, sending, answer.value, spec);
  // Nothing was sent this time (the bank is unreachable); before giving up, make sure no runner that
  // lost this saga can still send it, or learn what became of it.
  const settled = await deps.banking.voidUnsent(command);
  return follow(deps, sending, settled, spec, answer.error.code);
}

function transferCommand<D extends TransferData>(
  data: D,
  spec: TransferSpec<D>,
  ctx: SagaContext,
): TransferCommand {
  return {
    requestId: data.requestId,
    purpose: spec.purpose,
    membershipId: data.membershipId,
    from: data.from,
    to: data.to,
    amount: data.amount,
    reference: spec.reference,
    correlationId: ctx.correlationId,
  };
}

/** The saga's next move for banking's outcome; `unsentReason` names why a voided request failed. */
function follow<D extends TransferData>(
  deps: TransferStepDeps,
  data: D,
  outcome: FirmbankingOutcome,
  spec: TransferSpec<D>,
  unsentReason?: string,
): StepOutcome<D> {
  const next: D = { ...data, firmbankingId: outcome.firmbankingId };
  switch (outcome.status) {
    case "UNKNOWN":
      return { kind: "wait", data: next, retryInMs: deps.sagaWaitMs };
    case "FAILED": {
      const voided = outcome.reason === firmbankingNotSent && unsentReason !== undefined;
      return { kind: "fail", reason: voided ? unsentReason : (outcome.reason ?? "FAILED"), data: next };
    }
    case "SUCCEEDED":
      return spec.onSucceeded
        ? { kind: "next", data: next, effect: spec.onSucceeded }
        : { kind: "next", data: next };
  }
}
