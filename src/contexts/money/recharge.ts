import { fail, ok, type Result } from "../../kernel/errors.js";
import { newId } from "../../kernel/ids.js";
import type { Queryable } from "../../platform/db/db.js";
import { txResult } from "../../platform/db/tx-result.js";
import type { IdempotencyKey } from "../../platform/idempotency.js";
import type { SagaContext, SagaDefinition, StepOutcome } from "../../platform/saga/engine.js";
import { traceHeaders } from "../../platform/tracing.js";
import { type AccountRef, transferStep } from "../banking/api.js";
import type { MoneyDeps, SagaDeps } from "./deps.js";
import { rechargeUnit } from "./domain.js";
import type { GroupCommit } from "./group-commit.js";
import {
  accounts,
  type LedgerTransaction,
  openWallet,
  type PostOptions,
  releaseIncoming,
  reserveIncoming,
  shardOf,
} from "./ledger.js";
import { bankEnds, finishMove, type MoveCommand, recordMove } from "./moves.js";

/** A recharge (충전): won from the member's linked account into the corporate account, then into money. */
export interface RechargeData {
  readonly rechargeId: string;
  readonly membershipId: string;
  readonly amount: number;
  /** The firmbanking request id, stored before the bank is called. */
  readonly requestId: string;
  readonly bankAccountId: string;
  readonly from: AccountRef;
  readonly to: AccountRef;
  readonly auto: boolean;
  /** The business id an auto-recharge serves (rem_…, pay_…). */
  readonly cause?: string;
  readonly idempotency: IdempotencyKey | null;
  readonly firmbankingId?: string;
}

export function rechargeSaga(deps: SagaDeps & Pick<MoneyDeps, "group">): SagaDefinition<RechargeData> {
  return {
    type: "recharge",
    steps: [
      {
        // Done in the request's transaction: the cap is reserved for the won on their way in.
        name: "reserve",
        action: async () => ({ kind: "next" }),
        compensate: async () => ({
          kind: "done",
          effect: (tx, data) => releaseIncoming(tx, data.membershipId, data.amount),
        }),
      },
      {
        name: "collect",
        async action(data, ctx): Promise<StepOutcome<RechargeData>> {
          const outcome = await transferStep(deps, ctx, data, {
            purpose: "RECHARGE",
            reference: data.rechargeId,
          });
          if (outcome.kind !== "next") return outcome;
          // The credit goes to group commit with the postings that arrive with it; the step commits
          // in that batch's transaction, so it is credited exactly when the saga moves on.
          const collected = outcome.data ?? data;
          return {
            kind: "next",
            data: collected,
            commitVia: (commit) => creditTogether(deps.group, collected, ctx, commit),
          };
        },
      },
    ],
    onCompleted: (tx, data) => finish(tx, data, "SUCCEEDED", null),
    onCompensated: (tx, data, reason) => finish(tx, data, "FAILED", reason),
    // Staff retry a STUCK one: the bank may know by now, so banking asks it again.
    onRetry: async (data) => void (await deps.banking.recheck(data.requestId)),
  };
}

/**
 * The bank moved the won: they are credited and their reservation taken back, in one posting, with no
 * cap check. The cap was decided when they were reserved; a cap lowered since must not strand won the
 * member's bank already paid.
 */
function creditPosting(data: RechargeData): { txn: LedgerTransaction; options: PostOptions } {
  const member = accounts.memberMoney(data.membershipId);
  return {
    txn: {
      id: `${data.rechargeId}:credit`,
      kind: "RECHARGE",
      reference: data.rechargeId,
      postings: [
        {
          account: shardOf(accounts.corporateCash, data.rechargeId),
          side: "D",
          amount: data.amount,
          currency: "KRW",
        },
        { account: member, side: "C", amount: data.amount, currency: "KRW" },
      ],
    },
    options: { release: [{ account: member, amount: data.amount }] },
  };
}

/** The credit through group commit, the step's commit in the same transaction (after the posting). */
async function creditTogether(
  group: GroupCommit,
  data: RechargeData,
  ctx: SagaContext,
  commit: (tx: Queryable) => Promise<void>,
): Promise<void> {
  const { txn, options } = creditPosting(data);
  const result = await group.submit({
    item: { transactions: [txn], options },
    context: {
      correlationId: ctx.correlationId,
      causationId: data.rechargeId,
      traceparent: traceHeaders().traceparent,
    },
    finish: (tx) => commit(tx),
    answer: () => undefined,
  });
  // A refused credit is a bug (the won are at the bank, the account was reserved for them): the
  // step backs off and, out of attempts, is STUCK for staff, as when posted alone.
  if (!result.ok) throw new Error(`ledger refused RECHARGE ${txn.id}: ${result.error.detail}`);
}

const finish = (tx: Queryable, data: RechargeData, status: "SUCCEEDED" | "FAILED", reason: string | null) =>
  finishMove(tx, "recharge", { ...data, id: data.rechargeId }, status, reason);

export interface RechargeCommand extends MoveCommand {
  /** A recharge a payment or remittance triggers itself: any amount, not only 10,000-won units. */
  readonly auto: boolean;
  /** The payment or remittance an auto-recharge serves: at most one recharge per cause. */
  readonly cause?: string;
}

/** Checks the request, reserves room under the cap and records the recharge and its saga, in one transaction. */
export async function startRecharge(deps: MoneyDeps, cmd: RechargeCommand): Promise<Result<string>> {
  if (!cmd.auto && cmd.amount % rechargeUnit !== 0) {
    return fail(
      "INVALID_AMOUNT_UNIT",
      `a recharge is a multiple of ${rechargeUnit.toLocaleString("en")} won`,
    );
  }
  const ends = await bankEnds(deps, cmd);
  if (!ends.ok) return ends;
  const rechargeId = newId("recharge");
  const data: RechargeData = {
    rechargeId,
    membershipId: cmd.membershipId,
    amount: cmd.amount,
    requestId: rechargeId,
    bankAccountId: ends.value.bankAccountId,
    from: ends.value.member,
    to: ends.value.corporate,
    auto: cmd.auto,
    ...(cmd.cause === undefined ? {} : { cause: cmd.cause }),
    idempotency: cmd.idempotency,
  };
  return txResult(deps.db, async (tx) => {
    // The cap is decided here, once: the credit of these won will not check it again.
    const reserved = await reserveRoom(tx, cmd.membershipId, cmd.amount, deps.config.balanceCap);
    if (!reserved.ok) return reserved;
    await recordMove(
      tx,
      deps,
      "recharge",
      { id: rechargeId, bankAccountId: data.bankAccountId, auto: cmd.auto, cause: cmd.cause, data },
      cmd,
    );
    return ok(rechargeId);
  });
}

/** Reserves room under the cap, opening the wallet only the first time (one statement when it is open). */
async function reserveRoom(tx: Queryable, membershipId: string, amount: number, cap: number) {
  const reserved = await reserveIncoming(tx, membershipId, amount, cap);
  if (reserved.ok || reserved.error.code !== "NOT_FOUND") return reserved;
  await openWallet(tx, membershipId);
  return reserveIncoming(tx, membershipId, amount, cap);
}
