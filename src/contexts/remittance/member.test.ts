import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  bankBalance,
  call,
  moneyOf,
  newMember,
  settled,
  startWorld,
  type World,
} from "../../testing/world.js";
import { assertBooks, historyOf, nextKey, recharge, remit, remittanceOf } from "./test-kit.js";

// remittanceMoney between members, through the HTTP API: balances on both sides, the auto-recharge,
// idempotent retries, and who may read a remittance.

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

describe("member → member", () => {
  test("moves the amount between the two balances, fee 0, and both histories show it", async () => {
    const [kim, lee] = [await newMember(world), await newMember(world)];
    await recharge(world, kim, 50_000);
    const res = await remit(world, kim, {
      to: { membershipId: lee.membershipId },
      amount: 20_000,
      memo: "점심값",
    });
    assert.equal(res.statusCode, 201, res.body);
    const sent = res.json();
    assert.match(sent.remittanceId, /^rem_[0-9a-f]{32}$/);
    assert.deepEqual(
      [sent.type, sent.amount, sent.fee, sent.autoRecharged, sent.status, sent.memo],
      ["MEMBER", 20_000, 0, false, "SUCCEEDED", "점심값"],
    );
    assert.deepEqual(sent.to, { membershipId: lee.membershipId });
    assert.equal(await moneyOf(world, kim), 30_000);
    assert.equal(await moneyOf(world, lee), 20_000);
    assert.deepEqual((await historyOf(world, kim))[0], ["REMITTANCE_OUT", -20_000, sent.remittanceId]);
    assert.deepEqual((await historyOf(world, lee))[0], ["REMITTANCE_IN", 20_000, sent.remittanceId]);

    const detail = await remittanceOf(world, kim, sent.remittanceId);
    assert.deepEqual(
      detail.steps.map((s: { step: string; outcome: string }) => `${s.step}:${s.outcome}`),
      ["recharge:done", "transfer:done"],
    );
    await assertBooks(world);
  });

  test("auto-recharges 10,000 won when the shortfall is 10,000 or less, else exactly the shortfall", async () => {
    const [kim, lee] = [await newMember(world, { bankBalance: 200_000 }), await newMember(world)];
    await recharge(world, kim, 30_000);
    const small = await remit(world, kim, { to: { membershipId: lee.membershipId }, amount: 35_000 });
    assert.deepEqual([small.json().status, small.json().autoRecharged], ["SUCCEEDED", true]);
    assert.equal(await moneyOf(world, kim), 5_000, "30,000 + 10,000 recharged − 35,000");
    assert.equal(await bankBalance(world, kim.account), 160_000);

    const large = await remit(world, kim, { to: { membershipId: lee.membershipId }, amount: 50_000 });
    assert.deepEqual([large.json().status, large.json().autoRecharged], ["SUCCEEDED", true]);
    assert.equal(await moneyOf(world, kim), 0, "the shortfall of 45,000 recharged exactly");
    assert.equal(await bankBalance(world, kim.account), 115_000);
    assert.equal(await moneyOf(world, lee), 85_000);
    const kinds = (await historyOf(world, kim)).map(([kind, amount]) => `${kind} ${amount}`);
    assert.deepEqual(kinds.slice(0, 4), [
      "REMITTANCE_OUT -50000",
      "RECHARGE 45000",
      "REMITTANCE_OUT -35000",
      "RECHARGE 10000",
    ]);
    await assertBooks(world);
  });

  test("an auto-recharge the bank refuses fails the remittance, and nothing else moves", async () => {
    const [kim, lee] = [await newMember(world, { bankBalance: 3_000 }), await newMember(world)];
    const res = await remit(world, kim, { to: { membershipId: lee.membershipId }, amount: 5_000 });
    assert.equal(res.statusCode, 201);
    assert.deepEqual(
      [res.json().status, res.json().autoRecharged, res.json().failureReason],
      ["FAILED", false, "RECHARGE_FAILED"],
    );
    assert.deepEqual([await moneyOf(world, kim), await moneyOf(world, lee)], [0, 0]);
    assert.equal(await bankBalance(world, kim.account), 3_000);
    await assertBooks(world);
  });

  test("a transfer past the receiver's cap fails with its code and moves nothing", async () => {
    const [kim, lee] = [await newMember(world, { bankBalance: 3_000_000 }), await newMember(world)];
    await recharge(world, kim, 1_500_000);
    await recharge(world, lee, 1_000_000);
    const res = await remit(world, kim, { to: { membershipId: lee.membershipId }, amount: 1_200_000 });
    assert.deepEqual([res.json().status, res.json().failureReason], ["FAILED", "BALANCE_LIMIT_EXCEEDED"]);
    assert.deepEqual([await moneyOf(world, kim), await moneyOf(world, lee)], [1_500_000, 1_000_000]);
  });
});

