import { fileURLToPath } from "node:url";
import { type ErrorCode, fail, ok, type Result } from "../../kernel/errors.js";
import type { Queryable } from "../../platform/db/db.js";
import {
  accountRow,
  accounts,
  type Currency,
  type LedgerKind,
  type Side,
  shardsOf,
  systemAccountKinds,
} from "./chart.js";

export * from "./chart.js";
export * from "./ledger-queries.js";

/** The money context's numbered .sql files (the ledger is 001). */
export const moneyMigrationsDir = fileURLToPath(new URL("./migrations", import.meta.url));

export interface Posting {
  readonly account: string;
  readonly side: Side;
  /** A positive safe integer (won or points). */
  readonly amount: number;
  readonly currency: Currency;
}

export interface LedgerTransaction {
  /** Chosen by the caller (newId("ledgerTransaction") or a saga step's stored id): a retry posts nothing twice. */
  readonly id: string;
  readonly kind: LedgerKind;
  /** The business id it serves (rch_…, rem_…, pay_…). */
  readonly reference: string;
  readonly postings: readonly Posting[];
}

export interface PostedEntry {
  readonly entryId: string;
  /** Posting order; per account also commit order (a reader keeps the newest by it). */
  readonly seq: number;
  readonly account: string;
  readonly side: Side;
  readonly amount: number;
  readonly balanceAfter: number;
}

export interface Posted {
  readonly entries: readonly PostedEntry[];
  /** True when this id was posted before: nothing moved now; these are the first posting's entries. */
  readonly replayed: boolean;
}

/** Won promised to (or, released, taken back from) a member money account by a move in flight. */
export interface Reservation {
  readonly account: string;
  /** A positive safe integer. */
  readonly amount: number;
}

export interface PostOptions {
  /** The most a member money account may hold (balance + reserved_in); omit for no cap (refunds). */
  readonly cap?: number;
  /**
   * Reserved in the same locked update as the postings, so that every lock is taken in id order:
   * e.g. a withdrawal's hold keeps room for its possible refund. Counted against `cap` when one is given.
   */
  readonly reserve?: readonly Reservation[];
  /** Promises taken back in the same update (the move landed or failed); more than is reserved is a bug. */
  readonly release?: readonly Reservation[];
}

const won = (amount: number) => amount.toLocaleString("en");

/** A ledger account as the API speaks of it: a member's wallet, or just an account. */
const isWallet = (account: string) => /^member_(money|points):/.test(account);

/**
 * The SQL's expected refusals (P0001 'CODE:<account id>') as the kernel's error codes, in the API's
 * words: a detail goes to members, so it never names a ledger account, a table or the SQL (the
 * caller knows which accounts it posted to).
 */
const refusals: Record<string, { code: ErrorCode; text: (account: string, cap?: number) => string }> = {
  INSUFFICIENT_BALANCE: { code: "INSUFFICIENT_BALANCE", text: () => "the money balance is not enough" },
  INSUFFICIENT_POINTS: { code: "INSUFFICIENT_POINTS", text: () => "the points are not enough" },
  BALANCE_LIMIT_EXCEEDED: {
    code: "BALANCE_LIMIT_EXCEEDED",
    text: (_, cap) =>
      cap === undefined
        ? "the balance would pass the cap"
        : `the balance would pass the cap of ${won(cap)} won`,
  },
  ACCOUNT_NOT_FOUND: {
    code: "NOT_FOUND",
    text: (account) => (isWallet(account) ? "the member has no wallet" : "no such account"),
  },
  ACCOUNT_CLOSED: {
    code: "CONFLICT",
    text: (account) => (isWallet(account) ? "the wallet is closed" : "the account is closed"),
  },
  LEDGER_ID_REUSED: {
    code: "CONFLICT",
    text: () => "this transaction id was already used for a different movement of money",
  },
};

interface Refusal {
  readonly failure: string;
  readonly detail: string;
}

function refused<T>(r: Refusal, cap: number | undefined, prefix = ""): Result<T> {
  const known = refusals[r.failure];
  if (!known) throw new Error(`ledger: unexpected refusal ${r.failure}:${r.detail}`);
  return fail(known.code, prefix + known.text(r.detail, cap));
}

/** The reservation changes of a posting, signed as the SQL takes them: + reserves, − releases. */
function reservationDeltas(options: PostOptions) {
  const signed = (list: readonly Reservation[] | undefined, sign: 1 | -1) =>
    (list ?? []).map((r) => {
      checkAmount(r.amount);
      return { account: r.account, amount: sign * r.amount };
    });
  const deltas = [...signed(options.reserve, 1), ...signed(options.release, -1)];
  return deltas.length > 0 ? deltas : null;
}

/**
 * Posts one balanced ledger transaction in one database call. Expected refusals (balance, points,
 * cap, unknown or closed account) come back as failures and leave the caller's transaction usable;
 * a malformed transaction (unbalanced, amount not a positive integer) is a bug and throws.
 */
export async function post(
  tx: Queryable,
  txn: LedgerTransaction,
  options: PostOptions = {},
): Promise<Result<Posted>> {
  const [row] = await tx.query<{ r: Posted | Refusal }>(
    "SELECT money.try_post_ledger($1, $2, $3, $4::jsonb, $5::bigint, $6::jsonb) AS r",
    [txn.id, txn.kind, txn.reference, txn.postings, options.cap ?? null, reservationDeltas(options)],
  );
  const r = row!.r;
  return "failure" in r ? refused(r, options.cap) : ok(r);
}

/**
 * Many transactions in one call, all or nothing (imports, settlement runs, benchmarks). A refusal's
 * detail starts with the id of the transaction refused. Reservations are single postings' business.
 */
