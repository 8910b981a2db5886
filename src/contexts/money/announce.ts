import type { Result } from "../../kernel/errors.js";
import type { Queryable } from "../../platform/db/db.js";
import { type EventContext, recordEvents } from "../../platform/outbox.js";
import { type MoneyBalanceChanged, moneyEvents } from "./api.js";
import { moneySchema } from "./deps.js";
import { type LedgerTransaction, type Posted, type PostOptions, post } from "./ledger.js";

const memberMoneyPrefix = "member_money:";

/**
 * Posts a ledger transaction and, in the same database transaction, announces every change of a
 * member's money (MoneyBalanceChanged) for read models. A replayed posting announces nothing again.
 */
export async function postAndAnnounce(
  tx: Queryable,
  txn: LedgerTransaction,
  options: PostOptions,
  context: EventContext,
): Promise<Result<Posted>> {
  const result = await post(tx, txn, options);
  if (!result.ok || result.value.replayed) return result;
  const events = result.value.entries
    .filter((e) => e.account.startsWith(memberMoneyPrefix))
    .map((e) => {
      const data: MoneyBalanceChanged = {
        membershipId: e.account.slice(memberMoneyPrefix.length),
        balance: e.balanceAfter,
        change: e.side === "C" ? e.amount : -e.amount,
        kind: txn.kind,
        reference: txn.reference,
        entryId: e.entryId,
        version: e.seq,
      };
      return { type: moneyEvents.MoneyBalanceChanged, data };
    });
  await recordEvents(tx, moneySchema, events, context);
  return result;
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
