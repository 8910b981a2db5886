import { ok, type Result } from "../../kernel/errors.js";
import { newId } from "../../kernel/ids.js";
import type { Queryable } from "../../platform/db/db.js";
import { txResult } from "../../platform/db/tx-result.js";
import type { IdempotencyKey } from "../../platform/idempotency.js";
import type { SagaContext, SagaDefinition } from "../../platform/saga/engine.js";
import { type AccountRef, transferStep } from "../banking/api.js";
import { postAndAnnounce, postOrThrow } from "./announce.js";
import type { MoneyDeps, SagaDeps } from "./deps.js";
import { accounts, openWallet, shardOf } from "./ledger.js";
import { bankEnds, finishMove, type MoveCommand, recordMove } from "./moves.js";

/** A withdrawal (출금): money leaves the member's balance into transit first, then the bank pays it out. */
export interface WithdrawData {
  readonly withdrawalId: string;
  readonly membershipId: string;
  readonly amount: number;
  readonly requestId: string;
  readonly bankAccountId: string;
  readonly from: AccountRef;
  readonly to: AccountRef;
  readonly idempotency: IdempotencyKey | null;
  readonly firmbankingId?: string;
}

const krw = (account: string, side: "D" | "C", amount: number) => ({
  account,
  side,
  amount,
  currency: "KRW" as const,
});

export function withdrawSaga(deps: SagaDeps): SagaDefinition<WithdrawData> {
  return {
    type: "withdraw",
    steps: [
      {
        // Done in the request's transaction: the won moved into transit, so they cannot be spent twice.
        name: "hold",
        action: async () => ({ kind: "next" }),
        compensate: async () => ({ kind: "done", effect: refund }),
      },
      {
        name: "payout",
        action: (data, ctx) =>
          transferStep(deps, ctx, data, {
            purpose: "WITHDRAW",
            reference: data.withdrawalId,
            onSucceeded: settle,
          }),
      },
    ],
    onCompleted: (tx, data) => finish(tx, data, "SUCCEEDED", null),
    onCompensated: (tx, data, reason) => finish(tx, data, "FAILED", reason),
    // Staff retry a STUCK one: the bank may know by now, so banking asks it again.
    onRetry: async (data) => void (await deps.banking.recheck(data.requestId)),
  };
}

/**
 * The won in transit leave it: to the corporate account's payout when the bank paid (PAYOUT), or back
 * to the member when it refused (WITHDRAW_REFUND; room under the cap was kept for them).
 */
function releaseTransit(kind: "PAYOUT" | "WITHDRAW_REFUND", to: (data: WithdrawData) => string) {
  return async (tx: Queryable, data: WithdrawData, ctx: SagaContext) => {
    // The room kept for the refund is given back in the same posting (one lock order).
    const room = { account: accounts.memberMoney(data.membershipId), amount: data.amount };
    await postOrThrow(
      tx,
      {
        id: `${data.withdrawalId}:${kind === "PAYOUT" ? "payout" : "refund"}`,
        kind,
        reference: data.withdrawalId,
        postings: [
          krw(shardOf(accounts.moneyInTransit, data.withdrawalId), "D", data.amount),
          krw(to(data), "C", data.amount),
        ],
      },
      { release: [room] },
      { correlationId: ctx.correlationId, causationId: data.withdrawalId },
    );
  };
}
const settle = releaseTransit("PAYOUT", (data) => shardOf(accounts.corporateCash, data.withdrawalId));
const refund = releaseTransit("WITHDRAW_REFUND", (data) => accounts.memberMoney(data.membershipId));

const finish = (tx: Queryable, data: WithdrawData, status: "SUCCEEDED" | "FAILED", reason: string | null) =>
  finishMove(tx, "withdrawal", { ...data, id: data.withdrawalId }, status, reason);

export type WithdrawCommand = MoveCommand;

/** Moves the amount into transit and records the withdrawal and its saga, in one transaction. */
export async function startWithdrawal(deps: MoneyDeps, cmd: WithdrawCommand): Promise<Result<string>> {
  const ends = await bankEnds(deps, cmd);
  if (!ends.ok) return ends;
  const withdrawalId = newId("withdrawal");
  const data: WithdrawData = {
    withdrawalId,
    membershipId: cmd.membershipId,
    amount: cmd.amount,
    requestId: withdrawalId,
    bankAccountId: ends.value.bankAccountId,
    from: ends.value.corporate,
    to: ends.value.member,
    idempotency: cmd.idempotency,
  };
  return txResult(deps.db, async (tx) => {
    await openWallet(tx, cmd.membershipId);
    const member = accounts.memberMoney(cmd.membershipId);
    const held = await postAndAnnounce(
      tx,
      {
        id: `${withdrawalId}:hold`,
        kind: "WITHDRAW",
        reference: withdrawalId,
        postings: [
          krw(member, "D", cmd.amount),
          krw(shardOf(accounts.moneyInTransit, withdrawalId), "C", cmd.amount),
        ],
      },
      // Keeps room under the cap for a refund, should the bank refuse the payout (no cap check).
      { reserve: [{ account: member, amount: cmd.amount }] },
      { correlationId: cmd.correlationId, causationId: withdrawalId },
    );
    if (!held.ok) return held;
    await recordMove(
      tx,
      deps,
      "withdrawal",
      { id: withdrawalId, bankAccountId: data.bankAccountId, data },
      cmd,
    );
    return ok(withdrawalId);
  });
}
