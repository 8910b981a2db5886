import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  books,
  call,
  type Franchise,
  type Member,
  newFranchise,
  newMember,
  settled,
  startWorld,
  type World,
} from "../../testing/world.js";

// Cancelling a payment (결제 취소) through HTTP: what goes back, what is taken back, and who may cancel.

let world: World;
let shop: Franchise;
let other: Franchise;
before(async () => {
  world = await startWorld();
  shop = await newFranchise(world);
  other = await newFranchise(world, { name: "Hapjeong Bakery" });
});
after(() => world.close());

let keys = 0;
const pay = async (m: Member, body: Record<string, unknown>, at: Franchise = shop) => {
  const res = await call(
    world,
    m.token,
    "POST",
    "/v1/payments",
    { franchiseId: at.franchiseId, ...body },
    `p-${++keys}`,
  );
  assert.equal(res.json().status, "NORMAL", res.body);
  return res.json() as { paymentId: string; amount: number };
};
const cancel = (token: string, paymentId: string, key = `c-${++keys}`) =>
  call(world, token, "POST", `/v1/payments/${paymentId}/cancel`, undefined, key);

async function funded(money: number): Promise<Member> {
  const m = await newMember(world, { bankBalance: 1_000_000 });
  const res = await call(world, m.token, "POST", "/v1/money/recharge", { amount: money }, `seed-${++keys}`);
  assert.equal(res.json().status, "SUCCEEDED", res.body);
  return m;
}

const wallet = async (m: Member) => {
  const me = (await call(world, m.token, "GET", "/v1/money/me")).json();
  return { balance: me.balance as number, points: me.points as number };
};

async function booksBalance() {
  await settled(world);
  const { trial, recon } = await books(world);
  assert.equal(trial.totalDebit, trial.totalCredit);
  assert.equal(recon.ok, true, JSON.stringify(recon));
}

describe("cancelling a payment", () => {
  test("money and used points go back, earned points are taken back; a replay answers the same", async () => {
    const kim = await funded(100_000);
    await pay(kim, { amount: 50_000 });
    const { paymentId } = await pay(kim, { amount: 20_000, usePoints: 200 });
    assert.deepEqual(await wallet(kim), { balance: 50_000 - 19_800, points: 500 - 200 + 198 });

    const res = await cancel(kim.token, paymentId, "cancel-once");
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().status, "CANCELLED");
    assert.equal(res.json().paymentId, paymentId);
    assert.deepEqual(res.json().refund, {
      money: 19_800,
      points: 200,
      pointsTakenBack: 198,
      takenFromMoney: 0,
    });
    assert.deepEqual(await wallet(kim), { balance: 50_000, points: 500 });

    const replay = await cancel(kim.token, paymentId, "cancel-once");
    assert.deepEqual(replay.json(), res.json());
    assert.equal(replay.headers["idempotent-replayed"], "true");
    const got = (await call(world, kim.token, "GET", `/v1/payments/${paymentId}`)).json();
    assert.deepEqual(got, res.json());
    const twice = await cancel(kim.token, paymentId);
    assert.equal(twice.statusCode, 409);
    assert.equal(twice.json().code, "CONFLICT");
    assert.deepEqual(await wallet(kim), { balance: 50_000, points: 500 });
    await booksBalance();
  });

  test("earned 1,000 points, spent 600 elsewhere: the cancel takes 400 back and 600 won from the refund", async () => {
    const lee = await funded(100_000);
    const { paymentId } = await pay(lee, { amount: 100_000 });
    await pay(lee, { amount: 600, usePoints: 600 }, other);
    assert.deepEqual(await wallet(lee), { balance: 0, points: 400 });

    const res = await cancel(lee.token, paymentId);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().refund, {
      money: 99_400,
      points: 0,
      pointsTakenBack: 400,
      takenFromMoney: 600,
    });
    assert.deepEqual(await wallet(lee), { balance: 99_400, points: 0 });
    await booksBalance();
  });

  test("the franchise's owner and staff may cancel; a stranger gets 404 and changes nothing", async () => {
    const park = await funded(50_000);
    const first = await pay(park, { amount: 10_000 });
    const second = await pay(park, { amount: 5_000 });
    const stranger = await newMember(world);

    const peek = await cancel(stranger.token, first.paymentId);
    assert.equal(peek.statusCode, 404);
    assert.equal(peek.json().code, "NOT_FOUND");
    // The other franchise's owner is a stranger to this payment too.
    assert.equal((await cancel(other.owner.token, first.paymentId)).statusCode, 404);
    assert.equal(
      (await call(world, park.token, "GET", `/v1/payments/${first.paymentId}`)).json().status,
      "NORMAL",
    );

    const byOwner = await cancel(shop.owner.token, first.paymentId);
    assert.equal(byOwner.statusCode, 200, byOwner.body);
    assert.equal(byOwner.json().status, "CANCELLED");
    const byStaff = await cancel(world.staffToken, second.paymentId);
    assert.equal(byStaff.statusCode, 200, byStaff.body);
    assert.equal(byStaff.json().refund.money, 5_000);
    assert.deepEqual(await wallet(park), { balance: 50_000, points: 0 });
    await booksBalance();
  });

  test("a payment that failed cannot be cancelled (409), and a cancel needs an Idempotency-Key", async () => {
    const poor = await newMember(world, { bankBalance: 1_000 });
    const failed = await call(
      world,
      poor.token,
      "POST",
      "/v1/payments",
      { franchiseId: shop.franchiseId, amount: 30_000 },
      `p-${++keys}`,
    );
    assert.equal(failed.statusCode, 422, failed.body);
    const [slip] = (await call(world, poor.token, "GET", "/v1/payments")).json().items;
    assert.equal(slip.status, "FAILED");
    const res = await cancel(poor.token, slip.paymentId);
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().code, "CONFLICT");

    const choi = await funded(10_000);
    const { paymentId } = await pay(choi, { amount: 1_000 });
    const noKey = await call(world, choi.token, "POST", `/v1/payments/${paymentId}/cancel`);
    assert.equal(noKey.statusCode, 400);
    assert.equal(noKey.json().code, "VALIDATION_FAILED");
    assert.equal((await call(world, choi.token, "GET", `/v1/payments/${paymentId}`)).json().status, "NORMAL");
  });
});
