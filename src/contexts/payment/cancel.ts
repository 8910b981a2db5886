import { fail, ok, type Result } from "../../kernel/errors.js";
import { newId } from "../../kernel/ids.js";
import type { Queryable } from "../../platform/db/db.js";
import { txResult } from "../../platform/db/tx-result.js";
import { problemBody } from "../../platform/http/problem.js";
import { completeKey, type IdempotencyKey, type Reply } from "../../platform/idempotency.js";
import { recordEvents } from "../../platform/outbox.js";
import type { SagaContext, SagaDefinition } from "../../platform/saga/engine.js";
import { failOrFault } from "../../platform/saga/outcomes.js";
import type { CancelRefund } from "../money/api.js";
import { type PaymentCancelled, paymentEvents } from "./api.js";
import { type PaymentDeps, paymentSchema, type SagaDeps } from "./deps.js";
import { cancelFailure, cancelRefusal, canSee, type Viewer } from "./domain.js";
import { abandonCancel, beginCancel, findPayment, finishCancel, type PaymentRow } from "./store.js";
import { paymentView } from "./view.js";

/**
 * Cancelling a payment (결제 취소): money and used points go back, earned points are taken back. A small
 * saga, so that the refund and the final CANCELLED survive a crash; money's refund is idempotent on the
 * payment id.
 */
export interface CancelData {
  readonly paymentId: string;
  readonly idempotency: IdempotencyKey;
  /** What money gave back (set once the refund is done). */
  readonly refund?: CancelRefund;
}

export function cancelSaga(deps: SagaDeps): SagaDefinition<CancelData> {
  return {
    type: "payment-cancel",
    steps: [
      {
        name: "refund",
        async action(data, ctx) {
          const refund = await deps.money.refund({
            paymentId: data.paymentId,
            correlationId: ctx.correlationId,
          });
          if (!refund.ok) return failOrFault(refund.error);
          return { kind: "next", data: { ...data, refund: refund.value } };
        },
      },
    ],
    onCompleted: async (tx, data, ctx) => {
      if (!data.refund) throw new Error(`cancel of ${data.paymentId} completed without its refund`);
      const row = await finishCancel(tx, data.paymentId, data.refund);
      if (row) await announce(tx, row, data.refund, ctx);
      const slip = row ?? (await findPayment(tx, data.paymentId));
      if (slip) await completeKey(tx, paymentSchema, data.idempotency, 200, paymentView(slip));
    },
    onCompensated: async (tx, data, reason) => {
      await abandonCancel(tx, data.paymentId);
      const body = problemBody(cancelFailure(reason));
      await completeKey(tx, paymentSchema, data.idempotency, body.status, body);
    },
  };
}

async function announce(tx: Queryable, row: PaymentRow, refund: CancelRefund, ctx: SagaContext) {
  const data: PaymentCancelled = {
    paymentId: row.id,
    membershipId: row.membership_id,
    franchiseId: row.franchise_id,
    amount: row.amount,
    refund,
  };
  await recordEvents(tx, paymentSchema, [{ type: paymentEvents.PaymentCancelled, data }], {
    correlationId: ctx.correlationId,
    causationId: row.id,
  });
}

export interface CancelCommand {
  readonly paymentId: string;
  readonly viewer: Viewer;
  readonly idempotency: IdempotencyKey;
  readonly correlationId: string;
}

/**
 * The payer, the franchise's owner or staff cancel a NORMAL payment no settlement claimed: the slip
 * becomes CANCELLING in one conditional UPDATE (settlement's claim is the other side of that race) and
 * the cancel saga is recorded with it. Returns the saga's id.
 */
export async function startCancel(deps: PaymentDeps, cmd: CancelCommand): Promise<Result<string>> {
  const slip = await findPayment(deps.db, cmd.paymentId);
  if (!slip || !canSee(cmd.viewer, { membershipId: slip.membership_id, ownerId: slip.owner_id })) {
    return fail("NOT_FOUND", `no payment ${cmd.paymentId}`);
  }
  const sagaId = newId("saga");
  return txResult(deps.db, async (tx) => {
    const by = { membershipId: cmd.viewer.membershipId, key: cmd.idempotency.key, sagaId };
    if (!(await beginCancel(tx, cmd.paymentId, by))) return refusal(tx, cmd.paymentId);
    const data: CancelData = { paymentId: cmd.paymentId, idempotency: cmd.idempotency };
    const saga = { id: sagaId, type: "payment-cancel", data, correlationId: cmd.correlationId };
    await deps.engine.start(tx, saga, { reserve: true });
    return ok(sagaId);
  });
}

/** Why the conditional UPDATE matched nothing, read after it (the slip as the race left it). */
async function refusal(tx: Queryable, paymentId: string): Promise<Result<never>> {
  const now = await findPayment(tx, paymentId);
  const why = now && cancelRefusal({ status: now.status, claimed: now.settlement_run_id !== null });
  return why ?? fail("CONFLICT", "the payment changed meanwhile; ask again");
}

/** The answer while the cancel is under way: the slip as it stands (CANCELLING). */
export async function cancelAnswer(deps: PaymentDeps, paymentId: string): Promise<Reply> {
  const row = await findPayment(deps.db, paymentId);
  if (!row) throw new Error(`no payment ${paymentId}`);
  return { status: 200, body: paymentView(row) };
}
