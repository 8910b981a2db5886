import { fail, ok, type Result } from "../../kernel/errors.js";
import type { Queryable } from "../../platform/db/db.js";
import { txResult } from "../../platform/db/tx-result.js";
import { postAndAnnounce } from "./announce.js";
import type { Held, HoldMoney } from "./api.js";
import type { MoneyDeps } from "./deps.js";
import { accounts, type LedgerKind, type Posting, type Reservation, shardOf } from "./ledger.js";

/**
 * Holds (hold into transit → settle or release) for payouts by firmbanking: a member→bank
 * remittance (its fee becomes fee revenue) and a franchise's settlement (its commission becomes
 * commission revenue). Each is a row keyed by the caller's id; its ledger transactions' ids derive
 * from it, and a status moves HELD → SETTLED | RELEASED by one conditional update, so every call is
 * safe to repeat and nothing is settled and released both.
 */

interface HoldRow {
  [column: string]: unknown;
  id: string;
  source_account: string;
  membership_id: string | null;
  amount: number;
  fee: number;
  purpose: "REMITTANCE" | "SETTLEMENT";
  status: Held["status"];
}

const krw = (account: string, side: "D" | "C", amount: number): Posting[] =>
  amount > 0 ? [{ account, side, amount, currency: "KRW" }] : [];

/** Where the fee goes when the payout is made. */
const revenueOf = (purpose: HoldRow["purpose"]) =>
  purpose === "REMITTANCE" ? accounts.feeRevenue : accounts.commissionRevenue;

/** mypay's side of a hold's postings, on the shard its id picks. */
const own = (account: string, row: HoldRow) => shardOf(account, row.id);

interface Leg {
  readonly suffix: string;
  readonly kind: LedgerKind;
  readonly postings: Posting[];
}

/**
 * A member's legs read in its history as the remittance and its fee (FEE), each on its own; a
 * franchise's hold is one SETTLEMENT leg.
 */
function holdLegs(row: HoldRow, move: "hold" | "release"): Leg[] {
  const [out, back] = move === "hold" ? (["D", "C"] as const) : (["C", "D"] as const);
  const leg = (suffix: string, kind: LedgerKind, amount: number): Leg[] =>
    amount > 0
      ? [
          {
            suffix,
            kind,
            postings: [
              ...krw(row.source_account, out, amount),
              ...krw(own(accounts.moneyInTransit, row), back, amount),
            ],
          },
        ]
      : [];
  if (row.membership_id === null)
    return leg(move, move === "hold" ? "SETTLEMENT" : "SETTLEMENT_RELEASE", row.amount + row.fee);
  return move === "hold"
    ? [...leg("hold", "REMITTANCE", row.amount), ...leg("fee", "FEE", row.fee)]
    : [...leg("release", "REMITTANCE_REFUND", row.amount), ...leg("fee-release", "FEE_REFUND", row.fee)];
}

/** The room under the cap kept for a member's refund while its won are in transit. */
const room = (row: HoldRow): Reservation[] =>
  row.membership_id === null ? [] : [{ account: row.source_account, amount: row.amount + row.fee }];

async function postLegs(
  tx: Queryable,
  row: HoldRow,
  legs: readonly Leg[],
  reservations: { reserve?: Reservation[]; release?: Reservation[] },
  correlationId: string,
): Promise<Result<number | null>> {
  let balance: number | null = null;
  for (const [i, leg] of legs.entries()) {
    // The reservation changes in the first leg's locked update (one lock order).
    const options = i === 0 ? reservations : {};
    const posted = await postAndAnnounce(
      tx,
      { id: `${row.id}:${leg.suffix}`, kind: leg.kind, reference: row.id, postings: leg.postings },
      options,
      { correlationId, causationId: row.id },
    );
    if (!posted.ok) return posted;
    const entry = posted.value.entries.find((e) => e.account === row.source_account);
    if (entry && row.membership_id !== null) balance = entry.balanceAfter;
  }
  return ok(balance);
}

const view = (row: HoldRow, balance: number | null): Held => ({
  holdId: row.id,
  amount: row.amount,
  fee: row.fee,
  status: row.status,
  balance,
});

async function findHold(q: Queryable, id: string, lock = false): Promise<HoldRow | undefined> {
  const [row] = await q.query<HoldRow>(
    `SELECT id, source_account, membership_id, amount, fee, purpose, status FROM money.holds WHERE id = $1${lock ? " FOR UPDATE" : ""}`,
    [id],
  );
  return row;
}

