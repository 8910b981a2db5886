import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { newId } from "./kernel/ids.js";
import {
  bankBalance,
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
} from "./testing/world.js";

// The design study's six system commands, each end to end through the HTTP API as a client calls
// them, and OnePoint's request/response story reproduced with mypay's numbers.

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

const key = () => newId("event");
const post = (token: string, url: string, body: unknown) => call(world, token, "POST", url, body, key());
const points = async (m: Member) => (await call(world, m.token, "GET", "/v1/points/me")).json().points;

async function booksAreRight() {
  await settled(world);
  const { trial, recon } = await books(world);
  assert.equal(trial.totalDebit, trial.totalCredit, "the trial balance balances");
  assert.equal(recon.ok, true, `reconciliation: ${JSON.stringify(recon)}`);
}

async function recharged(won: number, bankBalanceWon = 1_000_000) {
  const m = await newMember(world, { bankBalance: bankBalanceWon });
  if (won > 0)
    assert.equal((await post(m.token, "/v1/money/recharge", { amount: won })).json().status, "SUCCEEDED");
  return m;
}

async function runSettlement(cutoff?: string) {
  const res = await post(world.staffToken, "/v1/admin/settlements/run", cutoff ? { cutoff } : {});
  assert.equal(res.statusCode, 201, res.body);
  await settled(world);
  return res.json();
}

test("createMembership: register, sign in, read oneself", async () => {
  const email = `seed.${key().slice(4, 16)}@example.com`;
  const reg = await world.mypay.app.inject({
    method: "POST",
    url: "/v1/memberships",
    payload: { name: "Lee Seed", email, password: "correct-horse", region: "Busan", type: "personal" },
  });
  assert.equal(reg.statusCode, 201, reg.body);
  assert.deepEqual([reg.json().status, reg.json().type, reg.json().region], ["ACTIVE", "personal", "Busan"]);
  const login = await world.mypay.app.inject({
    method: "POST",
    url: "/v1/auth/login",
    payload: { email, password: "correct-horse" },
  });
  const me = await call(world, login.json().accessToken, "GET", "/v1/memberships/me");
  assert.deepEqual([me.statusCode, me.json().membershipId], [200, reg.json().membershipId]);
});

test("rechargeMyMoney: 50,000 won from the linked account into money, the bank debited", async () => {
  const m = await newMember(world, { bankBalance: 100_000 });
  const res = await post(m.token, "/v1/money/recharge", { amount: 50_000 });
  assert.deepEqual([res.statusCode, res.json().status, res.json().balance], [201, "SUCCEEDED", 50_000]);
  assert.deepEqual([await moneyOf(world, m), await bankBalance(world, m.account)], [50_000, 50_000]);
  await booksAreRight();
});

test("remittanceMoney: to a member (fee 0) and to a bank account (fee 500), with an auto-recharge", async () => {
  const [sender, receiver] = [await recharged(20_000), await recharged(0)];
  const toMember = await post(sender.token, "/v1/remittances", {
    to: { membershipId: receiver.membershipId },
    amount: 25_000,
  });
  assert.equal(toMember.statusCode, 201, toMember.body);
  assert.deepEqual(
    [toMember.json().type, toMember.json().status, toMember.json().fee, toMember.json().autoRecharged],
    ["MEMBER", "SUCCEEDED", 0, true],
  );
  // short by 5,000: the auto-recharge tops up 10,000
  assert.deepEqual([await moneyOf(world, sender), await moneyOf(world, receiver)], [5_000, 25_000]);
  const payee = await bankCall<{ bankCode: string; accountNumber: string }>(world.bank, "POST", "/accounts", {
    bankCode: "081",
    holderName: "Park Payee",
  });
  const toBank = await post(receiver.token, "/v1/remittances", {
    to: { bankCode: payee.bankCode, accountNumber: payee.accountNumber },
    amount: 10_000,
  });
  assert.deepEqual([toBank.json().type, toBank.json().status, toBank.json().fee], ["BANK", "SUCCEEDED", 500]);
  assert.equal(await moneyOf(world, receiver), 14_500);
  assert.equal(await bankBalance(world, payee), 10_000);
  const detail = await call(world, receiver.token, "GET", `/v1/remittances/${toBank.json().remittanceId}`);
  assert.ok(detail.json().steps.length >= 3, "the step history is shown");
  await booksAreRight();
});

