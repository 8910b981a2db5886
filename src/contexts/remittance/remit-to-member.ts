import type { SagaDefinition } from "../../platform/saga/engine.js";
import { failOrFault } from "../../platform/saga/outcomes.js";
import type { SagaDeps } from "./deps.js";
import { finish, type RemittanceData, rechargeFirst } from "./saga-steps.js";

/** Member→member (회원 간 송금): the auto-recharge when short, then one ledger transaction between balances. */
export interface MemberRemittanceData extends RemittanceData {
  readonly toMembershipId: string;
}

export const memberRemittanceType = "remittance-member";

/**
 * Nothing needs undoing: a failed or refused recharge moved nothing, won an auto-recharge brought in
 * stay the sender's, and a refused transfer posted nothing.
 */
export function memberRemittanceSaga(deps: SagaDeps): SagaDefinition<MemberRemittanceData> {
  return {
    type: memberRemittanceType,
    steps: [
      rechargeFirst(deps),
      {
        name: "transfer",
        async action(data, ctx) {
          const moved = await deps.money.transfer({
            transferId: data.remittanceId,
            from: data.membershipId,
            to: data.toMembershipId,
            amount: data.amount,
            correlationId: ctx.correlationId,
          });
          return moved.ok ? { kind: "next" } : failOrFault(moved.error);
        },
      },
    ],
    onCompleted: (tx, data, ctx) => finish(tx, data, ctx, "SUCCEEDED", null),
    onCompensated: (tx, data, reason, ctx) => finish(tx, data, ctx, "FAILED", reason),
  };
}
