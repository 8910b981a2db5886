import type { Result } from "../../kernel/errors.js";
import type { Queryable } from "../../platform/db/db.js";
import { type EventContext, type NewEvent, recordEvents } from "../../platform/outbox.js";
import { type MoneyBalanceChanged, moneyEvents, type PointsBalanceChanged } from "./api.js";
import { moneySchema } from "./deps.js";
import { type LedgerTransaction, type Posted, type PostOptions, post } from "./ledger.js";

const announced = {
  "member_money:": moneyEvents.MoneyBalanceChanged,
  "member_points:": moneyEvents.PointsBalanceChanged,
} as const;

/**
 * Posts a ledger transaction and, in the same database transaction, announces every change of a
 * member's money (MoneyBalanceChanged) or points (PointsBalanceChanged) for read models. A replayed
 * posting announces nothing again.
 */
export async function postAndAnnounce(
  tx: Queryable,
  txn: LedgerTransaction,
  options: PostOptions,
  context: EventContext,
): Promise<Result<Posted>> {
  const result = await post(tx, txn, options);
  if (!result.ok || result.value.replayed) return result;
  await recordEvents(tx, moneySchema, balanceEvents(txn, result.value), context);
  return result;
}

/** The MoneyBalanceChanged and PointsBalanceChanged events of a posting (none for a replay). */
export function balanceEvents(txn: LedgerTransaction, posted: Posted): NewEvent[] {
  if (posted.replayed) return [];
  return posted.entries.flatMap((e) => {
    const prefix = (Object.keys(announced) as (keyof typeof announced)[]).find((p) =>
      e.account.startsWith(p),
    );
    if (!prefix) return [];
    const membershipId = e.account.slice(prefix.length);
    const change = e.side === "C" ? e.amount : -e.amount;
    const common = {
      membershipId,
      change,
      kind: txn.kind,
      reference: txn.reference,
      entryId: e.entryId,
      version: e.seq,
    };
    const data: MoneyBalanceChanged | PointsBalanceChanged =
      prefix === "member_money:"
        ? { ...common, balance: e.balanceAfter }
        : { ...common, points: e.balanceAfter };
    return [{ type: announced[prefix], data }];
  });
}

/** Posts a transaction that must not be refused (the bank already moved the won); a refusal is a bug. */
export async function postOrThrow(
  tx: Queryable,
  txn: LedgerTransaction,
  options: PostOptions,
  context: EventContext,
) {
  const result = await postAndAnnounce(tx, txn, options, context);
  if (!result.ok) throw new Error(`ledger refused ${txn.kind} ${txn.id}: ${result.error.detail}`);
  return result.value;
}
