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
  money: { balance: number } | null;
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
    const envelope = (id: string) => ({
      id,
      type: "MoneyBalanceChanged",
      version: 1,
      occurredAt: new Date().toISOString(),
      source: "money",
      correlationId: "test",
      causationId: null,
      data: last!.data,
    });
    const again = newId("event");
    await world.mypay.bus.publish(envelope(last!.id));
    await world.mypay.bus.publish(envelope(again));
    // The consumer has taken the republished event (and so the redelivery before it) when its id is in the inbox.
    await waitFor(async () => {
      const rows = await world.mypay.db.query(
        "SELECT 1 FROM query.inbox WHERE consumer = 'query.activity' AND event_id = $1",
        [again],
      );
      return rows.length === 1;
    });
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
      occurredAt,
    });
    const late = item(newId("entry"), "2025-01-02T00:00:00.000Z");
    const early = item(newId("entry"), "2025-01-01T00:00:00.000Z");
    await world.mypay.db.tx(async (tx) => {
      await recordActivity(tx, late);
      await recordActivity(tx, early);
      await recordActivity(tx, late);
    });
    const page = await activityPage(world.mypay.db, member, { limit: 10 });
    assert.deepEqual(
      page.items.map((i) => i.itemId),
      [late.itemId, early.itemId],
    );
  });
});
