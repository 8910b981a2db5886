import type { Queryable } from "../../platform/db/db.js";
import type { SagaContext, StepOutcome } from "../../platform/saga/engine.js";
import type { AccountRef, FirmbankingPurpose } from "../banking/api.js";
import type { SagaDeps } from "./deps.js";

interface TransferData {
  readonly membershipId: string;
  readonly amount: number;
  readonly requestId: string;
  readonly from: AccountRef;
  readonly to: AccountRef;
  readonly firmbankingId?: string;
}

/**
 * The firmbanking step of a money saga: asks banking to move the won with the stored request id
 * (a repeat never moves money twice) and turns the answer into the saga's next move. UNKNOWN waits:
 * never taken for a failure.
 */
export async function transferStep<D extends TransferData>(
  deps: SagaDeps,
  ctx: SagaContext,
  data: D,
  spec: {
    purpose: FirmbankingPurpose;
    reference: string;
    onSucceeded: (tx: Queryable, data: D, ctx: SagaContext) => Promise<void>;
  },
): Promise<StepOutcome<D>> {
  const answer = await deps.banking.transfer({
    requestId: data.requestId,
    purpose: spec.purpose,
    membershipId: data.membershipId,
    from: data.from,
    to: data.to,
    amount: data.amount,
    reference: spec.reference,
    correlationId: ctx.correlationId,
  });
  if (!answer.ok) return { kind: "fail", reason: answer.error.code };
  const next: D = { ...data, firmbankingId: answer.value.firmbankingId };
  switch (answer.value.status) {
    case "UNKNOWN":
      return { kind: "wait", data: next, retryInMs: deps.sagaWaitMs };
    case "FAILED":
      return { kind: "fail", reason: answer.value.reason ?? "FAILED", data: next };
    case "SUCCEEDED":
      return { kind: "next", data: next, effect: spec.onSucceeded };
  }
}
