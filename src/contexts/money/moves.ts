import { fail, ok, type Result } from "../../kernel/errors.js";
import type { Queryable } from "../../platform/db/db.js";
import { completeKey, type IdempotencyKey } from "../../platform/idempotency.js";
import { recordEvents } from "../../platform/outbox.js";
import type { AccountRef } from "../banking/api.js";
import { moneyEvents } from "./api.js";
import { type MoneyDeps, moneySchema } from "./deps.js";

/** What recharges and withdrawals share: how they start, their row, their answer, and how they finish. */

const moves = {
  recharge: {
    table: "money.recharges",
    idField: "rechargeId",
    saga: "recharge",
    event: moneyEvents.RechargeCompleted,
    /** Its ledger transactions (`<id>:<step>`) that move the member's money. */
    ledgerSteps: ["credit"],
  },
  withdrawal: {
    table: "money.withdrawals",
    idField: "withdrawalId",
    saga: "withdraw",
    event: moneyEvents.WithdrawalCompleted,
    ledgerSteps: ["hold", "refund"],
  },
} as const;
export type MoveKind = keyof typeof moves;
export type MoveStatus = "PENDING" | "SUCCEEDED" | "FAILED";

export interface FinishedMove {
  readonly id: string;
  readonly membershipId: string;
  readonly amount: number;
  readonly firmbankingId?: string | undefined;
  readonly idempotency: IdempotencyKey | null;
  readonly auto?: boolean;
  readonly cause?: string | undefined;
}

/**
 * The move as the API shows it, in the POST's answer and its GET alike: `{rechargeId|withdrawalId,
 * amount, status, balance}`, balance being the member's right after the move (null while PENDING).
 */
export async function moveBody(q: Queryable, kind: MoveKind, id: string) {
  const [row] = await q.query<{ amount: number; status: MoveStatus; balance_after: number | null }>(
    `SELECT amount, status, balance_after FROM ${moves[kind].table} WHERE id = $1`,
    [id],
  );
  if (!row) throw new Error(`no ${kind} ${id}`);
  return { [moves[kind].idField]: id, amount: row.amount, status: row.status, balance: row.balance_after };
}

/**
 * The saga's last transaction: the final status, the event saying so, and (when a client is waiting
 * on an idempotency key) the answer every retry will get.
 */
export async function finishMove(
  tx: Queryable,
  kind: MoveKind,
  move: FinishedMove,
  status: "SUCCEEDED" | "FAILED",
  reason: string | null,
) {
  const { table, idField, event, ledgerSteps } = moves[kind];
  // The balance right after the move, kept: what the member sees later must not drift with new moves.
  await tx.query(
    `UPDATE ${table} SET status = $2, failure_reason = $3, firmbanking_id = $4, completed_at = now(),
       balance_after = money.move_balance_after(membership_id, $5::text[], NULL)
     WHERE id = $1 AND status = 'PENDING'`,
    [move.id, status, reason, move.firmbankingId ?? null, ledgerSteps.map((s) => `${move.id}:${s}`)],
  );
  const data = {
    [idField]: move.id,
    membershipId: move.membershipId,
    amount: move.amount,
    status,
    ...(move.auto === undefined ? {} : { auto: move.auto }),
    ...(move.cause === undefined ? {} : { cause: move.cause }),
  };
  await recordEvents(tx, moneySchema, [{ type: event, data }], {
    correlationId: move.id,
    causationId: move.id,
  });
  if (move.idempotency)
    await completeKey(tx, moneySchema, move.idempotency, 201, await moveBody(tx, kind, move.id));
}

/** The move an earlier attempt with this idempotency key created (it died before answering). */
export async function moveByKey(q: Queryable, kind: MoveKind, membershipId: string, key: string) {
  const [row] = await q.query<{ id: string }>(
    `SELECT id FROM ${moves[kind].table} WHERE membership_id = $1 AND idempotency_key = $2`,
    [membershipId, key],
  );
  return row?.id;
}

/** Who a move belongs to, for the ownership check of GET by id. */
export async function moveOwner(q: Queryable, kind: MoveKind, id: string) {
  const [row] = await q.query<{ membership_id: string }>(
    `SELECT membership_id FROM ${moves[kind].table} WHERE id = $1`,
    [id],
  );
  return row?.membership_id;
}

export interface MoveCommand {
  readonly membershipId: string;
  readonly amount: number;
  /** A linked account; the newest one when absent. */
  readonly bankAccountId?: string;
  readonly idempotency: IdempotencyKey | null;
  readonly correlationId: string;
}

export interface BankEnds {
  readonly bankAccountId: string;
  /** The member's linked account. */
  readonly member: AccountRef;
  readonly corporate: AccountRef;
}

/** Both ends of the transfer at the bank; fails fast (and moves nothing) while the bank is unreachable. */
export async function bankEnds(deps: MoneyDeps, cmd: MoveCommand): Promise<Result<BankEnds>> {
  if (!deps.banking.available())
    return fail("BANK_UNAVAILABLE", "the bank cannot be reached now; nothing was moved");
  const linked = await deps.banking.linkedAccount(cmd.membershipId, cmd.bankAccountId);
  if (!linked.ok) return linked;
  const { bankAccountId, bankCode, accountNumber } = linked.value;
  return ok({
    bankAccountId,
    member: { bankCode, accountNumber },
    corporate: await deps.banking.corporateAccount(),
  });
}

/**
 * The move's row and its saga, in the caller's transaction. The saga is reserved for this request,
 * which drives it and answers with its outcome; the worker is the fallback if the process dies.
 */
export async function recordMove<D>(
  tx: Queryable,
  deps: MoneyDeps,
  kind: MoveKind,
  move: {
    readonly id: string;
    readonly bankAccountId: string;
    /** Recharges only: whether a payment or remittance triggered it, and which one (its cause). */
    readonly auto?: boolean;
    readonly cause?: string | undefined;
    readonly data: D;
  },
  cmd: MoveCommand,
): Promise<void> {
  const extra =
    move.auto === undefined ? [] : [["auto", move.auto] as const, ["cause", move.cause ?? null] as const];
  const columns = extra.map(([c]) => `, ${c}`).join("");
  const params = extra.map((_, i) => `, $${6 + i}`).join("");
  await tx.query(
    `INSERT INTO ${moves[kind].table} (id, membership_id, amount, status, bank_account_id, request_id, idempotency_key${columns})
     VALUES ($1, $2, $3, 'PENDING', $4, $1, $5${params})`,
    [
      move.id,
      cmd.membershipId,
      cmd.amount,
      move.bankAccountId,
      cmd.idempotency?.key ?? null,
      ...extra.map(([, v]) => v),
    ],
  );
  await deps.engine.start(
    tx,
    { id: move.id, type: moves[kind].saga, data: move.data, correlationId: cmd.correlationId },
    { reserve: true },
  );
}
