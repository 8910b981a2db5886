import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { waitFor } from "../../testing/bus.js";
import {
  bankBalance,
  bankCall,
  books,
  call,
  type Franchise,
  fastEnv,
  fastTuning,
  type Member,
  moneyOf,
  newFranchise,
  newMember,
  settled,
  startWorld,
  type World,
} from "../../testing/world.js";

// The auto-recharge (자동 충전) of a payment, through HTTP. A payment waiting on its recharge looks again
// only after a minute here: it goes on sooner only because money's RechargeCompleted (cause: the
// payment) wakes it.

let world: World;
let shop: Franchise;
before(async () => {
  world = await startWorld(fastEnv, { ...fastTuning, sagas: { ...fastTuning.sagas, sagaWaitMs: 60_000 } });
  shop = await newFranchise(world);
});
after(() => world.close());

let keys = 0;
const pay = (m: Member, body: Record<string, unknown>, key = `pay-${++keys}`) =>
  call(world, m.token, "POST", "/v1/payments", { franchiseId: shop.franchiseId, ...body }, key);

async function funded(money: number, bankBalanceWon = 1_000_000): Promise<Member> {
  const m = await newMember(world, { bankBalance: bankBalanceWon });
  if (money > 0) {
    const res = await call(world, m.token, "POST", "/v1/money/recharge", { amount: money }, `seed-${++keys}`);
    assert.equal(res.json().status, "SUCCEEDED", res.body);
  }
  return m;
}

const points = async (m: Member) =>
  (await call(world, m.token, "GET", "/v1/money/me")).json().points as number;

async function booksBalance() {
  await settled(world);
  const { trial, recon } = await books(world);
  assert.equal(trial.totalDebit, trial.totalCredit);
  assert.equal(recon.ok, true, JSON.stringify(recon));
}

describe("a payment's auto-recharge", () => {
  test("short of money, the payment recharges from the linked account first: exactly the shortfall, or 10,000", async () => {
    const choi = await funded(0, 100_000);
    const big = (await pay(choi, { amount: 25_000 })).json();
    assert.equal(big.status, "NORMAL");
    assert.equal(big.autoRecharged, true);
    assert.equal(await moneyOf(world, choi), 0);
    assert.equal(await bankBalance(world, choi.account), 75_000);

    const han = await funded(10_000, 100_000);
    await pay(han, { amount: 5_000 });
    const small = (await pay(han, { amount: 8_000 })).json();
    assert.equal(small.autoRecharged, true);
    assert.equal(await moneyOf(world, han), 5_000 + 10_000 - 8_000);
    assert.equal(await bankBalance(world, han.account), 100_000 - 10_000 - 10_000);
    await booksBalance();
  });

  test("an auto-recharge the bank refuses fails the payment with 422 and moves nothing", async () => {
    const poor = await funded(0, 5_000);
    const res = await pay(poor, { amount: 20_000 }, "poor-pays");
    assert.equal(res.statusCode, 422, res.body);
    assert.equal(res.json().code, "INSUFFICIENT_BALANCE");
    const again = await pay(poor, { amount: 20_000 }, "poor-pays");
    assert.deepEqual(again.json(), res.json());
    const [slip] = (await call(world, poor.token, "GET", "/v1/payments")).json().items;
    assert.equal(slip.status, "FAILED");
    assert.equal(await moneyOf(world, poor), 0);
    assert.equal(await bankBalance(world, poor.account), 5_000);
    await booksBalance();
  });

  test("short of money with no linked account: 422 NO_LINKED_ACCOUNT, nothing paid", async () => {
    const oh = await funded(10_000);
    const unlink = await call(world, oh.token, "DELETE", `/v1/bank-accounts/${oh.bankAccountId}`);
    assert.equal(unlink.statusCode, 204, unlink.body);
    const res = await pay(oh, { amount: 15_000 });
    assert.equal(res.statusCode, 422, res.body);
    assert.equal(res.json().code, "NO_LINKED_ACCOUNT");
    assert.equal(await moneyOf(world, oh), 10_000);
    assert.equal((await pay(oh, { amount: 10_000 })).json().status, "NORMAL");
    assert.equal(await moneyOf(world, oh), 0);
  });

  test("an auto-recharge whose bank answer times out answers PENDING, then ends as soon as the recharge does", async () => {
    const yoon = await funded(0, 100_000);
    await bankCall(world.bank, "PUT", "/faults", { timeoutRate: 1, timeoutHoldMs: 50 });
    const res = await pay(yoon, { amount: 30_000 }, "pay-timeout");
    await bankCall(world.bank, "PUT", "/faults", { failureRate: 0, timeoutRate: 0, down: false });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().status, "PENDING");
    assert.equal(res.json().autoRecharged, true);
    const url = `/v1/payments/${res.json().paymentId}`;
    // Within seconds, not the minute the payment would wait unwoken.
    await waitFor(
      async () => (await call(world, yoon.token, "GET", url)).json().status !== "PENDING",
      15_000,
    );
    const final = (await call(world, yoon.token, "GET", url)).json();
    assert.ok(["NORMAL", "FAILED"].includes(final.status), final.status);
    const paid = final.status === "NORMAL";
    assert.equal(await moneyOf(world, yoon), 0);
    assert.equal(await bankBalance(world, yoon.account), paid ? 70_000 : 100_000);
    assert.equal(await points(yoon), paid ? 300 : 0);
    // The first answer stays the answer for a retry of the same request.
    const retry = await pay(yoon, { amount: 30_000 }, "pay-timeout");
    assert.deepEqual(retry.json(), res.json());
    await booksBalance();
  });
});
