import type { SagaStep } from "../../platform/saga/engine.js";
import type { EnsureBalance, MoneyCommands } from "./api.js";

/** What the auto-recharge step of another context's saga records in the saga's data. */
export interface AutoRechargeData {
  /** Whether the step recharged the member's money (set once the step is done). */
  readonly autoRecharged?: boolean;
  readonly rechargeId?: string | null;
}

export interface AutoRechargeStepDeps {
  readonly money: Pick<MoneyCommands, "ensureBalance">;
  /** How long to wait before looking again at a recharge still at the bank (RechargeCompleted wakes it sooner). */
  readonly sagaWaitMs: number;
}

/** The reason a saga fails with when the auto-recharge itself failed at the bank. */
export const rechargeFailed = "RECHARGE_FAILED";

/**
 * The auto-recharge (자동 충전) as the first step of a remittance or payment saga: money recharges the
 * member when short (idempotent on the saga's id, the `cause`); a recharge still at the bank waits, and
 * a failed one, or a refusal (no linked account, the cap, the bank unreachable: nothing was started),
 * fails the saga with that code as its reason, before anything else moved.
 */
export function autoRechargeStep<D extends AutoRechargeData>(
  deps: AutoRechargeStepDeps,
  need: (data: D) => Omit<EnsureBalance, "correlationId">,
): SagaStep<D> {
  return {
    name: "recharge",
    async action(data, ctx) {
      const result = await deps.money.ensureBalance({ ...need(data), correlationId: ctx.correlationId });
      if (!result.ok) return { kind: "fail", reason: result.error.code };
      const { status, rechargeId } = result.value;
      switch (status) {
        case "NOT_NEEDED":
          return { kind: "next", data: { ...data, autoRecharged: false, rechargeId: null } };
        case "SUCCEEDED":
          return { kind: "next", data: { ...data, autoRecharged: true, rechargeId } };
        case "PENDING":
          return { kind: "wait", data: { ...data, rechargeId }, retryInMs: deps.sagaWaitMs };
        case "FAILED":
          return { kind: "fail", reason: rechargeFailed, data: { ...data, rechargeId } };
      }
    },
  };
}
