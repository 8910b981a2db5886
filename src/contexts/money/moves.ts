import type { Queryable } from "../../platform/db/db.js";
import { completeKey, type IdempotencyKey } from "../../platform/idempotency.js";
import { recordEvents } from "../../platform/outbox.js";
import { moneyEvents } from "./api.js";
import { moneySchema } from "./deps.js";

/** What recharges and withdrawals share: their row, their answer, and how they finish. */

const moves = {
  recharge: { table: "money.recharges", idField: "rechargeId", event: moneyEvents.RechargeCompleted },
  withdrawal: { table: "money.withdrawals", idField: "withdrawalId", event: moneyEvents.WithdrawalCompleted },
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
}

/** The move as the API shows it, with the member's balance now: `{rechargeId|withdrawalId, amount, status, balance}`. */
export async function moveBody(q: Queryable, kind: MoveKind, id: string) {
  const [row] = await q.query<{ amount: number; status: MoveStatus; balance: number | null }>(
    `SELECT m.amount, m.status, a.balance FROM ${moves[kind].table} m
     LEFT JOIN money.accounts a ON a.id = 'member_money:' || m.membership_id WHERE m.id = $1`,
    [id],
  );
  if (!row) throw new Error(`no ${kind} ${id}`);
  return { [moves[kind].idField]: id, amount: row.amount, status: row.status, balance: row.balance ?? 0 };
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
  const { table, idField, event } = moves[kind];
  await tx.query(
    `UPDATE ${table} SET status = $2, failure_reason = $3, firmbanking_id = $4, completed_at = now()
     WHERE id = $1 AND status = 'PENDING'`,
    [move.id, status, reason, move.firmbankingId ?? null],
  );
  const data = {
    [idField]: move.id,
    membershipId: move.membershipId,
    amount: move.amount,
    status,
    ...(move.auto === undefined ? {} : { auto: move.auto }),
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
