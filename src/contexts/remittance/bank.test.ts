import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { bankBalance, moneyOf, newMember, settled, startWorld, type World } from "../../testing/world.js";
import {
  assertBooks,
  finalOf,
  historyOf,
  payeeAccount,
  recharge,
  remit,
  remittanceOf,
  withFaults,
} from "./test-kit.js";

// remittanceMoney to a bank account, through the HTTP API and the sandbox bank: the payout, its fee,
// the auto-recharge, a refusal by the bank, and an answer that never comes.

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

const fee = 500;
const outcomes = (detail: { steps: Array<{ step: string; phase: string; outcome: string }> }) =>
  detail.steps.map((s) => `${s.step}${s.phase === "compensation" ? "↩" : ""}:${s.outcome}`);

describe("member → bank", () => {
  test("the payee's bank receives the amount; the sender pays amount + 500; the books balance", async () => {
    const kim = await newMember(world);
    await recharge(world, kim, 50_000);
    const payee = await payeeAccount(world);
    const res = await remit(world, kim, { to: payee, amount: 20_000 });
    assert.equal(res.statusCode, 201, res.body);
    const sent = res.json();
    assert.deepEqual(
      [sent.type, sent.amount, sent.fee, sent.autoRecharged, sent.status],
      ["BANK", 20_000, fee, false, "SUCCEEDED"],
    );
    assert.deepEqual(sent.to, payee);
    assert.equal(await bankBalance(world, payee), 20_000);
    assert.equal(await moneyOf(world, kim), 50_000 - 20_000 - fee);
    const history = await historyOf(world, kim);
    assert.deepEqual(
      history
        .filter(([, , ref]) => ref === sent.remittanceId)
        .map(([kind, amount]) => `${kind} ${amount}`)
        .sort(),
      ["FEE -500", "REMITTANCE_OUT -20000"],
    );
    const detail = await remittanceOf(world, kim, sent.remittanceId);
    assert.deepEqual(outcomes(detail), ["recharge:done", "hold:done", "payout:done", "settle:done"]);
    await settled(world);
    await assertBooks(world);
  });

  test("a short sender is recharged first: amount + fee is what it needs", async () => {
    const kim = await newMember(world, { bankBalance: 100_000 });
    const payee = await payeeAccount(world, "004");
    const res = await remit(world, kim, { to: payee, amount: 15_000 });
    assert.deepEqual([res.json().status, res.json().autoRecharged], ["SUCCEEDED", true]);
    assert.equal(await bankBalance(world, kim.account), 100_000 - 15_500, "the shortfall of 15,500 exactly");
    assert.equal(await moneyOf(world, kim), 0);
    assert.equal(await bankBalance(world, payee), 15_000);
    await settled(world);
    await assertBooks(world);
  });

  test("the bank refuses the payout: FAILED, and the sender gets everything back, the fee too", async () => {
    const kim = await newMember(world);
    await recharge(world, kim, 30_000);
    const payee = await payeeAccount(world);
    const res = await withFaults(world, { failureRate: 1 }, () =>
      remit(world, kim, { to: payee, amount: 10_000 }),
    );
    assert.equal(res.statusCode, 201);
    assert.deepEqual([res.json().status, res.json().failureReason], ["FAILED", "REFUSED"]);
    assert.equal(await moneyOf(world, kim), 30_000);
    assert.equal(await bankBalance(world, payee), 0);
    const detail = await remittanceOf(world, kim, res.json().remittanceId);
    assert.deepEqual(outcomes(detail), ["recharge:done", "hold:done", "payout:failed", "hold↩:done"]);
    assert.equal(detail.steps[2].reason, "REFUSED");
    const refunds = (await historyOf(world, kim)).filter(([, , ref]) => ref === res.json().remittanceId);
    assert.equal(
      refunds.reduce((sum, [, amount]) => sum + amount, 0),
      0,
    );
    await settled(world);
    await assertBooks(world);
  });

  test("the bank's answer times out: PENDING, then completed or refunded as the bank decided", async () => {
    const kim = await newMember(world);
    await recharge(world, kim, 100_000);
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const payee = await payeeAccount(world);
      const res = await withFaults(world, { timeoutRate: 1, timeoutHoldMs: 50 }, () =>
        remit(world, kim, { to: payee, amount: 10_000 }),
      );
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().status, "PENDING");
      runs.push({ id: res.json().remittanceId as string, payee });
    }
    let spent = 0;
    for (const { id, payee } of runs) {
      const final = await finalOf(world, kim, id);
      const arrived = await bankBalance(world, payee);
      if (final.status === "SUCCEEDED") {
        assert.equal(arrived, 10_000, "SUCCEEDED: the bank carried it out");
        spent += 10_000 + fee;
      } else {
        assert.equal(final.status, "FAILED");
        assert.equal(arrived, 0, "FAILED: the bank never moved it");
      }
      assert.ok(outcomes(final).includes("payout:waiting"), "the saga waited for the bank's answer");
    }
    assert.equal(await moneyOf(world, kim), 100_000 - spent);
    await settled(world);
    await assertBooks(world);
  });

  test("an auto-recharge whose bank answer times out leaves the remittance PENDING until it is known", async () => {
    const kim = await newMember(world, { bankBalance: 50_000 });
    const payee = await payeeAccount(world);
    const res = await withFaults(world, { timeoutRate: 1, timeoutHoldMs: 50 }, () =>
      remit(world, kim, { to: payee, amount: 9_000 }),
    );
    assert.deepEqual([res.json().status, res.json().autoRecharged], ["PENDING", false]);
    const final = await finalOf(world, kim, res.json().remittanceId);
    const recharged = 50_000 - (await bankBalance(world, kim.account));
    if (final.status === "SUCCEEDED") {
      assert.deepEqual([recharged, final.autoRecharged], [10_000, true]);
      assert.equal(await bankBalance(world, payee), 9_000);
      assert.equal(await moneyOf(world, kim), 10_000 - 9_500);
    } else {
      assert.deepEqual([recharged, final.failureReason], [0, "RECHARGE_FAILED"]);
      assert.equal(await bankBalance(world, payee), 0, "nothing else moved");
      assert.equal(await moneyOf(world, kim), 0);
    }
    await settled(world);
    await assertBooks(world);
  });
});
