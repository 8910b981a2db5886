import { fail, ok, type Result } from "../../kernel/errors.js";
import type { Queryable } from "../../platform/db/db.js";
import { txResult } from "../../platform/db/tx-result.js";
import { traceHeaders } from "../../platform/tracing.js";
import { postAndAnnounce } from "./announce.js";
import type { Paid, PayFranchise, RefundPayment } from "./api.js";
import type { MoneyDeps } from "./deps.js";
import { type CancelRefund, cancelRefund } from "./domain.js";
import {
  accounts,
  type LedgerTransaction,
  openFranchisePayable,
  type Posted,
  type Posting,
  shardOf,
} from "./ledger.js";

/**
 * payWithMyMoney and its cancel, as ledger transactions. A payment is a row keyed by the caller's id
 * (what it moved, for its refund) with two postings whose ids derive from it: the payment itself
 * (money and points into the franchise's payable) and the points it earned. Its cancel reverses both
 * once, with the refund arithmetic of the domain.
 */

interface PaymentRow {
  [column: string]: unknown;
  id: string;
  membership_id: string;
  franchise_id: string;
  money: number;
  points: number;
  points_earned: number;
  refund: CancelRefund | null;
}

const entry = (account: string, side: "D" | "C", amount: number, currency: "KRW" | "PNT"): Posting[] =>
  amount > 0 ? [{ account, side, amount, currency }] : [];

/** The payment's postings: won from money, won for the points from mypay's points expense, all to the payable. */
function paymentTransactions(p: PaymentRow): LedgerTransaction[] {
  const member = accounts.memberMoney(p.membership_id);
  const points = accounts.memberPoints(p.membership_id);
  const expense = shardOf(accounts.pointsExpense, p.id);
  const issued = shardOf(accounts.pointsIssued, p.id);
  const pay: LedgerTransaction = {
    id: `${p.id}:pay`,
    kind: "PAYMENT",
    reference: p.id,
    postings: [
      ...entry(member, "D", p.money, "KRW"),
      ...entry(expense, "D", p.points, "KRW"),
      ...entry(accounts.franchisePayable(p.franchise_id), "C", p.money + p.points, "KRW"),
      ...entry(points, "D", p.points, "PNT"),
      ...entry(issued, "C", p.points, "PNT"),
    ],
  };
  // Earned points are their own transaction, so that a payment never spends the points it earns.
  const earn: LedgerTransaction = {
    id: `${p.id}:earn`,
    kind: "POINTS_EARN",
    reference: p.id,
    postings: [...entry(issued, "D", p.points_earned, "PNT"), ...entry(points, "C", p.points_earned, "PNT")],
  };
  return p.points_earned > 0 ? [pay, earn] : [pay];
}

/**
 * The cancel's postings: the payable gives back the whole amount; the member gets its money less
 * what it must pay for earned points it already spent (that won goes back to the points expense, as
 * do the won that funded its used points); used points come back, earned ones are taken back.
 */
function cancelTransactions(p: PaymentRow, r: CancelRefund): LedgerTransaction[] {
  const points = accounts.memberPoints(p.membership_id);
  const expense = shardOf(accounts.pointsExpense, p.id);
  const issued = shardOf(accounts.pointsIssued, p.id);
  const cancel: LedgerTransaction = {
    id: `${p.id}:cancel`,
    kind: "PAYMENT_CANCEL",
    reference: p.id,
    postings: [
      ...entry(accounts.franchisePayable(p.franchise_id), "D", p.money + p.points, "KRW"),
      ...entry(accounts.memberMoney(p.membership_id), "C", r.money, "KRW"),
      ...entry(expense, "C", r.points + r.takenFromMoney, "KRW"),
      ...entry(issued, "D", r.points, "PNT"),
      ...entry(points, "C", r.points, "PNT"),
    ],
  };
  const takeBack: LedgerTransaction = {
    id: `${p.id}:take-back`,
    kind: "POINTS_TAKE_BACK",
    reference: p.id,
    postings: [
      ...entry(points, "D", r.pointsTakenBack, "PNT"),
      ...entry(issued, "C", r.pointsTakenBack, "PNT"),
    ],
  };
  return r.pointsTakenBack > 0 ? [cancel, takeBack] : [cancel];
}

async function postAll(tx: Queryable, txns: readonly LedgerTransaction[], correlationId: string) {
  let last: Awaited<ReturnType<typeof postAndAnnounce>> | undefined;
  for (const txn of txns) {
    last = await postAndAnnounce(tx, txn, {}, { correlationId, causationId: txn.reference });
    if (!last.ok) return last;
  }
  return last!;
}

async function balancesNow(q: Queryable, membershipId: string) {
  const rows = await q.query<{ id: string; balance: number }>(
    "SELECT id, balance FROM money.accounts WHERE id = ANY ($1::text[])",
    [[accounts.memberMoney(membershipId), accounts.memberPoints(membershipId)]],
  );
  const of = (id: string) => rows.find((r) => r.id === id)?.balance ?? 0;
  return { balance: of(accounts.memberMoney(membershipId)), points: of(accounts.memberPoints(membershipId)) };
}

