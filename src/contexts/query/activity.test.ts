import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { newId } from "../../kernel/ids.js";
import { waitFor } from "../../testing/bus.js";
import { call, type Member, newMember, startWorld, type World } from "../../testing/world.js";
import type { ActivityItem } from "./activity-items.js";
import { activityPage, recordActivity } from "./activity-store.js";

let world: World;
let kim: Member;
before(async () => {
  world = await startWorld();
  kim = await newMember(world);
  for (const [path, amount, key] of [
    ["recharge", 100_000, "a1"],
    ["recharge", 50_000, "a2"],
    ["withdraw", 30_000, "a3"],
  ] as const) {
    const res = await call(world, kim.token, "POST", `/v1/money/${path}`, { amount }, key);
    assert.equal(res.json().status, "SUCCEEDED", res.body);
  }
});
after(() => world.close());

type Item = Omit<ActivityItem, "membershipId">;
type Activity = {
  membershipId: string;
  money: { balance: number; points: number } | null;
  items: Item[];
  nextCursor: string | null;
};

const activity = (id: string, query = "") =>
  call(world, world.staffToken, "GET", `/v1/admin/members/${id}/activity${query}`);
const kimsActivity = async (query = ""): Promise<Activity> =>
  (await activity(kim.membershipId, query)).json();
// Registered, two recharges and a withdrawal: four money-side items plus the three completions.
const everything = async () => {
  await waitFor(async () => (await kimsActivity("?limit=100")).items.length >= 7);
  return kimsActivity("?limit=100");
};

const envelope = (type: string, data: unknown, id: string = newId("event"), occurredAt = new Date()) => ({
  id,
  type,
  version: 1,
  occurredAt: occurredAt.toISOString(),
  source: "test",
  correlationId: "test",
  causationId: null,
  data,
});

/** Waits until the consumer has taken the event with that id. */
const taken = (eventId: string, consumer = "query.activity") =>
  waitFor(async () => {
    const rows = await world.mypay.db.query(
      "SELECT 1 FROM query.inbox WHERE consumer = $1 AND event_id = $2",
      [consumer, eventId],
    );
    return rows.length === 1;
  });

