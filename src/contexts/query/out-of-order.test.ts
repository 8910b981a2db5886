import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { newId } from "../../kernel/ids.js";
import type { EventEnvelope } from "../../platform/bus/bus.js";
import { waitFor } from "../../testing/bus.js";
import { call, newMember, startWorld, type World } from "../../testing/world.js";

// On JetStream a consumer's event can come again after later ones (a redelivery), so each consumer
// must end as if it had seen its events in order, whatever order they came in.
let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

const event = (type: string, data: Record<string, unknown>): EventEnvelope => ({
  id: newId("event"),
  type,
  version: 1,
  occurredAt: new Date().toISOString(),
  source: "membership",
  correlationId: "out-of-order",
  causationId: null,
  data,
});

/** A MemberRegistered as membership publishes it, made `registeredAt`. */
const registered = (membershipId: string, name: string, region: string, registeredAt: string) =>
  event("MemberRegistered", {
    membershipId,
    name,
    email: `${membershipId}@example.com`,
    region,
    type: "personal",
    registeredAt,
  });

const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();

type Stats = { groups: Array<{ region: string; members: number }> };
const membersIn = async (region: string) => {
  const stats = (
    await call(world, world.staffToken, "GET", "/v1/admin/stats/money?groupBy=region")
  ).json() as Stats;
  return stats.groups.find((g) => g.region === region)?.members ?? 0;
};

describe("consumers end as if their events had come in order", () => {
  test("a withdrawal before the registration: the wallet stays closed, the member is not counted", async () => {
    const membershipId = newId("membership");
    const region = `Ulsan-${membershipId.slice(-6)}`;
    await world.mypay.bus.publish(event("MemberWithdrawn", { membershipId, withdrawnAt: at(1) }));
    await world.mypay.bus.publish(registered(membershipId, "Late Arrival", region, at(60)));
    const wallet = async () =>
      (
        await world.mypay.db.query<{ status: string }>(
          "SELECT status FROM money.accounts WHERE owner_id = $1",
          [membershipId],
        )
      ).map((r) => r.status);
    await waitFor(async () => (await wallet()).length === 2);
    assert.deepEqual(
      await wallet(),
      ["CLOSED", "CLOSED"],
      "the member's money and points accounts are closed",
    );
    // Money sent to a closed wallet is refused: nothing can be stranded there.
    const sender = await newMember(world);
    const recharged = await call(
      world,
      sender.token,
      "POST",
      "/v1/money/recharge",
      { amount: 10_000 },
      `ooo-${membershipId}`,
    );
    assert.equal(recharged.json().status, "SUCCEEDED");
    const credited = await world.mypay.contexts.money.api.transfer({
      transferId: newId("remittance"),
      from: sender.membershipId,
      to: membershipId,
      amount: 1_000,
      correlationId: "out-of-order",
    });
    assert.equal(credited.ok ? "moved" : credited.error.code, "CONFLICT", "the closed wallet takes no money");
    await waitFor(async () => {
      const rows = await world.mypay.db.query<{ status: string }>(
        "SELECT status FROM query.member_balances WHERE membership_id = $1",
        [membershipId],
      );
      return rows[0]?.status === "WITHDRAWN";
    });
    assert.equal(await membersIn(region), 0, "a withdrawn member is not counted in its region");
  });

  test("an event whose data breaks its publisher's contract is a dead letter at once; the next ones flow", async () => {
    const bad = event("MemberRegistered", { membershipId: 42, name: "No Id", region: "Nowhere" });
    await world.mypay.bus.publish(bad);
    const membershipId = newId("membership");
    const region = `Jeju-${membershipId.slice(-6)}`;
    await world.mypay.bus.publish(registered(membershipId, "Next One", region, at(1)));
    await waitFor(async () => (await membersIn(region)) === 1);
    type Letters = { items: Array<{ eventId: string; consumer: string; attempts: number; error: string }> };
    const checked = ["money.wallets", "query.members"];
    const letters = async () =>
      (
        (await call(world, world.staffToken, "GET", "/v1/admin/dead-letters?limit=100")).json() as Letters
      ).items.filter((l) => l.eventId === bad.id && checked.includes(l.consumer));
    await waitFor(async () => (await letters()).length >= 2);
    const seen = await letters();
    // Money (its wallets) and the read model each hold it, after one attempt, naming what is wrong.
    assert.deepEqual(seen.map((l) => l.consumer).sort(), ["money.wallets", "query.members"]);
    for (const l of seen) {
      assert.equal(l.attempts, 1);
      assert.match(l.error, /does not match membership's contract/);
    }
  });

  test("a change of region before the registration: the newer region stays", async () => {
    const membershipId = newId("membership");
    const [older, newer] = [`Seoul-${membershipId.slice(-6)}`, `Busan-${membershipId.slice(-6)}`];
    await world.mypay.bus.publish(
      event("MemberModified", {
        membershipId,
        name: "Moved Soon",
        region: newer,
        passwordChanged: false,
        modifiedAt: at(5),
      }),
    );
    await world.mypay.bus.publish(registered(membershipId, "Moved Soon", older, at(60)));
    await waitFor(async () => (await membersIn(newer)) === 1);
    assert.equal(await membersIn(older), 0, "the registration's older region did not come back");
    // And a stale change redelivered after a newer one changes nothing either.
    await world.mypay.bus.publish(
      event("MemberModified", {
        membershipId,
        name: "Moved Soon",
        region: older,
        passwordChanged: false,
        modifiedAt: at(30),
      }),
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual([await membersIn(newer), await membersIn(older)], [1, 0]);
  });
});
