import { coalesceCalls } from "../../platform/coalesce.js";
import type { Queryable } from "../../platform/db/db.js";
import { accounts } from "./chart.js";
import type { MemberMoney } from "./ledger-queries.js";

/**
 * Members' money read for GET /v1/money/me. Reads that arrive together share one statement by
 * primary key (a round trip is the cost, not the rows). A lone read waits for no timer, only for
 * the end of the event loop's turn, so that the requests that came in on the same turn join it
 * (PGlite runs a statement without yielding, so no request can arrive during one); a read that
 * arrives while a statement runs (PostgreSQL) goes into the next. So every answer comes from a
 * statement begun after its request came in, and shows every change committed before: coalesced,
 * never cached.
 */
export interface MoneyReader {
  /** The member's money and points; undefined when the member has no wallet. */
  read(membershipId: string): Promise<MemberMoney | undefined>;
}

// Bounds the statement's array; the rest wait for the next statement.
const maxReadsPerStatement = 500;

type AccountRow = { id: string; balance: number; updated_at: Date };

async function readAccounts(db: Queryable, membershipIds: readonly string[]) {
  const ids = membershipIds.flatMap((m) => [accounts.memberMoney(m), accounts.memberPoints(m)]);
  const rows = await db.query<AccountRow>(
    "SELECT id, balance, updated_at FROM money.accounts WHERE id = ANY ($1::text[])",
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** As memberMoney: no money account, no wallet; no points account yet, 0 points. */
function moneyOf(byId: Map<string, AccountRow>, membershipId: string): MemberMoney | undefined {
  const money = byId.get(accounts.memberMoney(membershipId));
  if (!money) return undefined;
  const points = byId.get(accounts.memberPoints(membershipId));
  const updatedAt = Math.max(
    new Date(money.updated_at).getTime(),
    new Date(points?.updated_at ?? 0).getTime(),
  );
  return { balance: money.balance, points: points?.balance ?? 0, updatedAt: new Date(updatedAt) };
}

export function createMoneyReader(db: Queryable): MoneyReader {
  const read = coalesceCalls(async (membershipIds: string[]) => {
    const byId = await readAccounts(db, [...new Set(membershipIds)]);
    return membershipIds.map((m) => moneyOf(byId, m));
  }, maxReadsPerStatement);
  return { read };
}