describe("a member's activity, for staff (read model fed by events)", () => {
  test("shows the member's money moves newest first, with signed amounts and the balance after each", async () => {
    const page = await everything();
    assert.equal(page.membershipId, kim.membershipId);
    assert.deepEqual(
      page.items.filter((i) => i.kind === "MONEY").map((i) => [i.ledgerKind, i.amount, i.balanceAfter]),
      [
        ["WITHDRAW", -30_000, 120_000],
        ["RECHARGE", 50_000, 150_000],
        ["RECHARGE", 100_000, 100_000],
      ],
    );
    assert.deepEqual(
      page.items.filter((i) => i.kind !== "MONEY").map((i) => [i.kind, i.amount, i.status]),
      [
        ["WITHDRAWAL_COMPLETED", -30_000, "SUCCEEDED"],
        ["RECHARGE_COMPLETED", 50_000, "SUCCEEDED"],
        ["RECHARGE_COMPLETED", 100_000, "SUCCEEDED"],
        ["MEMBER_REGISTERED", null, "ACTIVE"],
      ],
    );
    const times = page.items.map((i) => Date.parse(i.occurredAt));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      "newest first",
    );
    await waitFor(async () => (await kimsActivity()).money?.balance === 120_000);
  });

  test("pages of two give every item exactly once, in the same order", async () => {
    const all = (await everything()).items.map((i) => i.itemId);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Activity = await kimsActivity(
        `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((i) => i.itemId));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, all);
    assert.equal(new Set(seen).size, seen.length);
  });

  test("a customer may not read it: 403", async () => {
    const res = await call(world, kim.token, "GET", `/v1/admin/members/${kim.membershipId}/activity`);
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().code, "FORBIDDEN");
  });

  test("an unknown member and a malformed id are 404 NOT_FOUND; a bad cursor is 400", async () => {
    for (const id of [newId("membership"), "nope", "rch_00000000000000000000000000000000"]) {
      const res = await activity(id);
      assert.equal(res.statusCode, 404, id);
      assert.equal(res.json().code, "NOT_FOUND");
    }
    const bad = await activity(kim.membershipId, "?cursor=x'--");
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, "VALIDATION_FAILED");
  });

  test("an event delivered again, or published again under a new id, adds no second item", async () => {
    const before = (await everything()).items.length;
    const [last] = await world.mypay.db.query<{ id: string; data: unknown }>(
      "SELECT id, data FROM money.outbox WHERE type = 'MoneyBalanceChanged' AND data->>'membershipId' = $1 ORDER BY seq DESC LIMIT 1",
      [kim.membershipId],
    );
    const again = newId("event");
    await world.mypay.bus.publish(envelope("MoneyBalanceChanged", last!.data, last!.id));
    await world.mypay.bus.publish(envelope("MoneyBalanceChanged", last!.data, again));
    // The consumer has taken the republished event (and so the redelivery before it) when its id is in the inbox.
    await taken(again);
    assert.equal((await kimsActivity("?limit=100")).items.length, before);
  });

  test("items arriving out of order are all kept and read newest first", async () => {
    const member = newId("membership");
    const item = (itemId: string, occurredAt: string): ActivityItem => ({
      membershipId: member,
      itemId,
      kind: "MONEY",
      ledgerKind: "RECHARGE",
      amount: 10_000,
      balanceAfter: null,
      reference: itemId,
      status: null,
      details: null,
      occurredAt,
    });
    const late = item(newId("entry"), "2025-01-02T00:00:00.000Z");
    const early = item(newId("entry"), "2025-01-01T00:00:00.000Z");
    await world.mypay.db.tx(async (tx) => {
      await recordActivity(tx, [late]);
      await recordActivity(tx, [early, late]);
    });
    const page = await activityPage(world.mypay.db, member, { limit: 10 });
    assert.deepEqual(
      page.items.map((i) => i.itemId),
      [late.itemId, early.itemId],
    );
  });

  test("payments, points and remittances reach the members they concern; the summary keeps the newest points", async () => {
    const [park, choi] = [await newMember(world), await newMember(world)];
    const [paymentId, remittanceId, franchiseId] = [
      newId("payment"),
      newId("remittance"),
      newId("franchise"),
    ];
    const later = (s: number) => new Date(Date.parse("2030-01-01T00:00:00.000Z") + s * 1000);
    const points = (version: number, change: number, after: number, kind: string) => ({
      membershipId: park.membershipId,
      points: after,
      change,
      kind,
      reference: paymentId,
      entryId: newId("entry"),
      version,
    });
    const refund = { money: 49_000, points: 1_000, pointsTakenBack: 490, takenFromMoney: 0 };
    const sent = {
      remittanceId,
      type: "MEMBER",
      membershipId: park.membershipId,
      toMembershipId: choi.membershipId,
      toAccount: null,
      amount: 20_000,
      fee: 0,
      status: "SUCCEEDED",
      reason: null,
    };
    const paid = { paymentId, membershipId: park.membershipId, franchiseId, amount: 50_000 };
    const remitted = envelope("RemittanceCompleted", sent, newId("event"), later(5));
    const late = envelope("PointsBalanceChanged", points(10, -1_000, 0, "PAYMENT"), newId("event"), later(2));
    for (const e of [
      envelope(
        "PaymentMade",
        { ...paid, paidWithMoney: 49_000, paidWithPoints: 1_000, pointsEarned: 490, commissionBps: 200 },
        newId("event"),
        later(1),
      ),
      // The newer points change arrives first: the older one after it is listed but does not win.
      envelope("PointsBalanceChanged", points(20, 490, 490, "POINTS_EARN"), newId("event"), later(3)),
      late,
      envelope("PaymentCancelled", { ...paid, refund }, newId("event"), later(4)),
      remitted,
      remitted,
      { ...remitted, id: newId("event") },
    ])
      await world.mypay.bus.publish(e);
    await taken(late.id, "query.points");
    await waitFor(async () => (await activity(choi.membershipId)).json().items.length === 2);
    await waitFor(async () => (await activity(park.membershipId)).json().items.length === 6);
    const parks: Activity = (await activity(park.membershipId)).json();
    assert.deepEqual(parks.money, { balance: 0, points: 490 });
    assert.deepEqual(
      parks.items.map((i) => [i.kind, i.amount, i.balanceAfter, i.reference, i.status]),
      [
        ["REMITTANCE", -20_000, null, remittanceId, "SUCCEEDED"],
        ["PAYMENT_CANCELLED", 50_000, null, paymentId, "CANCELLED"],
        ["POINTS", 490, 490, paymentId, null],
        ["POINTS", -1_000, 0, paymentId, null],
        ["PAYMENT", -50_000, null, paymentId, "NORMAL"],
        ["MEMBER_REGISTERED", null, null, null, "ACTIVE"],
      ],
    );
    assert.deepEqual(parks.items[1]?.details, { franchiseId, refund });
    assert.deepEqual(parks.items[0]?.details, {
      direction: "SENT",
      remittanceType: "MEMBER",
      fee: 0,
      toMembershipId: choi.membershipId,
      toAccount: null,
      reason: null,
    });
    assert.deepEqual(parks.items[4]?.details, {
      franchiseId,
      paidWithMoney: 49_000,
      paidWithPoints: 1_000,
      pointsEarned: 490,
      commissionBps: 200,
    });
    const [received] = (await activity(choi.membershipId)).json().items as Item[];
    assert.deepEqual(
      [received?.kind, received?.itemId, received?.amount, received?.status],
      ["REMITTANCE", `${remittanceId}:received`, 20_000, "SUCCEEDED"],
    );
    assert.deepEqual(received?.details, {
      direction: "RECEIVED",
      remittanceType: "MEMBER",
      fromMembershipId: park.membershipId,
    });
  });
});
