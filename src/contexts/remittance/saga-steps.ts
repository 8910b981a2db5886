import type { Queryable } from "../../platform/db/db.js";
import { completeKey, type IdempotencyKey } from "../../platform/idempotency.js";
import { recordEvents } from "../../platform/outbox.js";
import type { SagaContext, SagaStep } from "../../platform/saga/engine.js";
import { type AutoRechargeData, autoRechargeStep } from "../money/api.js";
import { type RemittanceCompleted, remittanceEvents } from "./api.js";
import { remittanceSchema, type SagaDeps } from "./deps.js";
import { isMemberRecipient, publicReason, type Remittance, remittanceView } from "./domain.js";
import { finishRemittance, markAutoRecharged } from "./store.js";

/** What both remittance sagas share: their data, the auto-recharge first, and how they end. */

export interface RemittanceData extends AutoRechargeData {
  readonly remittanceId: string;
  /** The sender. */
  readonly membershipId: string;
  readonly amount: number;
  readonly fee: number;
  /** The request waiting for the answer, if any: the saga's last transaction records it there. */
  readonly idempotency: IdempotencyKey | null;
}

/**
 * The auto-recharge (money's shared step) of amount + fee; when it recharged, the remittance says so
 * from the same transaction on.
 */
export function rechargeFirst<D extends RemittanceData>(deps: SagaDeps): SagaStep<D> {
  const step = autoRechargeStep<D>({ money: deps.money, sagaWaitMs: deps.sagaWaitMs }, (data) => ({
    cause: data.remittanceId,
    membershipId: data.membershipId,
    amount: data.amount + data.fee,
  }));
  return {
    ...step,
    async action(data, ctx) {
      const outcome = await step.action(data, ctx);
      if (outcome.kind !== "next" || !outcome.data?.autoRecharged) return outcome;
      const effect = outcome.effect;
      return {
        ...outcome,
        async effect(tx, d, c) {
          const refused = await effect?.(tx, d, c);
          if (refused) return refused;
          await markAutoRecharged(tx, d.remittanceId);
        },
      };
    },
  };
}

/**
 * The saga's last transaction: the final status, RemittanceCompleted, and (when a client waits on an
 * Idempotency-Key) the answer every retry of that request gets.
 */
export async function finish(
  tx: Queryable,
  data: RemittanceData,
  ctx: SagaContext,
  status: "SUCCEEDED" | "FAILED",
  reason: string | null,
): Promise<void> {
  const shown = status === "FAILED" ? (publicReason(reason) ?? "FAILED") : null;
  const done = await finishRemittance(tx, data.remittanceId, status, shown);
  if (!done) return;
  await recordEvents(
    tx,
    remittanceSchema,
    [{ type: remittanceEvents.RemittanceCompleted, data: completed(done) }],
    {
      correlationId: ctx.correlationId,
      causationId: done.id,
    },
  );
  if (data.idempotency) await completeKey(tx, remittanceSchema, data.idempotency, 201, remittanceView(done));
}

function completed(r: Remittance): RemittanceCompleted {
  return {
    remittanceId: r.id,
    type: r.type,
    membershipId: r.senderId,
    toMembershipId: isMemberRecipient(r.to) ? r.to.membershipId : null,
    toAccount: isMemberRecipient(r.to) ? null : r.to,
    amount: r.amount,
    fee: r.fee,
    status: r.status === "SUCCEEDED" ? "SUCCEEDED" : "FAILED",
    reason: r.failureReason,
  };
}
