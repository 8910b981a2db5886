import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { seededRandom } from "../../testing/random.js";
import {
  bankBalance,
  call,
  type Franchise,
  type Member,
  newFranchise,
  newMember,
  startWorld,
  type World,
} from "../../testing/world.js";
import {
  assertBooks,
  assertPaidOnce,
  ledgerLine,
  nextKey,
  pay,
  paymentStatus,
  runToEnd,
  settlementsOf,
  startRun,
} from "./test-kit.js";

// settlement and modifyCommission end to end, through HTTP: the commission of each stamped rate, the
// net at the franchise's settlement account at the bank, the payments SETTLED, and never twice.

let world: World;
let payer: Member;
before(async () => {
  world = await startWorld();
  payer = await newMember(world, { bankBalance: 10_000_000 });
});
after(() => world.close());

const setCommission = (shop: Franchise, commissionBps: number) =>
  call(world, world.staffToken, "PATCH", `/v1/admin/franchises/${shop.franchiseId}/commission`, {
    commissionBps,
  });

describe("settlement (정산)", () => {
  test("settlement + modifyCommission: commission per stamped rate, the net at the bank, payments SETTLED", async () => {
    const shop = await newFranchise(world);
    const other = await newFranchise(world, { name: "Hongdae Bakery" });
    const atTwo = [await pay(world, payer, shop, 10_000), await pay(world, payer, shop, 20_001)];
    const changed = await setCommission(shop, 300);
    assert.equal(changed.statusCode, 200, changed.body);
    const atThree = await pay(world, payer, shop, 30_003);
    const elsewhere = await pay(world, payer, other, 5_000);
    const payablesBefore = await ledgerLine(world, "franchise_payable");
    const revenueBefore = await ledgerLine(world, "commission_revenue");

    const res = await startRun(world);
    assert.equal(res.statusCode, 201, res.body);
    const answer = res.json();
    assert.match(answer.runId, /^str_[0-9a-f]{32}$/);
    // floor(30,001 × 2%) + floor(30,003 × 3%) = 600 + 900 for the shop; floor(5,000 × 2%) = 100 for the other.
    assert.deepEqual(
      [answer.franchises, answer.paymentCount, answer.gross, answer.commission, answer.net],
      [2, 4, 65_004, 1_600, 63_404],
    );
    assert.equal(answer.status, "RUNNING");
    assert.equal(answer.scheduledFor, null);

    const run = await runToEnd(world, {});
    assert.equal(run.franchises, 0, "a second run finds nothing new to settle");
    const first = (
      await call(world, world.staffToken, "GET", `/v1/admin/settlements/runs/${answer.runId}`)
    ).json();
    assert.equal(first.status, "COMPLETED");
    assert.deepEqual(first.settlements, { pending: 0, paid: 2, failed: 0 });

    const [settlement] = await settlementsOf(world, shop);
    assert.ok(settlement);
    assert.deepEqual(
      [settlement.status, settlement.paymentCount, settlement.gross, settlement.commission, settlement.net],
      ["PAID", 3, 60_004, 1_500, 58_504],
    );
    assert.match(settlement.firmbankingId ?? "", /^fbk_/);
    assert.ok(settlement.paidAt);
    await assertPaidOnce(world, shop, [...atTwo, atThree]);
    await assertPaidOnce(world, other, [elsewhere]);
    assert.equal(payablesBefore - (await ledgerLine(world, "franchise_payable")), 65_004);
    assert.equal((await ledgerLine(world, "commission_revenue")) - revenueBefore, 1_600);
    assert.equal(await ledgerLine(world, "money_in_transit"), 0);

    const cancel = await call(world, payer.token, "POST", `/v1/payments/${atThree}/cancel`, {}, nextKey());
    assert.equal(cancel.statusCode, 409, cancel.body);
    assert.equal(cancel.json().code, "ALREADY_SETTLED");
    assert.equal(await bankBalance(world, shop.settlementAccount), 58_504);
    await assertBooks(world);
  });

  test("two runs at once: each payment is claimed by one of them, each franchise paid its net once", async () => {
    const shops = [await newFranchise(world), await newFranchise(world), await newFranchise(world)];
    // One payer pays one at a time: concurrent auto-recharges of one member may leave one payment short.
    const made: string[][] = [];
    for (const [i, shop] of shops.entries())
      made.push([await pay(world, payer, shop, 11_000 + i), await pay(world, payer, shop, 900)]);
    const [a, b] = await Promise.all([startRun(world), startRun(world)]);
    assert.equal(a?.statusCode, 201, a?.body);
    assert.equal(b?.statusCode, 201, b?.body);
    assert.notEqual(a.json().runId, b.json().runId);
    assert.equal(a.json().paymentCount + b.json().paymentCount, 6);
    await runToEnd(world);
    for (const [i, shop] of shops.entries()) {
      const { paid } = await assertPaidOnce(world, shop, made[i]!);
      assert.equal(paid.length, 1, "one settlement per franchise, whichever run claimed it");
      assert.equal(paid[0]!.net, 11_900 + i - Math.floor(((11_900 + i) * 200) / 10_000));
    }
    await assertBooks(world);
  });

  test("a commission of 100%: nothing to send, the bank is not asked, the settlement is PAID", async () => {
    const shop = await newFranchise(world);
    assert.equal((await setCommission(shop, 10_000)).statusCode, 200);
    const payment = await pay(world, payer, shop, 5_000);
    const revenueBefore = await ledgerLine(world, "commission_revenue");
    await runToEnd(world);
    const [settlement] = await settlementsOf(world, shop);
    assert.deepEqual(
      [settlement?.status, settlement?.commission, settlement?.net, settlement?.firmbankingId],
      ["PAID", 5_000, 0, null],
    );
    await assertPaidOnce(world, shop, [payment]);
    assert.equal((await ledgerLine(world, "commission_revenue")) - revenueBefore, 5_000);
    await assertBooks(world);
  });

  test("a cutoff in the past leaves later payments NORMAL for a later run", async () => {
    const shop = await newFranchise(world);
    const early = await pay(world, payer, shop, 7_000);
    const cutoff = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const late = await pay(world, payer, shop, 3_000);
    const run = await runToEnd(world, { cutoff });
    assert.equal(run.cutoff, cutoff);
    assert.equal(await paymentStatus(world, early), "SETTLED");
    assert.equal(await paymentStatus(world, late), "NORMAL");
    await runToEnd(world);
    await assertPaidOnce(world, shop, [early, late]);
    assert.equal(await bankBalance(world, shop.settlementAccount), 6_860 + 2_940);
    await assertBooks(world);
  });

  test("each payment lands in exactly one settlement, whatever the rates and cutoffs across runs", async () => {
    const random = seededRandom(7);
    const shops = [await newFranchise(world), await newFranchise(world)];
    const made = new Map<string, Array<{ id: string; amount: number; bps: number }>>();
    const rates = new Map(shops.map((s) => [s.franchiseId, 200]));
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 5; i++) {
        const shop = shops[Math.floor(random() * shops.length)]!;
        const amount = 1 + Math.floor(random() * 40_000);
        const id = await pay(world, payer, shop, amount);
        made.set(shop.franchiseId, [
          ...(made.get(shop.franchiseId) ?? []),
          { id, amount, bps: rates.get(shop.franchiseId)! },
        ]);
        if (random() < 0.3) {
          const bps = Math.floor(random() * 1_000);
          assert.equal((await setCommission(shop, bps)).statusCode, 200);
          rates.set(shop.franchiseId, bps);
        }
      }
      // Two runs at once every other round; a run with a cutoff a little in the past otherwise.
      if (round % 2 === 0) await Promise.all([runToEnd(world), runToEnd(world)]);
      else await runToEnd(world, { cutoff: new Date(Date.now() - 1).toISOString() });
    }
    await runToEnd(world);
    for (const shop of shops) {
      const payments = made.get(shop.franchiseId) ?? [];
      const { paid, net } = await assertPaidOnce(
        world,
        shop,
        payments.map((p) => p.id),
      );
      const gross = payments.reduce((s, p) => s + p.amount, 0);
      assert.equal(
        paid.reduce((s, x) => s + x.gross, 0),
        gross,
      );
      // Each run floors per stamped rate: never more than the exact commission, never below the per-payment floors.
      const exact = payments.reduce((s, p) => s + p.amount * p.bps, 0) / 10_000;
      const floors = payments.reduce((s, p) => s + Math.floor((p.amount * p.bps) / 10_000), 0);
      assert.ok(gross - net <= exact && gross - net >= floors, `${gross - net} within [${floors}, ${exact}]`);
    }
    await assertBooks(world);
  });
});