async function memberBalance(q: Queryable, row: HoldRow): Promise<number | null> {
  if (row.membership_id === null) return null;
  const [a] = await q.query<{ balance: number }>("SELECT balance FROM money.accounts WHERE id = $1", [
    row.source_account,
  ]);
  return a?.balance ?? null;
}

export async function hold(deps: MoneyDeps, cmd: HoldMoney): Promise<Result<Held>> {
  const membershipId = "membershipId" in cmd.source ? cmd.source.membershipId : null;
  const source =
    "membershipId" in cmd.source
      ? accounts.memberMoney(cmd.source.membershipId)
      : accounts.franchisePayable(cmd.source.franchiseId);
  return txResult(deps.db, async (tx) => {
    const inserted = await tx.query<HoldRow>(
      `INSERT INTO money.holds (id, source_account, membership_id, amount, fee, purpose, status)
       VALUES ($1, $2, $3, $4, $5, $6, 'HELD') ON CONFLICT (id) DO NOTHING
       RETURNING id, source_account, membership_id, amount, fee, purpose, status`,
      [cmd.holdId, source, membershipId, cmd.amount, cmd.fee, cmd.purpose],
    );
    const row = inserted[0];
    if (!row) return replayHold(tx, cmd, source);
    if (membershipId === null && !(await payableCovers(tx, source, cmd.amount + cmd.fee)))
      return fail("INSUFFICIENT_BALANCE", "the franchise's unsettled payments do not cover this settlement");
    const posted = await postLegs(tx, row, holdLegs(row, "hold"), { reserve: room(row) }, cmd.correlationId);
    return posted.ok ? ok(view(row, posted.value)) : posted;
  });
}

/** Locks the payable (the posting's one lock) and says whether it holds `won` (the ledger checks members only). */
async function payableCovers(tx: Queryable, account: string, won: number): Promise<boolean> {
  const [row] = await tx.query<{ balance: number }>(
    "SELECT balance FROM money.accounts WHERE id = $1 FOR NO KEY UPDATE",
    [account],
  );
  return (row?.balance ?? 0) >= won;
}

/** The same hold asked again: its state now; another hold under a used id is a caller's bug. */
async function replayHold(tx: Queryable, cmd: HoldMoney, source: string): Promise<Result<Held>> {
  const row = (await findHold(tx, cmd.holdId))!;
  if (row.source_account !== source || row.amount !== cmd.amount || row.fee !== cmd.fee)
    return fail("CONFLICT", "this hold id was already used for a different hold");
  return ok(view(row, await memberBalance(tx, row)));
}

/** Ends a hold: SETTLED (the payout was made) or RELEASED (it was refused); repeating the same end is a no-op. */
export function endHold(deps: MoneyDeps, holdId: string, end: "SETTLED" | "RELEASED"): Promise<Result<Held>> {
  return txResult(deps.db, async (tx) => {
    const row = await findHold(tx, holdId, true);
    if (!row) return fail("NOT_FOUND", "no such hold");
    if (row.status === end) return ok(view(row, await memberBalance(tx, row)));
    if (row.status !== "HELD") return fail("CONFLICT", `the hold is already ${row.status.toLowerCase()}`);
    await tx.query("UPDATE money.holds SET status = $2, completed_at = now() WHERE id = $1", [holdId, end]);
    const ended = { ...row, status: end };
    const legs = end === "SETTLED" ? settleLegs(row) : holdLegs(row, "release");
    const posted = await postLegs(tx, ended, legs, { release: room(row) }, holdId);
    if (!posted.ok) throw new Error(`ledger refused ending hold ${holdId}: ${posted.error.detail}`);
    return ok(view(ended, posted.value ?? (await memberBalance(tx, row))));
  });
}

/** The payout was made: transit → corporate cash (the won left it at the bank) and the fee → revenue. */
function settleLegs(row: HoldRow): Leg[] {
  const kind: LedgerKind = row.purpose === "REMITTANCE" ? "PAYOUT" : "SETTLEMENT";
  return [
    {
      suffix: "settle",
      kind,
      postings: [
        ...krw(own(accounts.moneyInTransit, row), "D", row.amount + row.fee),
        ...krw(own(accounts.corporateCash, row), "C", row.amount),
        ...krw(own(revenueOf(row.purpose), row), "C", row.fee),
      ],
    },
  ];
}
