import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  books,
  call,
  type Franchise,
  type Member,
  moneyOf,
  newFranchise,
  newMember,
  settled,
  startWorld,
  type World,
} from "../../testing/world.js";

// payWithMyMoney end to end, through HTTP: money and points to the franchise, points earned,
// idempotency and who may see a payment (the auto-recharge: auto-recharge.test.ts).

let world: World;
let shop: Franchise;
before(async () => {
  world = await startWorld();
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

const wallet = async (m: Member) => {
  const me = (await call(world, m.token, "GET", "/v1/money/me")).json();
  return { balance: me.balance as number, points: me.points as number };
};

/** What mypay owes franchises, as staff see it in the trial balance (this file's one franchise). */
async function payable(): Promise<number> {
  const { trial } = await books(world);
  const line = trial.accounts.find(
    (a: { account: string; currency: string }) => a.account === "franchise_payable" && a.currency === "KRW",
  );
  return line?.balance ?? 0;
}

async function booksBalance() {
  await settled(world);
  const { trial, recon } = await books(world);
  assert.equal(trial.totalDebit, trial.totalCredit);
  assert.equal(recon.ok, true, JSON.stringify(recon));
}

describe("payWithMyMoney (결제)", () => {
  test("pays with money: 201 NORMAL, 1% of the money part earned as points, the franchise's payable grows", async () => {
    const kim = await funded(100_000);
    const payableBefore = await payable();
    const res = await pay(kim, { amount: 50_000 });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.match(body.paymentId, /^pay_[0-9a-f]{32}$/);
    assert.deepEqual(
      {
        franchiseId: body.franchiseId,
        amount: body.amount,
        paidWithMoney: body.paidWithMoney,
        paidWithPoints: body.paidWithPoints,
        pointsEarned: body.pointsEarned,
        autoRecharged: body.autoRecharged,
        commissionBps: body.commissionBps,
        status: body.status,
      },
      {
        franchiseId: shop.franchiseId,
        amount: 50_000,
        paidWithMoney: 50_000,
        paidWithPoints: 0,
        pointsEarned: 500,
        autoRecharged: false,
        commissionBps: 200,
        status: "NORMAL",
      },
    );
    assert.ok(!Number.isNaN(Date.parse(body.createdAt)));
    assert.deepEqual(await wallet(kim), { balance: 50_000, points: 500 });
    assert.equal((await payable()) - payableBefore, 50_000);
    const got = await call(world, kim.token, "GET", `/v1/payments/${body.paymentId}`);
    assert.deepEqual(got.json(), body);
    await booksBalance();
  });

  test("usePoints pays part, then all of a payment (1 point = 1 won); points paid earn nothing", async () => {
    const lee = await funded(100_000);
    await pay(lee, { amount: 100_000 });
    assert.deepEqual(await wallet(lee), { balance: 0, points: 1_000 });

    const partly = (await pay(lee, { amount: 10_000, usePoints: 300 })).json();
    assert.equal(partly.status, "NORMAL");
    assert.equal(partly.paidWithPoints, 300);
    assert.equal(partly.paidWithMoney, 9_700);
    assert.equal(partly.pointsEarned, 97);
    assert.equal(partly.autoRecharged, true);

    const payableBefore = await payable();
    const fully = (await pay(lee, { amount: 797, usePoints: 797 })).json();
    assert.equal(fully.status, "NORMAL");
    assert.deepEqual([fully.paidWithMoney, fully.paidWithPoints, fully.pointsEarned], [0, 797, 0]);
    assert.equal(fully.autoRecharged, false);
    // The franchise is owed the won the points stood for: mypay's points expense funds them.
    assert.equal((await payable()) - payableBefore, 797);
    assert.deepEqual(await wallet(lee), { balance: 10_000 - 9_700, points: 0 });
    await booksBalance();
  });

  test("not enough points: 422 INSUFFICIENT_POINTS and nothing stored; more points than the amount is a 400", async () => {
    const park = await funded(50_000);
    await pay(park, { amount: 10_000 });
    const before = (await call(world, park.token, "GET", "/v1/payments")).json().items.length;
    const refused = await pay(park, { amount: 5_000, usePoints: 101 }, "too-many-points");
    assert.equal(refused.statusCode, 422);
    assert.equal(refused.json().code, "INSUFFICIENT_POINTS");
    assert.match(String(refused.headers["content-type"]), /^application\/problem\+json/);
    const again = await pay(park, { amount: 5_000, usePoints: 101 }, "too-many-points");
    assert.deepEqual(again.json(), refused.json());
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.equal((await call(world, park.token, "GET", "/v1/payments")).json().items.length, before);
    assert.deepEqual(await wallet(park), { balance: 40_000, points: 100 });

    const over = await pay(park, { amount: 50, usePoints: 60 });
    assert.equal(over.statusCode, 400);
    assert.equal(over.json().code, "VALIDATION_FAILED");
    const nowhere = await pay(park, { amount: 50, franchiseId: `fra_${"0".repeat(32)}` });
    assert.equal(nowhere.statusCode, 404);
    assert.equal(nowhere.json().code, "NOT_FOUND");
    for (const amount of [0, -1, 1.5, "1000", 2_000_001]) {
      const bad = await pay(park, { amount });
      assert.equal(bad.statusCode, 400, `amount ${amount}`);
    }
    const noKey = await call(world, park.token, "POST", "/v1/payments", {
      franchiseId: shop.franchiseId,
      amount: 1_000,
    });
    assert.equal(noKey.statusCode, 400);
    assert.equal((await call(world, park.token, "GET", "/v1/payments")).json().items.length, before);
  });

  test("two payments racing for the same points: one pays, the other is 422 INSUFFICIENT_POINTS and moves nothing", async () => {
    const kang = await funded(50_000);
    await pay(kang, { amount: 50_000 });
    assert.deepEqual(await wallet(kang), { balance: 0, points: 500 });
    const answers = await Promise.all([
      pay(kang, { amount: 500, usePoints: 500 }),
      pay(kang, { amount: 500, usePoints: 500 }),
    ]);
    const statuses = answers.map((r) => r.statusCode).sort();
    assert.deepEqual(statuses, [201, 422]);
    const refused = answers.find((r) => r.statusCode === 422)!;
    assert.equal(refused.json().code, "INSUFFICIENT_POINTS");
    assert.deepEqual(await wallet(kang), { balance: 0, points: 0 });
    const slips = (await call(world, kang.token, "GET", "/v1/payments?status=NORMAL")).json().items;
    assert.equal(slips.length, 2);
    await booksBalance();
  });

  test("a retry with the same key answers the same and pays once; the key with another body is 422", async () => {
    const seo = await funded(50_000);
    const first = await pay(seo, { amount: 12_000 }, "same-key");
    const again = await pay(seo, { amount: 12_000 }, "same-key");
    assert.equal(again.statusCode, 201);
    assert.deepEqual(again.json(), first.json());
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.equal(await moneyOf(world, seo), 38_000);
    const reused = await pay(seo, { amount: 13_000 }, "same-key");
    assert.equal(reused.statusCode, 422);
    assert.equal(reused.json().code, "IDEMPOTENCY_KEY_REUSED");
    assert.equal(await moneyOf(world, seo), 38_000);
    // Keys are the member's own: another member's same key is another request.
    const other = await funded(50_000);
    assert.equal((await pay(other, { amount: 12_000 }, "same-key")).json().status, "NORMAL");
  });

  test("a payment is seen by its payer, the franchise's owner and staff; anyone else gets 404", async () => {
    const jung = await funded(20_000);
    const stranger = await newMember(world);
    const { paymentId } = (await pay(jung, { amount: 3_000 })).json();
    const url = `/v1/payments/${paymentId}`;
    assert.equal((await call(world, jung.token, "GET", url)).statusCode, 200);
    assert.equal((await call(world, shop.owner.token, "GET", url)).statusCode, 200);
    assert.equal((await call(world, world.staffToken, "GET", url)).statusCode, 200);
    const peek = await call(world, stranger.token, "GET", url);
    assert.equal(peek.statusCode, 404);
    assert.equal(peek.json().code, "NOT_FOUND");
    const missing = await call(world, jung.token, "GET", `/v1/payments/pay_${"0".repeat(32)}`);
    assert.equal(missing.statusCode, 404);
  });
});
