import type { SagaDefinition, SagaStep } from "../../platform/saga/engine.js";
import { failOrFault, mustSucceed } from "../../platform/saga/outcomes.js";
import { type TransferData, transferStep } from "../banking/api.js";
import type { SagaDeps } from "./deps.js";
import { finish, type RemittanceData, rechargeFirst } from "./saga-steps.js";

/**
 * Member→bank (계좌 송금): amount + fee from the sender's money into transit, a firmbanking payout from
 * the corporate account to the external account, then the transit settles and the fee becomes
 * revenue. `from` (corporate), `to` (the payee) and `requestId` (the remittance id) are stored with
 * the saga before any step runs.
 */
export interface BankRemittanceData extends RemittanceData, TransferData {}

export const bankRemittanceType = "remittance-bank";

export function bankRemittanceSaga(deps: SagaDeps): SagaDefinition<BankRemittanceData> {
  return {
    type: bankRemittanceType,
    steps: [
      rechargeFirst(deps),
      holdStep(deps),
      {
        // Waits while the bank's answer is UNKNOWN; only a FAILED banking holds gives the money back.
        name: "payout",
        action: (data, ctx) =>
          transferStep(deps, ctx, data, {
            purpose: "REMITTANCE",
            reference: data.remittanceId,
            // The settle step posts it, in a commit of its own once the bank's SUCCEEDED is recorded.
          }),
      },
      settleStep(deps),
    ],
    onCompleted: (tx, data, ctx) => finish(tx, data, ctx, "SUCCEEDED", null),
    onCompensated: (tx, data, reason, ctx) => finish(tx, data, ctx, "FAILED", reason),
    // Staff retry a STUCK one: the bank may know by now, so banking asks it again.
    onRetry: async (data) => void (await deps.banking.recheck(data.requestId)),
  };
}

/** amount + fee from the sender's money into transit, so that they cannot be spent twice. */
function holdStep(deps: SagaDeps): SagaStep<BankRemittanceData> {
  return {
    name: "hold",
    async action(data, ctx) {
      const held = await deps.money.hold({
        holdId: data.remittanceId,
        source: { membershipId: data.membershipId },
        amount: data.amount,
        fee: data.fee,
        purpose: "REMITTANCE",
        correlationId: ctx.correlationId,
      });
      return held.ok ? { kind: "next" } : failOrFault(held.error);
    },
    // The bank refused the payout: everything held goes back to the sender, the fee too.
    async compensate(data) {
      mustSucceed(await deps.money.releaseHold(data.remittanceId), "releasing the remittance's hold");
      return { kind: "done" };
    },
  };
}

/** The bank paid: the transit settles to corporate cash and the fee becomes revenue. */
function settleStep(deps: SagaDeps): SagaStep<BankRemittanceData> {
  return {
    name: "settle",
    async action(data) {
      mustSucceed(await deps.money.settleHold(data.remittanceId), "settling the remittance's hold");
      return { kind: "next" };
    },
  };
}
