import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import fc from "fast-check";
import type { Result } from "../../kernel/errors.js";
import { newId } from "../../kernel/ids.js";
import type { Db, Queryable } from "../../platform/db/db.js";
import {
  accountBalance,
  accounts,
  type PostOptions,
  post,
  releaseIncoming,
  reserveIncoming,
  trialBalance,
} from "./ledger.js";
import {
  accountsOffTheirEntries,
  fits,
  krw,
  newMember,
  openLedgerDb,
  recharge,
  reservation,
  transfer,
  transferOutcome,
  unbalancedTransactions,
  type Wallets,
  withdrawStart,
} from "./ledger-fixtures.js";

// Random sequences of recharges (direct, or reserved then landed or failed), withdrawals (paid out
// or refunded), transfers and malformed postings, checked against a model and the ledger's invariants.
const CAP = 300_000;
const MEMBERS = 3;
let db: Db;
before(async () => {
  db = await openLedgerDb();
});
after(() => db.close());

const member = fc.integer({ min: 0, max: MEMBERS - 1 });
const amount = fc.integer({ min: 1, max: 200_000 });
const pending = fc.nat();
const op = fc.oneof(
  fc.record({ t: fc.constant("recharge" as const), m: member, amount }),
  fc.record({ t: fc.constant("rechargeStart" as const), m: member, amount }),
  fc.record({ t: fc.constantFrom("rechargeLand" as const, "rechargeFail" as const), i: pending }),
  fc.record({ t: fc.constant("withdraw" as const), m: member, amount }),
  fc.record({ t: fc.constantFrom("payout" as const, "refund" as const), i: pending }),
  fc.record({ t: fc.constant("transfer" as const), from: member, to: member, amount }),
  fc.record({ t: fc.constant("malformed" as const), m: member, amount: fc.integer({ min: -5, max: 5 }) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

interface Model extends Wallets {
  readonly recharges: Array<{ m: number; amount: number }>;
  readonly withdrawals: Array<{ m: number; amount: number }>;
}

const codeOf = (r: Result<unknown>) => (r.ok ? "OK" : r.error.code);
const take = <T>(list: T[], i: number): T | undefined =>
  list.length ? list.splice(i % list.length, 1)[0] : undefined;

const inTransit = (tx: Queryable, amount: number, to: string, options: PostOptions) =>
  post(
    tx,
    {
      id: newId("ledgerTransaction"),
      kind: to === accounts.corporateCash ? "PAYOUT" : "WITHDRAW_REFUND",
      reference: "wdr_test",
      postings: [krw(accounts.moneyInTransit, "D", amount), krw(to, "C", amount)],
    },
    options,
  );

async function applyMoves(s: Model, o: Op): Promise<void> {
  const id = (m: number) => s.ids[m]!;
  if (o.t === "recharge") {
    const expected = fits(s, o.m, o.amount, CAP) ? "OK" : "BALANCE_LIMIT_EXCEEDED";
    assert.equal(codeOf(await recharge(db, id(o.m), o.amount, { cap: CAP })), expected);
    if (expected === "OK") s.money[o.m]! += o.amount;
  } else if (o.t === "rechargeStart") {
    const expected = fits(s, o.m, o.amount, CAP) ? "OK" : "BALANCE_LIMIT_EXCEEDED";
    assert.equal(codeOf(await reserveIncoming(db, id(o.m), o.amount, CAP)), expected);
    if (expected === "OK") {
      s.recharges.push({ m: o.m, amount: o.amount });
      s.reserved[o.m]! += o.amount;
    }
  } else if (o.t === "transfer") {
    const expected = transferOutcome(s, o.from, o.to, o.amount, CAP);
    assert.equal(codeOf(await transfer(db, id(o.from), id(o.to), o.amount, { cap: CAP })), expected);
    if (expected === "OK") {
      s.money[o.from]! -= o.amount;
      s.money[o.to]! += o.amount;
    }
  } else if (o.t === "malformed") {
    const postings = [
      krw(accounts.memberMoney(id(o.m)), "D", o.amount),
      krw(accounts.feeRevenue, "C", o.amount + 1),
    ];
    const txn = { id: newId("ledgerTransaction"), kind: "FEE" as const, reference: "bad", postings };
    await assert.rejects(() => db.tx((tx) => post(tx, txn)), /LEDGER_(UNBALANCED|INVALID_AMOUNT)/);
  } else {
    await applyInFlight(s, o);
  }
}

/** The second half of recharges and withdrawals: the bank's answer arrives. */
async function applyInFlight(s: Model, o: Op): Promise<void> {
  if (o.t === "withdraw") {
    const expected = s.money[o.m]! >= o.amount ? "OK" : "INSUFFICIENT_BALANCE";
    // A withdrawal in flight keeps room under the cap for its refund, so a refund always fits.
    const got = await withdrawStart(db, s.ids[o.m]!, o.amount, {
      reserve: reservation(s.ids[o.m]!, o.amount),
    });
    assert.equal(codeOf(got), expected);
    if (expected === "OK") {
      s.withdrawals.push({ m: o.m, amount: o.amount });
      s.money[o.m]! -= o.amount;
      s.reserved[o.m]! += o.amount;
    }
    return;
  }
  if (o.t !== "rechargeLand" && o.t !== "rechargeFail" && o.t !== "payout" && o.t !== "refund") return;
  const isRecharge = o.t === "rechargeLand" || o.t === "rechargeFail";
  const p = take(isRecharge ? s.recharges : s.withdrawals, o.i);
  if (!p) return;
  const credited = o.t === "rechargeLand" || o.t === "refund";
  // Landing won are never refused: the posting takes back their reservation, with no cap check.
  const release = { release: reservation(s.ids[p.m]!, p.amount) };
  const mem = accounts.memberMoney(s.ids[p.m]!);
  if (o.t === "rechargeFail") await releaseIncoming(db, s.ids[p.m]!, p.amount);
  if (o.t === "rechargeLand") assert.equal(codeOf(await recharge(db, s.ids[p.m]!, p.amount, release)), "OK");
  if (o.t === "payout")
    assert.equal(codeOf(await inTransit(db, p.amount, accounts.corporateCash, release)), "OK");
  if (o.t === "refund") assert.equal(codeOf(await inTransit(db, p.amount, mem, release)), "OK");
  s.reserved[p.m]! -= p.amount;
  if (credited) s.money[p.m]! += p.amount;
}

async function memberBalances(ids: string[]): Promise<{ money: number[]; reserved: number[] }> {
  const rows = await db.query<{ id: string; balance: number; reserved_in: number }>(
    "SELECT id, balance, reserved_in FROM money.accounts WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))",
    [ids.map(accounts.memberMoney)],
  );
  const row = (m: string) => rows.find((r) => r.id === accounts.memberMoney(m))!;
  return { money: ids.map((m) => row(m).balance), reserved: ids.map((m) => row(m).reserved_in) };
}

const cashLessTransit = async () =>
  (await accountBalance(db, accounts.corporateCash))! - (await accountBalance(db, accounts.moneyInTransit))!;

async function assertInvariants(s: Model, cashLessTransitBefore: number): Promise<void> {
  const actual = await memberBalances(s.ids);
  assert.deepEqual(actual, { money: s.money, reserved: s.reserved });
  assert.deepEqual(await unbalancedTransactions(db), []);
  assert.deepEqual(await accountsOffTheirEntries(db), []);
  const tb = await trialBalance(db);
  assert.equal(tb.totalDebit, tb.totalCredit);
  const [limits] = await db.query<{ negative: number; over_cap: number }>(
    `SELECT count(*) FILTER (WHERE balance < 0)::int AS negative,
            count(*) FILTER (WHERE balance + reserved_in > $1)::int AS over_cap
     FROM money.accounts WHERE id IN (SELECT jsonb_array_elements_text($2::jsonb))`,
    [CAP, s.ids.map(accounts.memberMoney)],
  );
  assert.deepEqual(limits, { negative: 0, over_cap: 0 });
  const memberMoneySum = actual.money.reduce((a, b) => a + b, 0);
  assert.equal(memberMoneySum, (await cashLessTransit()) - cashLessTransitBefore);
}

test("any sequence of money moves keeps the books balanced and every member within 0 and the cap", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
      const start = await cashLessTransit();
      const ids = await Promise.all(Array.from({ length: MEMBERS }, () => newMember(db)));
      const s: Model = {
        ids,
        money: ids.map(() => 0),
        reserved: ids.map(() => 0),
        recharges: [],
        withdrawals: [],
      };
      for (const o of ops) await applyMoves(s, o);
      await assertInvariants(s, start);
      // what is still in flight ends, as the sagas eventually make it: every promise is released
      while (s.recharges.length > 0) await applyInFlight(s, { t: "rechargeFail", i: 0 });
      while (s.withdrawals.length > 0) await applyInFlight(s, { t: "payout", i: 0 });
      assert.deepEqual(s.reserved, [0, 0, 0]);
      await assertInvariants(s, start);
    }),
    { numRuns: 40 },
  );
});