const columns = "id, membership_id, franchise_id, money, points, points_earned, refund";

/** A payment id used again with other figures: refused as a clash, nothing posted. */
class PaymentReused extends Error {}

/**
 * Posted by group commit with the payments and transfers that arrive with it; the payment's row is
 * written in the same batch, only when its postings were accepted. A retry replays the postings (the
 * ledger compares them) and finds the row.
 */
export async function payFranchise(deps: MoneyDeps, cmd: PayFranchise): Promise<Result<Paid>> {
  const row: PaymentRow = {
    id: cmd.paymentId,
    membership_id: cmd.membershipId,
    franchise_id: cmd.franchiseId,
    money: cmd.money,
    points: cmd.points,
    points_earned: cmd.pointsEarned,
    refund: null,
  };
  const submit = () =>
    deps.group.submit({
      item: { transactions: paymentTransactions(row) },
      context: {
        correlationId: cmd.correlationId,
        causationId: cmd.paymentId,
        traceparent: traceHeaders().traceparent,
      },
      finish: (tx) => recordPayment(tx, row),
      answer: (posted) => paidFrom(row, posted),
    });
  try {
    let paid = await submit();
    if (!paid.ok && paid.error.code === "NOT_FOUND") {
      // Payment checked the franchise; its payable is not open yet while FranchiseRegistered is on its way.
      await openFranchisePayable(deps.db, cmd.franchiseId);
      paid = await submit();
    }
    if (!paid.ok) return paid;
    const { balance, points } = paid.value;
    if (balance !== undefined && points !== undefined)
      return ok({ paymentId: cmd.paymentId, balance, points });
    return ok({ paymentId: cmd.paymentId, ...(await balancesNow(deps.db, cmd.membershipId)) });
  } catch (error) {
    if (error instanceof PaymentReused) return fail("CONFLICT", error.message);
    throw error;
  }
}

async function recordPayment(tx: Queryable, p: PaymentRow) {
  const inserted = await tx.query(
    `INSERT INTO money.payments (id, membership_id, franchise_id, money, points, points_earned)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id`,
    [p.id, p.membership_id, p.franchise_id, p.money, p.points, p.points_earned],
  );
  if (inserted.length > 0) return;
  const [first] = await tx.query<PaymentRow>(`SELECT ${columns} FROM money.payments WHERE id = $1`, [p.id]);
  const same =
    first?.membership_id === p.membership_id &&
    first.franchise_id === p.franchise_id &&
    first.money === p.money &&
    first.points === p.points &&
    first.points_earned === p.points_earned;
  if (!same) throw new PaymentReused("this payment id was already used for a different payment");
}

/** The member's balances right after the payment, where its entries tell them. */
function paidFrom(p: PaymentRow, posted: readonly Posted[]) {
  const entries = posted.flatMap((one) => one.entries);
  const last = (account: string) => entries.filter((e) => e.account === account).at(-1)?.balanceAfter;
  return {
    balance: last(accounts.memberMoney(p.membership_id)),
    points: last(accounts.memberPoints(p.membership_id)),
  };
}

export async function refundPayment(deps: MoneyDeps, cmd: RefundPayment): Promise<Result<CancelRefund>> {
  return txResult(deps.db, async (tx) => {
    const [p] = await tx.query<PaymentRow>(`SELECT ${columns} FROM money.payments WHERE id = $1 FOR UPDATE`, [
      cmd.paymentId,
    ]);
    if (!p) return fail("NOT_FOUND", "no such payment was paid");
    if (p.refund) return ok(p.refund);
    // The accounts the cancel posts to, locked in id order (the ledger's one lock order) before the
    // points are read, so that no payment spends them between the read and the posting.
    const locked = [
      accounts.franchisePayable(p.franchise_id),
      accounts.memberMoney(p.membership_id),
      accounts.memberPoints(p.membership_id),
    ];
    await tx.query(
      "SELECT id FROM money.accounts WHERE id = ANY ($1::text[]) ORDER BY id FOR NO KEY UPDATE",
      [locked],
    );
    const { points } = await balancesNow(tx, p.membership_id);
    const refund = cancelRefund(
      { paidWithMoney: p.money, paidWithPoints: p.points, pointsEarned: p.points_earned },
      points,
    );
    const posted = await postAll(tx, cancelTransactions(p, refund), cmd.correlationId);
    if (!posted.ok) throw new Error(`ledger refused the cancel of ${p.id}: ${posted.error.detail}`);
    await tx.query("UPDATE money.payments SET refund = $2::jsonb, refunded_at = now() WHERE id = $1", [
      p.id,
      refund,
    ]);
    return ok(refund);
  });
}