describe("retries and reading", () => {
  test("the same key answers the first response again and moves money once; another body is refused", async () => {
    const [kim, lee] = [await newMember(world), await newMember(world)];
    await recharge(world, kim, 50_000);
    const key = nextKey();
    const body = { to: { membershipId: lee.membershipId }, amount: 10_000 };
    const first = await remit(world, kim, body, key);
    const again = await remit(world, kim, body, key);
    assert.equal(again.statusCode, 201);
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.deepEqual(again.json(), first.json());
    assert.equal(await moneyOf(world, kim), 40_000);
    assert.equal(await moneyOf(world, lee), 10_000);

    const other = await remit(world, kim, { ...body, amount: 20_000 }, key);
    assert.equal(other.statusCode, 422);
    assert.equal(other.json().code, "IDEMPOTENCY_KEY_REUSED");
    // Keys are the member's own: Lee may use the same one for its own remittance.
    await recharge(world, lee, 10_000);
    const lees = await remit(world, lee, { to: { membershipId: kim.membershipId }, amount: 5_000 }, key);
    assert.equal(lees.json().status, "SUCCEEDED");
    assert.equal(await moneyOf(world, kim), 45_000);
  });

  test("sender, receiver and staff read it; anyone else gets 404 as for an unknown id", async () => {
    const [kim, lee, park] = [await newMember(world), await newMember(world), await newMember(world)];
    await recharge(world, kim, 20_000);
    const id = (await remit(world, kim, { to: { membershipId: lee.membershipId }, amount: 7_000 })).json()
      .remittanceId;
    assert.equal((await remittanceOf(world, lee, id)).amount, 7_000);
    assert.equal((await call(world, world.staffToken, "GET", `/v1/remittances/${id}`)).statusCode, 200);
    const stranger = await call(world, park.token, "GET", `/v1/remittances/${id}`);
    const unknown = await call(world, park.token, "GET", `/v1/remittances/rem_${"0".repeat(32)}`);
    assert.deepEqual([stranger.statusCode, stranger.json().code], [404, "NOT_FOUND"]);
    assert.deepEqual([unknown.statusCode, unknown.json().code], [404, "NOT_FOUND"]);
    assert.equal((await call(world, park.token, "GET", "/v1/remittances/not-an-id")).statusCode, 404);

    const leesList = (await call(world, lee.token, "GET", "/v1/remittances")).json();
    assert.deepEqual(
      leesList.items.map((r: { remittanceId: string; from: { membershipId: string } }) => [
        r.remittanceId,
        r.from.membershipId,
      ]),
      [[id, kim.membershipId]],
    );
    assert.deepEqual((await call(world, park.token, "GET", "/v1/remittances")).json().items, []);
  });

  test("a member's list holds what it sent and received, newest first, page by page", async () => {
    const [kim, lee] = [await newMember(world), await newMember(world)];
    await recharge(world, kim, 30_000);
    await recharge(world, lee, 10_000);
    const ids = [
      (await remit(world, kim, { to: { membershipId: lee.membershipId }, amount: 1_000 })).json()
        .remittanceId,
      (await remit(world, lee, { to: { membershipId: kim.membershipId }, amount: 2_000 })).json()
        .remittanceId,
      (await remit(world, kim, { to: { membershipId: lee.membershipId }, amount: 3_000 })).json()
        .remittanceId,
    ];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/remittances?limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await call(world, kim.token, "GET", url);
      assert.equal(res.statusCode, 200, res.body);
      seen.push(...res.json().items.map((r: { remittanceId: string }) => r.remittanceId));
      cursor = res.json().nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [...ids].reverse());
    await settled(world);
  });
});
