import type { Queryable } from "../../platform/db/db.js";
import {
  accounts,
  type Currency,
  type HistoryKind,
  historyKindOf,
  type PointsHistoryKind,
  pointsKindOf,
} from "./chart.js";

export interface MemberMoney {
  readonly balance: number;
  readonly points: number;
  readonly updatedAt: Date;
}

/** A member's money and points; undefined when the member has no wallet. */
export async function memberMoney(db: Queryable, membershipId: string): Promise<MemberMoney | undefined> {
  const [row] = await db.query<{ balance: number; points: number | null; updated_at: Date }>(
    `SELECT m.balance, p.balance AS points, greatest(m.updated_at, p.updated_at) AS updated_at
     FROM money.accounts m LEFT JOIN money.accounts p ON p.id = $2 WHERE m.id = $1`,
    [accounts.memberMoney(membershipId), accounts.memberPoints(membershipId)],
  );
  return row && { balance: row.balance, points: row.points ?? 0, updatedAt: new Date(row.updated_at) };
}

/** One account's balance on its normal side; undefined for an account never opened. */
export async function accountBalance(db: Queryable, accountId: string): Promise<number | undefined> {
  const [row] = await db.query<{ balance: number }>("SELECT balance FROM money.accounts WHERE id = $1", [
    accountId,
  ]);
  return row?.balance;
}

/** What mypay owes its customers, in won: their money, franchises' payables and won in transit. */
export const customerFundKinds = ["member_money", "franchise_payable", "money_in_transit"] as const;

/** Corporate cash and the customer funds it must cover, in one read (reconciliation, safeguarding). */
export async function safeguarding(db: Queryable): Promise<{ corporateCash: number; customerFunds: number }> {
  const [row] = await db.query<{ cash: number; funds: number }>(
    `SELECT coalesce(sum(balance) FILTER (WHERE kind = 'corporate_cash'), 0)::bigint AS cash,
            coalesce(sum(balance) FILTER (WHERE kind = ANY ($1::text[])), 0)::bigint AS funds
     FROM money.accounts WHERE kind = 'corporate_cash' OR kind = ANY ($1::text[])`,
    [customerFundKinds],
  );
  return { corporateCash: row?.cash ?? 0, customerFunds: row?.funds ?? 0 };
}

export interface HistoryItem<K = HistoryKind> {
  readonly entryId: string;
  readonly kind: K;
  /** Signed: + into the member's money, − out of it. */
  readonly amount: number;
  readonly balanceAfter: number;
  readonly reference: string;
  readonly createdAt: Date;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** What a history cursor looks like, for the route's schema: anything else is a 400, not a 500. */
export const historyCursorPattern = "^[0-9]{1,15}$";

interface EntryRow {
  [column: string]: unknown;
  id: string;
  seq: number;
  side: "D" | "C";
  amount: number;
  balance_after: number;
  created_at: Date;
  kind: string;
  reference: string;
}

const wallets = {
  money: { account: accounts.memberMoney, kindOf: historyKindOf },
  points: { account: accounts.memberPoints, kindOf: pointsKindOf },
} as const;

/** A member's money entries, newest first; `cursor` is the nextCursor of the page before. */
export function history(
  db: Queryable,
  membershipId: string,
  page: HistoryPage = {},
): Promise<Page<HistoryItem>> {
  return walletHistory(db, "money", membershipId, page);
}

/** A member's points entries, newest first (GET /v1/points/me). */
export function pointsHistory(
  db: Queryable,
  membershipId: string,
  page: HistoryPage = {},
): Promise<Page<HistoryItem<PointsHistoryKind>>> {
  return walletHistory(db, "points", membershipId, page);
}

export interface HistoryPage {
  readonly limit?: number;
  readonly cursor?: string | null;
}

async function walletHistory<W extends keyof typeof wallets>(
  db: Queryable,
  wallet: W,
  membershipId: string,
  page: HistoryPage,
): Promise<Page<HistoryItem<ReturnType<(typeof wallets)[W]["kindOf"]>>>> {
  const limit = Math.min(Math.max(Math.trunc(page.limit ?? 20), 1), 100);
  if (page.cursor != null && !new RegExp(historyCursorPattern).test(page.cursor)) {
    throw new Error(`ledger: not a history cursor: ${page.cursor}`);
  }
  const rows = await db.query<EntryRow>(
    `SELECT e.id, e.seq, e.side, e.amount, e.balance_after, e.created_at, t.kind, t.reference
     FROM money.ledger_entries e JOIN money.ledger_transactions t ON t.id = e.transaction_id
     WHERE e.account_id = $1 AND ($2::bigint IS NULL OR e.seq < $2::bigint)
     ORDER BY e.seq DESC LIMIT $3`,
    [wallets[wallet].account(membershipId), page.cursor ?? null, limit + 1],
  );
  const items = rows.slice(0, limit).map((r) => {
    // member money and points are credit-normal: a credit adds to them
    const amount = r.side === "C" ? r.amount : -r.amount;
    return {
      entryId: r.id,
      kind: wallets[wallet].kindOf(r.kind, amount) as ReturnType<(typeof wallets)[W]["kindOf"]>,
      amount,
      balanceAfter: r.balance_after,
      reference: r.reference,
      createdAt: new Date(r.created_at),
    };
  });
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { items, nextCursor: last ? String(last.seq) : null };
}

export interface TrialBalanceLine {
  /** An account kind: every member's, franchise's or shard's account of it rolled up. */
  readonly account: string;
  readonly currency: Currency;
  /** The net balance in the debit or the credit column, as a trial balance shows it. */
  readonly debit: number;
  readonly credit: number;
  /** The balance on the account's normal side (summed over the rolled-up accounts). */
  readonly balance: number;
}

export interface TrialBalance {
  readonly accounts: readonly TrialBalanceLine[];
  /** Equal to totalCredit whenever every transaction balanced (each currency balances on its own). */
  readonly totalDebit: number;
  readonly totalCredit: number;
}

/** Every kind's balance: per-owner accounts and a system account's shards rolled up, so the list stays short. */
export async function trialBalance(db: Queryable): Promise<TrialBalance> {
  const rows = await db.query<{ account: string; currency: Currency; net_debit: number; balance: number }>(
    `SELECT kind AS account, currency, sum(debit_total - credit_total)::bigint AS net_debit,
            sum(balance)::bigint AS balance
     FROM money.accounts GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const lines = rows.map((r) => ({
    account: r.account,
    currency: r.currency,
    debit: Math.max(r.net_debit, 0),
    credit: Math.max(-r.net_debit, 0),
    balance: r.balance,
  }));
  return {
    accounts: lines,
    totalDebit: lines.reduce((sum, l) => sum + l.debit, 0),
    totalCredit: lines.reduce((sum, l) => sum + l.credit, 0),
  };
}