test("payWithMyMoney: money debited, points earned at 1% of the money part, the franchise's payable credited", async () => {
  const buyer = await recharged(50_000);
  const { franchiseId } = await newFranchise(world);
  const res = await post(buyer.token, "/v1/payments", { franchiseId, amount: 30_000 });
  assert.equal(res.statusCode, 201, res.body);
  assert.deepEqual(
    [res.json().status, res.json().paidWithMoney, res.json().pointsEarned, res.json().commissionBps],
    ["NORMAL", 30_000, 300, 200],
  );
  assert.deepEqual([await moneyOf(world, buyer), await points(buyer)], [20_000, 300]);
  await booksAreRight();
});

test("settlement and modifyCommission: each payment at the rate stamped on it, net paid at the bank once", async () => {
  const buyer = await recharged(100_000);
  const franchise = await newFranchise(world);
  const pay = (amount: number) =>
    post(buyer.token, "/v1/payments", { franchiseId: franchise.franchiseId, amount });
  await pay(10_000);
  await pay(10_050);
  const changed = await call(
    world,
    world.staffToken,
    "PATCH",
    `/v1/admin/franchises/${franchise.franchiseId}/commission`,
    { commissionBps: 300 },
  );
  assert.deepEqual([changed.statusCode, changed.json().commissionBps], [200, 300]);
  assert.equal((await pay(20_000)).json().commissionBps, 300);
  await runSettlement();
  // floor(20,050 × 2%) + floor(20,000 × 3%) = 401 + 600
  const mine = await call(world, franchise.owner.token, "GET", "/v1/settlements");
  const [s] = mine.json().items;
  assert.deepEqual(
    [s.gross, s.commission, s.net, s.status, s.paymentCount],
    [40_050, 1_001, 39_049, "PAID", 3],
  );
  assert.equal(await bankBalance(world, franchise.settlementAccount), 39_049);
  await runSettlement();
  assert.equal(await bankBalance(world, franchise.settlementAccount), 39_049, "never paid twice");
  const history = await call(
    world,
    world.staffToken,
    "GET",
    `/v1/admin/franchises/${franchise.franchiseId}/commission-history`,
  );
  assert.deepEqual(
    history.json().items.map((h: { commissionBps: number }) => h.commissionBps),
    [300, 200],
  );
  await booksAreRight();
});

test("OnePoint's table: accrual 1%, cancel, use, refusal, a second member, merchant billing 490", async () => {
  // Deals earn points at one franchise; the points are spent at OnePoint's merchant, whose billing is
  // the points spent there less its 2% commission.
  const deals = await newFranchise(world, { name: "Deal Store" });
  const merchant = await newFranchise(world, { name: "OnePoint Merchant" });
  const first = await recharged(300_000);
  const pay = (m: Member, franchiseId: string, amount: number, usePoints?: number) =>
    post(m.token, "/v1/payments", { franchiseId, amount, ...(usePoints === undefined ? {} : { usePoints }) });

  const deal1 = await pay(first, deals.franchiseId, 100_000);
  assert.deepEqual([deal1.json().pointsEarned, await points(first)], [1_000, 1_000]);
  const cancel = await post(first.token, `/v1/payments/${deal1.json().paymentId}/cancel`, {});
  assert.deepEqual([cancel.statusCode, cancel.json().status, await points(first)], [200, "CANCELLED", 0]);
  await pay(first, deals.franchiseId, 100_000);
  const use100 = await pay(first, merchant.franchiseId, 100, 100);
  assert.deepEqual(
    [use100.json().paidWithPoints, use100.json().pointsEarned, await points(first)],
    [100, 0, 900],
  );
  const tooMany = await pay(first, merchant.franchiseId, 10_000, 10_000);
  assert.deepEqual(
    [tooMany.statusCode, tooMany.json().code, await points(first)],
    [422, "INSUFFICIENT_POINTS", 900],
  );
  await pay(first, deals.franchiseId, 100_000);
  assert.equal(await points(first), 1_900);

  const second = await recharged(100_000);
  await pay(second, deals.franchiseId, 100_000);
  assert.equal(await points(second), 1_000);
  await pay(second, merchant.franchiseId, 200, 200);
  await pay(second, merchant.franchiseId, 200, 200);
  assert.equal(await points(second), 600);

  await runSettlement();
  assert.equal(await bankBalance(world, merchant.settlementAccount), 490, "(100 + 200 + 200) × 0.98");
  await booksAreRight();
});
