import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { newId } from "../../kernel/ids.js";
import {
  bankCall,
  books,
  call,
  type Member,
  moneyOf,
  newFranchise,
  newMember,
  settled,
  startWorld,
  type World,
} from "../../testing/world.js";
import type { MoneyApi } from "./api.js";

// Money's commands as remittance, payment and settlement call them: each idempotent on the caller's
// id, each one balanced ledger transaction (or two in one database transaction).

let world: World;
let money: MoneyApi;
before(async () => {
  world = await startWorld();
  money = world.mypay.contexts.money.api;
});
after(() => world.close());

const correlationId = "test";

async function funded(won: number, bankBalance = 1_000_000): Promise<Member> {
  const m = await newMember(world, { bankBalance });
  if (won > 0) {
    const res = await call(world, m.token, "POST", "/v1/money/recharge", { amount: won }, newId("recharge"));
    assert.equal(res.json().status, "SUCCEEDED", res.body);
  }
  return m;
}

async function booksBalance() {
  await settled(world);
  const { trial, recon } = await books(world);
  assert.equal(trial.totalDebit, trial.totalCredit);
  assert.equal(recon.ok, true, JSON.stringify(recon));
}

/** What the bank would do on a payout: the won leave the corporate account (so reconciliation holds). */
async function paidOutAtBank(amount: number) {
  const corporate = await world.mypay.contexts.banking.api.corporateAccount();
  const payee = await bankCall<{ bankCode: string; accountNumber: string }>(world.bank, "POST", "/accounts", {
    bankCode: "020",
    holderName: "Payee",
  });
  await bankCall(world.bank, "POST", "/transfers", {
    requestId: newId("firmbanking"),
    from: { bankCode: corporate.bankCode, accountNumber: corporate.accountNumber },
    to: { bankCode: payee.bankCode, accountNumber: payee.accountNumber },
    amount,
  });
}

const historyKinds = async (m: Member) =>
  (await call(world, m.token, "GET", "/v1/money/history"))
    .json()
    .items.map((i: { kind: string; amount: number }) => [i.kind, i.amount]);

test("transfer: one move between members, the same id moving nothing twice; a short sender is refused", async () => {
  const [a, b] = [await funded(50_000), await funded(0)];
  const cmd = {
    transferId: newId("remittance"),
    from: a.membershipId,
    to: b.membershipId,
    amount: 30_000,
    correlationId,
  };
  const first = await money.transfer(cmd);
  assert.deepEqual(first, {
    ok: true,
    value: { transferId: cmd.transferId, fromBalance: 20_000, toBalance: 30_000 },
  });
  assert.deepEqual(await money.transfer(cmd), first, "a retry answers as the first did");
  assert.deepEqual([await moneyOf(world, a), await moneyOf(world, b)], [20_000, 30_000]);
  const short = await money.transfer({ ...cmd, transferId: newId("remittance") });
  assert.equal(short.ok ? "moved" : short.error.code, "INSUFFICIENT_BALANCE");
  assert.deepEqual(await historyKinds(b), [["REMITTANCE_IN", 30_000]]);
  await booksBalance();
});

test("transfer: the receiver's cap is kept", async () => {
  const a = await funded(100_000);
  const b = await funded(1_950_000, 3_000_000);
  const res = await money.transfer({
    transferId: newId("remittance"),
    from: a.membershipId,
    to: b.membershipId,
    amount: 60_000,
    correlationId,
  });
  assert.equal(res.ok ? "moved" : res.error.code, "BALANCE_LIMIT_EXCEEDED");
  assert.equal(await moneyOf(world, a), 100_000);
});

test("a member's hold: amount and fee into transit, then settled (fee is revenue) or released (all back)", async () => {
  const m = await funded(100_000);
  const settledHold = newId("remittance");
  const held = await money.hold({
    holdId: settledHold,
    source: { membershipId: m.membershipId },
    amount: 40_000,
    fee: 500,
    purpose: "REMITTANCE",
    correlationId,
  });
  assert.deepEqual(held, {
    ok: true,
    value: { holdId: settledHold, amount: 40_000, fee: 500, status: "HELD", balance: 59_500 },
  });
  assert.equal(
    (
      await money.hold({
        holdId: settledHold,
        source: { membershipId: m.membershipId },
        amount: 40_000,
        fee: 500,
        purpose: "REMITTANCE",
        correlationId,
      })
    ).ok,
    true,
  );
  assert.equal(await moneyOf(world, m), 59_500, "a repeated hold holds nothing more");
  const done = await money.settleHold(settledHold);
  await paidOutAtBank(40_000);
  assert.equal(done.ok && done.value.status, "SETTLED");
  assert.equal((await money.settleHold(settledHold)).ok, true, "settling again is a no-op");
  const late = await money.releaseHold(settledHold);
  assert.equal(late.ok ? "released" : late.error.code, "CONFLICT", "a settled hold is never released");

  const refused = newId("remittance");
  await money.hold({
    holdId: refused,
    source: { membershipId: m.membershipId },
    amount: 10_000,
    fee: 500,
    purpose: "REMITTANCE",
    correlationId,
  });
  const back = await money.releaseHold(refused);
  assert.equal(back.ok && back.value.balance, 59_500, "the fee comes back too");
  assert.deepEqual((await historyKinds(m)).slice(0, 6), [
    ["FEE", 500],
    ["REMITTANCE_IN", 10_000],
    ["FEE", -500],
    ["REMITTANCE_OUT", -10_000],
    ["FEE", -500],
    ["REMITTANCE_OUT", -40_000],
  ]);
  const tooMuch = await money.hold({
    holdId: newId("remittance"),
    source: { membershipId: m.membershipId },
    amount: 59_500,
    fee: 500,
    purpose: "REMITTANCE",
    correlationId,
  });
  assert.equal(tooMuch.ok ? "held" : tooMuch.error.code, "INSUFFICIENT_BALANCE");
  const revenue = (await books(world)).trial.accounts.find(
    (a: { account: string }) => a.account === "fee_revenue",
  );
  assert.ok(revenue.balance >= 500);
});

