import { fail, ok, type Result } from "../../kernel/errors.js";
import { newId } from "../../kernel/ids.js";
import type { Queryable } from "../../platform/db/db.js";
import { txResult } from "../../platform/db/tx-result.js";
import { completeKey, type IdempotencyKey } from "../../platform/idempotency.js";
import { recordEvents } from "../../platform/outbox.js";
import type { SagaContext, SagaDefinition, StepOutcome } from "../../platform/saga/engine.js";
import type { AccountRef } from "../banking/api.js";
import { postOrThrow } from "./announce.js";
import { moneyEvents, type RechargeCompleted } from "./api.js";
import { type MoneyDeps, moneySchema, type SagaDeps } from "./deps.js";
import { accounts, openWallet, releaseIncoming, reserveIncoming } from "./ledger.js";
import { transferStep } from "./transfer-step.js";

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
  readonly idempotency: IdempotencyKey | null;
  readonly firmbankingId?: string;
}

export const rechargeUnit = 10_000;

export function rechargeSaga(deps: SagaDeps): SagaDefinition<RechargeData> {
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
        action: (data, ctx): Promise<StepOutcome<RechargeData>> =>
          transferStep(deps, ctx, data, {
            purpose: "RECHARGE",
            reference: data.rechargeId,
            onSucceeded: (tx, d, c) => credit(tx, d, c, deps.config.balanceCap),
          }),
      },
    ],
    onCompleted: (tx, data) => finish(tx, data, "SUCCEEDED", null),
    onCompensated: (tx, data, reason) => finish(tx, data, "FAILED", reason),
  };
}

async function credit(tx: Queryable, data: RechargeData, ctx: SagaContext, cap: number) {
  await releaseIncoming(tx, data.membershipId, data.amount);
  await postOrThrow(
    tx,
    {
      id: `${data.rechargeId}:credit`,
      kind: "RECHARGE",
      reference: data.rechargeId,
      postings: [
        { account: accounts.corporateCash, side: "D", amount: data.amount, currency: "KRW" },
        { account: accounts.memberMoney(data.membershipId), side: "C", amount: data.amount, currency: "KRW" },
      ],
    },
    { cap },
    { correlationId: ctx.correlationId, causationId: data.rechargeId },
  );
}

async function finish(
  tx: Queryable,
  data: RechargeData,
  status: "SUCCEEDED" | "FAILED",
  reason: string | null,
) {
  await tx.query(
    `UPDATE money.recharges SET status = $2, failure_reason = $3, firmbanking_id = $4, completed_at = now()
     WHERE id = $1 AND status = 'PENDING'`,
    [data.rechargeId, status, reason, data.firmbankingId ?? null],
  );
  const completed: RechargeCompleted = {
    rechargeId: data.rechargeId,
    membershipId: data.membershipId,
    amount: data.amount,
    status,
    auto: data.auto,
  };
  await recordEvents(tx, moneySchema, [{ type: moneyEvents.RechargeCompleted, data: completed }], {
    correlationId: data.rechargeId,
    causationId: data.rechargeId,
  });
  if (data.idempotency)
    await completeKey(tx, moneySchema, data.idempotency, 201, await rechargeBody(tx, data.rechargeId));
}

export interface RechargeBody {
  rechargeId: string;
  amount: number;
  status: "PENDING" | "SUCCEEDED" | "FAILED";
  balance: number;
}

/** The recharge as the API shows it, with the member's balance now. */
export async function rechargeBody(q: Queryable, rechargeId: string): Promise<RechargeBody> {
  const [row] = await q.query<{ amount: number; status: RechargeBody["status"]; balance: number | null }>(
    `SELECT r.amount, r.status, a.balance FROM money.recharges r
     LEFT JOIN money.accounts a ON a.id = 'member_money:' || r.membership_id WHERE r.id = $1`,
    [rechargeId],
  );
  if (!row) throw new Error(`no recharge ${rechargeId}`);
  return { rechargeId, amount: row.amount, status: row.status, balance: row.balance ?? 0 };
}

export interface RechargeCommand {
  readonly membershipId: string;
  readonly amount: number;
  readonly bankAccountId?: string;
  readonly idempotency: IdempotencyKey | null;
  readonly auto: boolean;
  readonly correlationId: string;
}

/** Checks the request, reserves room under the cap and records the recharge and its saga, in one transaction. */
export async function startRecharge(deps: MoneyDeps, cmd: RechargeCommand): Promise<Result<string>> {
  if (!cmd.auto && cmd.amount % rechargeUnit !== 0) {
    return fail(
      "INVALID_AMOUNT_UNIT",
      `a recharge is a multiple of ${rechargeUnit.toLocaleString("en")} won`,
    );
  }
  if (!deps.banking.available())
    return fail("BANK_UNAVAILABLE", "the bank cannot be reached now; nothing was moved");
  const linked = await deps.banking.linkedAccount(cmd.membershipId, cmd.bankAccountId);
  if (!linked.ok) return linked;
  const corporate = await deps.banking.corporateAccount();
  const rechargeId = newId("recharge");
  const data: RechargeData = {
    rechargeId,
    membershipId: cmd.membershipId,
    amount: cmd.amount,
    requestId: rechargeId,
    bankAccountId: linked.value.bankAccountId,
    from: { bankCode: linked.value.bankCode, accountNumber: linked.value.accountNumber },
    to: corporate,
    auto: cmd.auto,
    idempotency: cmd.idempotency,
  };
  return txResult(deps.db, async (tx) => {
    await openWallet(tx, cmd.membershipId);
    const reserved = await reserveIncoming(tx, cmd.membershipId, cmd.amount, deps.config.balanceCap);
    if (!reserved.ok)
      return reserved.error.code === "CONFLICT" ? fail("CONFLICT", "the wallet is closed") : reserved;
    await tx.query(
      `INSERT INTO money.recharges (id, membership_id, amount, status, bank_account_id, request_id, auto, idempotency_key)
       VALUES ($1, $2, $3, 'PENDING', $4, $5, $6, $7)`,
      [
        rechargeId,
        cmd.membershipId,
        cmd.amount,
        data.bankAccountId,
        data.requestId,
        cmd.auto,
        cmd.idempotency?.key ?? null,
      ],
    );
    await deps.engine.start(tx, { id: rechargeId, type: "recharge", data, correlationId: cmd.correlationId });
    return ok(rechargeId);
  });
}

/** The recharge an earlier attempt with this idempotency key created (it died before answering). */
export async function rechargeByKey(
  q: Queryable,
  membershipId: string,
  key: string,
): Promise<string | undefined> {
  const [row] = await q.query<{ id: string }>(
    "SELECT id FROM money.recharges WHERE membership_id = $1 AND idempotency_key = $2",
    [membershipId, key],
  );
  return row?.id;
}