export async function postBatch(
  tx: Queryable,
  txns: readonly LedgerTransaction[],
  options: Pick<PostOptions, "cap"> = {},
): Promise<Result<{ posted: number; replayed: number }>> {
  const [row] = await tx.query<{
    r: { posted: number; replayed: number } | (Refusal & { transactionId: string });
  }>("SELECT money.post_ledger_batch($1::jsonb, $2::bigint) AS r", [txns, options.cap ?? null]);
  const r = row!.r;
  return "failure" in r ? refused(r, options.cap, `${r.transactionId}: `) : ok(r);
}

/** One request's postings in a group: all of its transactions or none, in order. */
export interface GroupItem {
  readonly transactions: readonly LedgerTransaction[];
  /** As post()'s: the cap holds for every transaction, reservations go with the first. */
  readonly options?: PostOptions;
}

type GroupResult = { posted: { id: string; replayed: boolean }[] } | Refusal;

/**
 * Group commit's posting (migration 006): many requests' transactions in one call, each item posted or
 * refused on its own, in order, as if posted one after another; each account locked and updated once.
 * A malformed item is a bug and throws for the whole group (the caller then posts items alone).
 */
export async function postGroup(tx: Queryable, items: readonly GroupItem[]): Promise<Result<Posted[]>[]> {
  const payload = items.map((item) => ({
    transactions: item.transactions.map((txn, i) => {
      const reserve = i === 0 && item.options ? reservationDeltas(item.options) : null;
      return { ...txn, cap: item.options?.cap ?? null, ...(reserve ? { reserve } : {}) };
    }),
  }));
  const [row] = await tx.query<{ r: { results: GroupResult[]; entries: Record<string, PostedEntry[]> } }>(
    "SELECT money.post_ledger_group($1::jsonb) AS r",
    [payload],
  );
  const { results, entries } = row!.r;
  return results.map((r, i) => {
    if ("failure" in r) return refused<Posted[]>(r, items[i]!.options?.cap);
    return ok(r.posted.map((p) => ({ entries: entries[p.id] ?? [], replayed: p.replayed })));
  });
}

async function openAccounts(tx: Queryable, rows: readonly ReturnType<typeof accountRow>[]): Promise<void> {
  await tx.query(
    `INSERT INTO money.accounts (id, kind, currency, owner_id, normal_side)
     SELECT r->>'id', r->>'kind', r->>'currency', r->>'ownerId', r->>'normalSide' FROM jsonb_array_elements($1::jsonb) AS r
     ON CONFLICT (id) DO NOTHING`,
    [rows],
  );
}

/** Opens mypay's own accounts (corporate cash, revenue, expenses…); safe to call at every start. */
export async function ensureSystemAccounts(tx: Queryable): Promise<void> {
  await openAccounts(
    tx,
    systemAccountKinds.flatMap((kind) => shardsOf(kind).map((id) => ({ ...accountRow(kind), id }))),
  );
}

/** Opens a member's money and points accounts; a second call changes nothing (a closed wallet stays closed). */
export async function openWallet(tx: Queryable, membershipId: string): Promise<void> {
  await openAccounts(tx, [
    accountRow("member_money", membershipId),
    accountRow("member_points", membershipId),
  ]);
}

/** Opens what mypay owes a franchise; idempotent. */
export async function openFranchisePayable(tx: Queryable, franchiseId: string): Promise<void> {
  await openAccounts(tx, [accountRow("franchise_payable", franchiseId)]);
}

function checkAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new Error(`ledger: not a positive amount: ${amount}`);
}

/**
 * Promises `amount` won to a member's money (a recharge in flight) if balance + reserved + amount
 * stays within the cap; else BALANCE_LIMIT_EXCEEDED. One conditional update: use it only where it is
 * the transaction's one account lock; alongside a posting, pass `reserve` to post() instead.
 */
export async function reserveIncoming(
  tx: Queryable,
  membershipId: string,
  amount: number,
  cap: number,
): Promise<Result<{ reservedIn: number }>> {
  checkAmount(amount);
  const [row] = await tx.query<{ reserved_in: number | null }>(
    `WITH r AS (UPDATE money.accounts SET reserved_in = reserved_in + $2
                 WHERE id = $1 AND status = 'OPEN' AND balance + reserved_in + $2 <= $3::bigint RETURNING reserved_in)
     SELECT (SELECT reserved_in FROM r) AS reserved_in`,
    [accounts.memberMoney(membershipId), amount, cap],
  );
  if (row?.reserved_in != null) return ok({ reservedIn: row.reserved_in });
  // Why it matched nothing, read afresh: the statement's own read is of its snapshot, from before a
  // wallet closing at the same moment (whose lock the update waited for) committed.
  const [now] = await tx.query<{ status: string }>("SELECT status FROM money.accounts WHERE id = $1", [
    accounts.memberMoney(membershipId),
  ]);
  if (now?.status == null) return fail("NOT_FOUND", "the member has no wallet");
  if (now.status !== "OPEN") return fail("CONFLICT", "the wallet is closed");
  return fail("BALANCE_LIMIT_EXCEEDED", `the balance would pass the cap of ${won(cap)} won`);
}

/**
 * Takes back a promise made by reserveIncoming (the recharge failed), where it is the transaction's
 * one account lock; alongside a posting, pass `release` to post() instead.
 */
export async function releaseIncoming(tx: Queryable, membershipId: string, amount: number): Promise<void> {
  checkAmount(amount);
  const rows = await tx.query(
    "UPDATE money.accounts SET reserved_in = reserved_in - $2 WHERE id = $1 AND reserved_in >= $2 RETURNING id",
    [accounts.memberMoney(membershipId), amount],
  );
  if (rows.length === 0) throw new Error(`ledger: ${membershipId} has less than ${amount} won reserved`);
}