test("pay and refund: money and points to the payable, points earned; the cancel takes spent points from the money", async () => {
  const m = await funded(200_000);
  const { franchiseId } = await newFranchise(world);
  const first = newId("payment");
  const paid = await money.pay({
    paymentId: first,
    membershipId: m.membershipId,
    franchiseId,
    money: 100_000,
    points: 0,
    pointsEarned: 1_000,
    correlationId,
  });
  assert.deepEqual(paid, { ok: true, value: { paymentId: first, balance: 100_000, points: 1_000 } });
  assert.deepEqual(
    await money.pay({
      paymentId: first,
      membershipId: m.membershipId,
      franchiseId,
      money: 100_000,
      points: 0,
      pointsEarned: 1_000,
      correlationId,
    }),
    paid,
  );
  const other = await money.pay({
    paymentId: first,
    membershipId: m.membershipId,
    franchiseId,
    money: 1,
    points: 0,
    pointsEarned: 0,
    correlationId,
  });
  assert.equal(other.ok ? "paid" : other.error.code, "CONFLICT");
  // 600 of the earned points are spent elsewhere, then the first payment is cancelled.
  const spend = newId("payment");
  const used = await money.pay({
    paymentId: spend,
    membershipId: m.membershipId,
    franchiseId,
    money: 400,
    points: 600,
    pointsEarned: 4,
    correlationId,
  });
  assert.deepEqual(used.ok && [used.value.balance, used.value.points], [99_600, 404]);
  const refund = await money.refund({ paymentId: first, correlationId });
  assert.deepEqual(refund, {
    ok: true,
    value: { money: 99_404, points: 0, pointsTakenBack: 404, takenFromMoney: 596 },
  });
  assert.deepEqual(
    await money.refund({ paymentId: first, correlationId }),
    refund,
    "a second refund answers the first",
  );
  assert.deepEqual(await money.balances(m.membershipId), {
    membershipId: m.membershipId,
    balance: 199_004,
    points: 0,
  });
  const greedy = await money.pay({
    paymentId: newId("payment"),
    membershipId: m.membershipId,
    franchiseId,
    money: 0,
    points: 1,
    pointsEarned: 0,
    correlationId,
  });
  assert.equal(greedy.ok ? "paid" : greedy.error.code, "INSUFFICIENT_POINTS");
  const never = await money.refund({ paymentId: newId("payment"), correlationId });
  assert.equal(never.ok ? "refunded" : never.error.code, "NOT_FOUND");
  await booksBalance();
});

test("a franchise's hold for its settlement: payable → transit → corporate cash and commission revenue", async () => {
  const m = await funded(50_000);
  const { franchiseId } = await newFranchise(world);
  await money.pay({
    paymentId: newId("payment"),
    membershipId: m.membershipId,
    franchiseId,
    money: 10_000,
    points: 0,
    pointsEarned: 100,
    correlationId,
  });
  const holdId = newId("settlement");
  const held = await money.hold({
    holdId,
    source: { franchiseId },
    amount: 9_800,
    fee: 200,
    purpose: "SETTLEMENT",
    correlationId,
  });
  assert.deepEqual(held.ok && held.value, { holdId, amount: 9_800, fee: 200, status: "HELD", balance: null });
  const more = await money.hold({
    holdId: newId("settlement"),
    source: { franchiseId },
    amount: 1,
    fee: 0,
    purpose: "SETTLEMENT",
    correlationId,
  });
  assert.equal(more.ok ? "held" : more.error.code, "INSUFFICIENT_BALANCE", "nothing is left in the payable");
  assert.equal((await money.releaseHold(holdId)).ok, true);
  const again = newId("settlement");
  await money.hold({
    holdId: again,
    source: { franchiseId },
    amount: 9_800,
    fee: 200,
    purpose: "SETTLEMENT",
    correlationId,
  });
  assert.equal((await money.settleHold(again)).ok, true);
  await paidOutAtBank(9_800);
  const line = (name: string) =>
    (world && books(world)).then((b) =>
      b.trial.accounts.find((a: { account: string }) => a.account === name),
    );
  assert.ok((await line("commission_revenue")).balance >= 200);
  await booksBalance();
});

