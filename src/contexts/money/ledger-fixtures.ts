import { newId } from "../../kernel/ids.js";
import type { Db, Queryable } from "../../platform/db/db.js";
import { migrate, platformMigrationsDir } from "../../platform/db/migrate.js";
import { openTestDb } from "../../testing/db.js";
import {
  accounts,
  ensureSystemAccounts,
  type LedgerKind,
  moneyMigrationsDir,
  openWallet,
  type Posting,
  type PostOptions,
  post,
} from "./ledger.js";

/** Shared by the ledger's tests and benchmark: a migrated money schema and a few ledger moves. */
export async function openLedgerDb(): Promise<Db> {
  const db = await openTestDb();
  await migrateLedger(db);
  return db;
}

export async function migrateLedger(db: Db): Promise<void> {
  await migrate(db, { schema: "money", dirs: [platformMigrationsDir, moneyMigrationsDir] });
  await ensureSystemAccounts(db);
}

export const krw = (account: string, side: "D" | "C", amount: number): Posting => ({
  account,
  side,
  amount,
  currency: "KRW",
});

export async function newMember(q: Queryable): Promise<string> {
  const id = newId("membership");
  await openWallet(q, id);
  return id;
}

const move = (q: Queryable, kind: LedgerKind, postings: Posting[], options?: PostOptions, id?: string) =>
  post(
    q,
    { id: id ?? newId("ledgerTransaction"), kind, reference: `test_${kind.toLowerCase()}`, postings },
    options,
  );

/** Corporate cash in, member money up: what a successful recharge posts. */
export const recharge = (q: Queryable, member: string, amount: number, options?: PostOptions) =>
  move(
    q,
    "RECHARGE",
    [krw(accounts.corporateCash, "D", amount), krw(accounts.memberMoney(member), "C", amount)],
    options,
  );

/** Member to member. */
export const transfer = (
  q: Queryable,
  from: string,
  to: string,
  amount: number,
  options?: PostOptions,
  id?: string,
) =>
  move(
    q,
    "REMITTANCE",
    [krw(accounts.memberMoney(from), "D", amount), krw(accounts.memberMoney(to), "C", amount)],
    options,
    id,
  );

/** Member money into transit, as a withdraw does before the bank pays out. */
export const withdrawStart = (q: Queryable, member: string, amount: number, options?: PostOptions) =>
  move(
    q,
    "WITHDRAW",
    [krw(accounts.memberMoney(member), "D", amount), krw(accounts.moneyInTransit, "C", amount)],
    options,
  );

/** The reservation of `amount` won on a member's money, for PostOptions' reserve and release. */
export const reservation = (member: string, amount: number) => [
  { account: accounts.memberMoney(member), amount },
];

/** Transactions whose debits and credits differ in some currency: must be none, ever. */
export async function unbalancedTransactions(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ transaction_id: string }>(
    `SELECT transaction_id FROM money.ledger_entries GROUP BY transaction_id, currency
     HAVING sum(CASE side WHEN 'D' THEN amount ELSE -amount END) <> 0`,
  );
  return rows.map((r) => r.transaction_id);
}

/**
 * Accounts whose entries do not chain: each entry's balance_after must be the one before it plus its
 * own amount, and the last one the account's balance. Must be none, ever.
 */
export async function accountsOffTheirEntries(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `SELECT DISTINCT x.account_id AS id FROM (
       SELECT e.account_id, e.balance_after, a.balance,
              e.balance_after - coalesce(lag(e.balance_after) OVER w, 0) AS step,
              CASE WHEN e.side = a.normal_side THEN e.amount ELSE -e.amount END AS signed,
              row_number() OVER (PARTITION BY e.account_id ORDER BY e.seq DESC) AS from_last
       FROM money.ledger_entries e JOIN money.accounts a ON a.id = e.account_id
       WINDOW w AS (PARTITION BY e.account_id ORDER BY e.seq)) AS x
     WHERE x.step <> x.signed OR (x.from_last = 1 AND x.balance_after <> x.balance)
     UNION
     SELECT a.id FROM money.accounts a
     WHERE a.balance <> 0 AND NOT EXISTS (SELECT 1 FROM money.ledger_entries e WHERE e.account_id = a.id)`,
  );
  return rows.map((r) => r.id);
}

/** A model of some members' money, for property tests. */
export interface Wallets {
  readonly ids: string[];
  readonly money: number[];
  readonly reserved: number[];
}

export const fits = (w: Wallets, m: number, add: number, cap: number) =>
  w.money[m]! + w.reserved[m]! + add <= cap;

/** The refusal the ledger must give a member-to-member transfer ("OK" for none): accounts in id order. */
export function transferOutcome(w: Wallets, from: number, to: number, amount: number, cap: number): string {
  if (from === to) return "OK";
  const checks = [
    {
      id: accounts.memberMoney(w.ids[from]!),
      refused: w.money[from]! < amount ? "INSUFFICIENT_BALANCE" : "",
    },
    {
      id: accounts.memberMoney(w.ids[to]!),
      refused: fits(w, to, amount, cap) ? "" : "BALANCE_LIMIT_EXCEEDED",
    },
  ].sort((x, y) => (x.id < y.id ? -1 : 1));
  return checks.find((c) => c.refused)?.refused ?? "OK";
}
