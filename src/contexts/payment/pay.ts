import { fail, ok, type Result } from "../../kernel/errors.js";
import { newId } from "../../kernel/ids.js";
import type { Queryable } from "../../platform/db/db.js";
import { completeKey, type IdempotencyKey, type Reply } from "../../platform/idempotency.js";
import { recordEvents } from "../../platform/outbox.js";
import type { SagaContext, SagaDefinition, SagaStep, StepOutcome } from "../../platform/saga/engine.js";
import { failOrFault } from "../../platform/saga/outcomes.js";
import { type AutoRechargeData, autoRechargeStep, pointsEarned } from "../money/api.js";
import { type PaymentMade, paymentEvents } from "./api.js";
import { type PaymentDeps, paymentSchema, type SagaDeps } from "./deps.js";
import { splitPayment } from "./domain.js";
import { findPayment, finishPayment, insertPayment, type PaymentRow } from "./store.js";
import { paymentReply } from "./view.js";

/** payWithMyMoney: a member pays a franchise with money (auto-recharged when short) and points. */
export interface PaymentData extends AutoRechargeData {
  readonly paymentId: string;
  readonly membershipId: string;
  readonly franchiseId: string;
  readonly paidWithMoney: number;
  readonly paidWithPoints: number;
  readonly pointsEarned: number;
  readonly idempotency: IdempotencyKey;
}

export function paymentSaga(deps: SagaDeps): SagaDefinition<PaymentData> {
  return {
    type: "payment",
    steps: [rechargeWhenShort(deps), payStep(deps)],
    onCompleted: async (tx, data, ctx) => {
      const row = await finishPayment(tx, data.paymentId, {
        status: "NORMAL",
        autoRecharged: data.autoRecharged === true,
      });
      if (row) await announce(tx, row, ctx);
      await answer(tx, data, row);
    },
    onCompensated: async (tx, data, reason) => {
      const row = await finishPayment(tx, data.paymentId, { status: "FAILED", reason });
      await answer(tx, data, row);
    },
  };
}

/** Money's auto-recharge step, skipped when points pay it all (nothing is spent from the money). */
function rechargeWhenShort(deps: SagaDeps): SagaStep<PaymentData> {
  const recharge = autoRechargeStep<PaymentData>(deps, (data) => ({
    cause: data.paymentId,
    membershipId: data.membershipId,
    amount: data.paidWithMoney,
  }));
  return {
    name: recharge.name,
    action: async (data, ctx) =>
      data.paidWithMoney > 0
        ? recharge.action(data, ctx)
        : { kind: "next", data: { ...data, autoRecharged: false, rechargeId: null } },
  };
}

/** Money and points to the franchise's payable and the points earned, in one ledger transaction. */
function payStep(deps: SagaDeps): SagaStep<PaymentData> {
  return {
    name: "pay",
    async action(data, ctx): Promise<StepOutcome<PaymentData>> {
      const paid = await deps.money.pay({
        paymentId: data.paymentId,
        membershipId: data.membershipId,
        franchiseId: data.franchiseId,
        money: data.paidWithMoney,
        points: data.paidWithPoints,
        pointsEarned: data.pointsEarned,
        correlationId: ctx.correlationId,
      });
      return paid.ok ? { kind: "next" } : failOrFault(paid.error);
    },
  };
}

async function announce(tx: Queryable, row: PaymentRow, ctx: SagaContext) {
  const data: PaymentMade = {
    paymentId: row.id,
    membershipId: row.membership_id,
    franchiseId: row.franchise_id,
    amount: row.amount,
    paidWithMoney: row.paid_with_money,
    paidWithPoints: row.paid_with_points,
    pointsEarned: row.points_earned,
    commissionBps: row.commission_bps,
  };
  await recordEvents(tx, paymentSchema, [{ type: paymentEvents.PaymentMade, data }], {
    correlationId: ctx.correlationId,
    causationId: row.id,
  });
}

/** The answer every retry of the request gets, recorded with the saga's last step. */
async function answer(tx: Queryable, data: PaymentData, row: PaymentRow | undefined) {
  const slip = row ?? (await findPayment(tx, data.paymentId));
  if (!slip) throw new Error(`no payment ${data.paymentId}`);
  const reply = paymentReply(slip);
  await completeKey(tx, paymentSchema, data.idempotency, reply.status, reply.body);
}

export interface PaymentCommand {
  readonly membershipId: string;
  readonly franchiseId: string;
  readonly amount: number;
  readonly usePoints?: number | undefined;
  readonly idempotency: IdempotencyKey;
  readonly correlationId: string;
}

/**
 * Checks the payment (the franchise ACTIVE, the points there), then records the slip, with the rate in
 * force and the franchise's owner stamped on it, and its saga, in one transaction. Nothing is stored
 * when a check fails.
 */
export async function startPayment(deps: PaymentDeps, cmd: PaymentCommand): Promise<Result<string>> {
  const split = splitPayment(cmd.amount, cmd.usePoints);
  if (!split.ok) return split;
  const { paidWithMoney, paidWithPoints } = split.value;
  const franchise = await deps.membership.getFranchise(cmd.franchiseId);
  if (franchise?.status !== "ACTIVE") return fail("NOT_FOUND", `no franchise ${cmd.franchiseId}`);
  if (paidWithPoints > 0) {
    const points = (await deps.money.balances(cmd.membershipId))?.points ?? 0;
    if (points < paidWithPoints) {
      return fail("INSUFFICIENT_POINTS", `${points.toLocaleString("en")} points are not enough`);
    }
  }
  const paymentId = newId("payment");
  const data: PaymentData = {
    paymentId,
    membershipId: cmd.membershipId,
    franchiseId: franchise.franchiseId,
    paidWithMoney,
    paidWithPoints,
    pointsEarned: pointsEarned(paidWithMoney, deps.config.pointsAccrualBps),
    idempotency: cmd.idempotency,
  };
  await deps.db.tx(async (tx) => {
    await insertPayment(tx, {
      ...data,
      id: paymentId,
      ownerId: franchise.ownerId,
      amount: cmd.amount,
      commissionBps: franchise.commissionBps,
      idempotencyKey: cmd.idempotency.key,
    });
    const saga = { id: paymentId, type: "payment", data, correlationId: cmd.correlationId };
    await deps.engine.start(tx, saga, { reserve: true });
  });
  return ok(paymentId);
}

/** The answer while the saga is under way: a PENDING slip shows whether an auto-recharge is at the bank. */
export async function paymentAnswer(deps: PaymentDeps, id: string): Promise<Reply> {
  const row = await findPayment(deps.db, id);
  if (!row) throw new Error(`no payment ${id}`);
  if (row.status !== "PENDING") return paymentReply(row);
  const saga = await deps.engine.get<PaymentData>(id);
  return paymentReply({ ...row, auto_recharged: Boolean(saga?.data.rechargeId) });
}