test("ensureBalance: nothing when the balance covers it; else 10,000 for a small shortfall, exactly the shortfall for a big one, once per cause", async () => {
  const m = await funded(10_000);
  assert.deepEqual(
    await money.ensureBalance({
      cause: newId("payment"),
      membershipId: m.membershipId,
      amount: 10_000,
      correlationId,
    }),
    {
      ok: true,
      value: { status: "NOT_NEEDED", rechargeId: null, amount: 0, reason: null },
    },
  );
  const cause = newId("payment");
  const small = await money.ensureBalance({
    cause,
    membershipId: m.membershipId,
    amount: 18_000,
    correlationId,
  });
  assert.deepEqual(small.ok && [small.value.status, small.value.amount], ["SUCCEEDED", 10_000]);
  assert.deepEqual(
    await money.ensureBalance({ cause, membershipId: m.membershipId, amount: 18_000, correlationId }),
    small,
    "once per cause",
  );
  const big = await money.ensureBalance({
    cause: newId("payment"),
    membershipId: m.membershipId,
    amount: 65_000,
    correlationId,
  });
  assert.deepEqual(big.ok && [big.value.status, big.value.amount], ["SUCCEEDED", 45_000]);
  assert.equal(await moneyOf(world, m), 65_000);
  const unlinked = await newMember(world);
  await call(world, unlinked.token, "DELETE", `/v1/bank-accounts/${unlinked.bankAccountId}`);
  const none = await money.ensureBalance({
    cause: newId("payment"),
    membershipId: unlinked.membershipId,
    amount: 1,
    correlationId,
  });
  assert.equal(none.ok ? none.value.status : none.error.code, "NO_LINKED_ACCOUNT");
  await booksBalance();
});

test("property: any payment with points, then its cancel after any spending, leaves the books balanced and no balance negative", async () => {
  const m = await funded(1_000_000, 2_000_000);
  const { franchiseId } = await newFranchise(world);
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 50_000 }),
      fc.integer({ min: 0, max: 3_000 }),
      fc.integer({ min: 0, max: 10_000 }),
      fc.integer({ min: 0, max: 5_000 }),
      async (cash, usePoints, accrualBps, spend) => {
        const before = (await money.balances(m.membershipId))!;
        const points = Math.min(usePoints, before.points);
        if (cash + points === 0) return;
        const earned = Math.floor((cash * accrualBps) / 10_000);
        const paymentId = newId("payment");
        const paid = await money.pay({
          paymentId,
          membershipId: m.membershipId,
          franchiseId,
          money: cash,
          points,
          pointsEarned: earned,
          correlationId,
        });
        assert.equal(paid.ok, true);
        const afterPay = (await money.balances(m.membershipId))!;
        const spent = Math.min(spend, afterPay.points);
        if (spent > 0)
          await money.pay({
            paymentId: newId("payment"),
            membershipId: m.membershipId,
            franchiseId,
            money: 0,
            points: spent,
            pointsEarned: 0,
            correlationId,
          });
        const refund = await money.refund({ paymentId, correlationId });
        assert.ok(refund.ok);
        const after = (await money.balances(m.membershipId))!;
        // 1 point = 1 won: what the member holds in both together changed only by what it spent
        assert.equal(after.balance + after.points, before.balance + before.points - spent + 0);
        assert.ok(after.points >= 0 && after.balance >= 0);
        assert.equal(refund.value.money + refund.value.takenFromMoney, cash);
      },
    ),
    { numRuns: 30 },
  );
  const { trial } = await books(world);
  assert.equal(trial.totalDebit, trial.totalCredit);
});

test("GET /v1/points/me: the points and their history, earned, used, given and taken back", async () => {
  const m = await funded(50_000);
  const { franchiseId } = await newFranchise(world);
  const paymentId = newId("payment");
  const pay = { membershipId: m.membershipId, franchiseId, correlationId };
  await money.pay({ ...pay, paymentId, money: 30_000, points: 0, pointsEarned: 300 });
  const spend = newId("payment");
  await money.pay({ ...pay, paymentId: spend, money: 900, points: 100, pointsEarned: 9 });
  await money.refund({ paymentId: spend, correlationId });
  const res = await call(world, m.token, "GET", "/v1/points/me");
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.equal(body.points, 300);
  assert.deepEqual(
    body.history.map((h: { kind: string; amount: number; balanceAfter: number }) => [
      h.kind,
      h.amount,
      h.balanceAfter,
    ]),
    [
      ["TAKEN_BACK", -9, 300],
      ["RETURNED", 100, 309],
      ["EARNED", 9, 209],
      ["USED", -100, 200],
      ["EARNED", 300, 300],
    ],
  );
  const page = await call(world, m.token, "GET", "/v1/points/me?limit=2");
  assert.equal(page.json().history.length, 2);
  const rest = await call(world, m.token, "GET", `/v1/points/me?limit=10&cursor=${page.json().nextCursor}`);
  assert.equal(rest.json().history.length, 3);
  assert.equal((await call(world, m.token, "GET", "/v1/points/me?cursor=x")).statusCode, 400);
});
