import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { waitFor } from "../../testing/bus.js";
import {
  fastEnv,
  type Member,
  newFranchise,
  newMember,
  startWorld,
  type World,
} from "../../testing/world.js";
import { createSchedule } from "./schedule.js";
import { assertBooks, assertPaidOnce, pay, paymentStatus, runOf } from "./test-kit.js";

// The scheduled run, called as the cron calls it: its cutoff is its slot, two replicas firing the same
// slot make one run, and a replica holding the lease keeps the others out until it is done or dead.

let world: World;
let payer: Member;
before(async () => {
  // A schedule that does not fire during the test: the replicas below are the only schedulers.
  world = await startWorld({ ...fastEnv, MYPAY_SETTLEMENT_CRON: "0 0 0 29 2 *" });
  payer = await newMember(world, { bankBalance: 10_000_000 });
});
after(() => world.close());

const replica = (holder: string) => createSchedule(world.mypay.contexts.settlement.deps, { holder });
const wholeSecond = () => new Date(Math.floor(Date.now() / 1000) * 1000);
const runsOfSlot = async (slot: Date) =>
  (
    await world.mypay.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM settlement.runs WHERE scheduled_for = $1",
      [slot],
    )
  )[0]?.n;

describe("the settlement schedule", () => {
  test("two replicas firing the same slot make one run, which settles what was paid before the slot", async () => {
    const shop = await newFranchise(world);
    const before = await pay(world, payer, shop, 20_000);
    await sleep(1_100);
    const slot = wholeSecond();
    await sleep(10);
    const later = await pay(world, payer, shop, 5_000);

    const made = await Promise.all([replica("replica-a").fire(slot), replica("replica-b").fire(slot)]);
    const runIds = made.filter((id) => id !== undefined);
    assert.equal(runIds.length, 1, `one run for the slot, got ${made}`);
    assert.equal(await replica("replica-c").fire(slot), undefined, "the slot has its run");
    assert.equal(await runsOfSlot(slot), 1);

    const runId = runIds[0]!;
    await waitFor(async () => (await runOf(world, runId)).status === "COMPLETED", 15_000);
    const run = await runOf(world, runId);
    assert.equal(run.scheduledFor, slot.toISOString());
    assert.equal(run.cutoff, slot.toISOString());
    await assertPaidOnce(world, shop, [before]);
    assert.equal(await paymentStatus(world, later), "NORMAL");
    await sleep(1_100);
    const next = await replica("replica-a").fire(wholeSecond());
    assert.ok(next);
    await waitFor(async () => (await runOf(world, next)).status === "COMPLETED", 15_000);
    await assertPaidOnce(world, shop, [before, later]);
    await assertBooks(world);
  });

  test("the lease: one replica makes its run while another's slot waits; a dead holder's lease runs out", async () => {
    const first = new Date(wholeSecond().getTime() - 600_000);
    const second = new Date(first.getTime() + 1_000);
    const made = await Promise.all([replica("replica-a").fire(first), replica("replica-b").fire(second)]);
    assert.equal(made.filter((id) => id !== undefined).length, 1, "the lease let one replica in");
    // Whichever got in, the other's slot is still free: its turn comes once the lease is given back.
    const waited = made[0] === undefined ? first : second;
    assert.ok(await replica("replica-c").fire(waited), "the lease is free again once the run is made");

    const third = new Date(second.getTime() + 1_000);
    await world.mypay.db.query(
      `INSERT INTO settlement.relay_lease (name, holder, lease_until) VALUES ('settlement-run', 'dead', now() + interval '1 hour')
       ON CONFLICT (name) DO UPDATE SET holder = 'dead', lease_until = now() + interval '1 hour'`,
    );
    assert.equal(await replica("replica-a").fire(third), undefined, "a live lease keeps others out");
    await world.mypay.db.query(
      "UPDATE settlement.relay_lease SET lease_until = now() - interval '1 second' WHERE name = 'settlement-run'",
    );
    assert.ok(await replica("replica-a").fire(third), "a lease that ran out is taken over");
    await assertBooks(world);
  });
});
