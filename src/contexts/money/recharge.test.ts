import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { waitFor } from "../../testing/bus.js";
import {
  bankBalance,
  bankCall,
  books,
  call,
  type Member,
  moneyOf,
  newMember,
  settled,
  startWorld,
  type World,
} from "../../testing/world.js";

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

let keys = 0;
const recharge = (m: Member, amount: unknown, key = `r-${++keys}`) =>
  call(world, m.token, "POST", "/v1/money/recharge", { amount }, key);

async function corporateBalance() {
  return (await books(world)).recon.bankBalance as number;
}

describe("recharge (충전)", () => {
  test("moves won from the member's bank account into mypay's corporate account and credits the money", async () => {
    const kim = await newMember(world, { bankBalance: 300_000 });
    const corporateBefore = await corporateBalance();
    const res = await recharge(kim, 100_000);
    assert.equal(res.statusCode, 201);
    assert.equal(res.json().status, "SUCCEEDED");
    assert.equal(res.json().balance, 100_000);
    assert.match(res.json().rechargeId, /^rch_/);
    assert.equal(await moneyOf(world, kim), 100_000);
    assert.equal(await bankBalance(world, kim.account), 200_000);
    assert.equal((await corporateBalance()) - corporateBefore, 100_000);
    const history = (await call(world, kim.token, "GET", "/v1/money/history")).json();
    assert.deepEqual(
      history.items.map((i: { kind: string; amount: number; balanceAfter: number }) => [
        i.kind,
        i.amount,
        i.balanceAfter,
      ]),
      [["RECHARGE", 100_000, 100_000]],
    );
  });

  test("a retry with the same key answers the same and moves nothing again", async () => {
    const lee = await newMember(world, { bankBalance: 300_000 });
    const first = await recharge(lee, 50_000, "same-key");
    const again = await recharge(lee, 50_000, "same-key");
    assert.equal(again.statusCode, 201);
    assert.deepEqual(again.json(), first.json());
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.equal(await moneyOf(world, lee), 50_000);
    assert.equal(await bankBalance(world, lee.account), 250_000);
    const reused = await recharge(lee, 60_000, "same-key");
    assert.equal(reused.statusCode, 422);
    assert.equal(reused.json().code, "IDEMPOTENCY_KEY_REUSED");
  });

  test("bad amounts and a missing key are refused and change nothing", async () => {
    const park = await newMember(world);
    const cases: Array<[unknown, number, string]> = [
      [15_000, 400, "INVALID_AMOUNT_UNIT"],
      [0, 400, "VALIDATION_FAILED"],
      [-10_000, 400, "VALIDATION_FAILED"],
      [1.5, 400, "VALIDATION_FAILED"],
      ["10000", 400, "VALIDATION_FAILED"],
      [10_000_000, 400, "VALIDATION_FAILED"],
      [1e21, 400, "VALIDATION_FAILED"],
      [null, 400, "VALIDATION_FAILED"],
      [{ won: 10_000 }, 400, "VALIDATION_FAILED"],
    ];
    for (const [amount, status, code] of cases) {
      const res = await recharge(park, amount);
      assert.equal(res.statusCode, status, `amount ${JSON.stringify(amount)}`);
      assert.equal(res.json().code, code, `amount ${JSON.stringify(amount)}`);
    }
    const noKey = await world.mypay.app.inject({
      method: "POST",
      url: "/v1/money/recharge",
      headers: { authorization: `Bearer ${park.token}` },
      payload: { amount: 10_000 },
    });
    assert.equal(noKey.statusCode, 400);
    assert.match(noKey.json().detail, /idempotency-key/i);
    assert.equal(await moneyOf(world, park), 0);
    assert.equal(await bankBalance(world, park.account), 1_000_000);
  });

  test("without a linked account: 422 NO_LINKED_ACCOUNT", async () => {
    const choi = await newMember(world);
    const unlink = await call(world, choi.token, "DELETE", `/v1/bank-accounts/${choi.bankAccountId}`);
    assert.equal(unlink.statusCode, 204);
    const res = await recharge(choi, 10_000);
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().code, "NO_LINKED_ACCOUNT");
  });

  test("past the balance cap: 422 BALANCE_LIMIT_EXCEEDED, and no won leave the bank", async () => {
    const jung = await newMember(world, { bankBalance: 5_000_000 });
    assert.equal((await recharge(jung, 1_990_000)).json().status, "SUCCEEDED");
    const res = await recharge(jung, 20_000);
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().code, "BALANCE_LIMIT_EXCEEDED");
    assert.equal(await moneyOf(world, jung), 1_990_000);
    assert.equal(await bankBalance(world, jung.account), 3_010_000);
    assert.equal((await recharge(jung, 10_000)).json().status, "SUCCEEDED");
  });

  test("a refusal by the bank is FAILED and moves nothing", async () => {
    const poor = await newMember(world, { bankBalance: 5_000 });
    const res = await recharge(poor, 10_000);
    assert.equal(res.statusCode, 201);
    assert.equal(res.json().status, "FAILED");
    assert.equal(await moneyOf(world, poor), 0);
    assert.equal(await bankBalance(world, poor.account), 5_000);
  });

  test("a bank answer that times out is PENDING, then completes as the bank really did", async () => {
    const han = await newMember(world, { bankBalance: 100_000 });
    await bankCall(world.bank, "PUT", "/faults", { timeoutRate: 1, timeoutHoldMs: 50 });
    const res = await recharge(han, 30_000);
    await bankCall(world.bank, "PUT", "/faults", {});
    assert.equal(res.statusCode, 201);
    assert.equal(res.json().status, "PENDING");
    const id = res.json().rechargeId;
    await waitFor(
      async () =>
        (await call(world, han.token, "GET", `/v1/money/recharges/${id}`)).json().status !== "PENDING",
      15_000,
    );
    const final = (await call(world, han.token, "GET", `/v1/money/recharges/${id}`)).json();
    const moved = 100_000 - (await bankBalance(world, han.account));
    assert.equal(await moneyOf(world, han), final.status === "SUCCEEDED" ? 30_000 : 0);
    assert.equal(moved, final.status === "SUCCEEDED" ? 30_000 : 0);
    // The first answer stays the answer for retries of the same request.
    assert.equal(
      (await call(world, han.token, "GET", `/v1/money/recharges/${id}`, undefined)).statusCode,
      200,
    );
  });

  test("while the bank is down the breaker opens and recharges fail fast with 503, moving nothing", async () => {
    const yoon = await newMember(world, { bankBalance: 100_000 });
    await bankCall(world.bank, "PUT", "/faults", { down: true });
    try {
      const answers = [];
      for (let i = 0; i < 8; i++) answers.push(await recharge(yoon, 10_000));
      const last = answers.at(-1)!;
      assert.equal(last.statusCode, 503);
      assert.equal(last.json().code, "BANK_UNAVAILABLE");
    } finally {
      await bankCall(world.bank, "PUT", "/faults", {});
    }
    await settled(world);
    assert.equal(await bankBalance(world, yoon.account), 100_000 - (await moneyOf(world, yoon)));
  });

  test("item 14: balance is the balance right after the recharge, in the POST's answer and the GET alike (null while PENDING)", async () => {
    const seo = await newMember(world, { bankBalance: 100_000 });
    const first = await recharge(seo, 10_000);
    assert.equal(first.json().balance, 10_000);
    assert.equal((await recharge(seo, 20_000)).json().balance, 30_000);
    const later = await call(world, seo.token, "GET", `/v1/money/recharges/${first.json().rechargeId}`);
    assert.deepEqual(later.json(), first.json());

    await bankCall(world.bank, "PUT", "/faults", { timeoutRate: 1, timeoutHoldMs: 50 });
    const pending = await recharge(seo, 10_000);
    await bankCall(world.bank, "PUT", "/faults", {});
    assert.equal(pending.json().status, "PENDING");
    assert.equal(pending.json().balance, null);
    await settled(world);
    const done = (
      await call(world, seo.token, "GET", `/v1/money/recharges/${pending.json().rechargeId}`)
    ).json();
    assert.equal(done.balance, done.status === "SUCCEEDED" ? 40_000 : 30_000);
  });

  test("another member's recharge is 404, as if it did not exist", async () => {
    const a = await newMember(world);
    const b = await newMember(world);
    const res = await recharge(a, 10_000);
    const peek = await call(world, b.token, "GET", `/v1/money/recharges/${res.json().rechargeId}`);
    assert.equal(peek.statusCode, 404);
    assert.equal(peek.json().code, "NOT_FOUND");
  });

  test("the books balance and corporate cash matches the bank", async () => {
    await settled(world);
    const { trial, recon } = await books(world);
    assert.equal(trial.totalDebit, trial.totalCredit);
    assert.equal(recon.ok, true, JSON.stringify(recon));
    assert.equal(recon.difference, 0);
  });
});

describe("recharge credits go through group commit", () => {
  test("credits of recharges arriving together are posted in batches, each member credited once", async () => {
    const members = await Promise.all(
      Array.from({ length: 6 }, () => newMember(world, { bankBalance: 100_000 })),
    );
    const group = world.mypay.contexts.money.deps.group;
    const before = group.stats();
    const answers = await Promise.all(members.map((m) => recharge(m, 20_000)));
    assert.deepEqual(
      answers.map((a) => a.json().status),
      members.map(() => "SUCCEEDED"),
    );
    const after = group.stats();
    assert.equal(after.requests - before.requests, members.length, "every credit was a group request");
    for (const m of members) assert.equal(await moneyOf(world, m), 20_000);
    assert.deepEqual(
      await Promise.all(members.map((m) => bankBalance(world, m.account))),
      members.map(() => 80_000),
    );
  });
});
