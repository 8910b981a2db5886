import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "../../testing/bus.js";
import { fastEnv, newFranchise, newMember, startWorld, type World } from "../../testing/world.js";
import { createSchedule } from "./schedule.js";
import { assertBooks, assertPaidOnce, pay, paymentStatus, settlementsOf } from "./test-kit.js";

// The cron path for real: MYPAY_SETTLEMENT_CRON every second (croner's seconds field), with a second
// scheduler beside the process's own, as a second replica would be. Nobody asks for a run.

let world: World;
before(async () => {
  world = await startWorld({ ...fastEnv, MYPAY_SETTLEMENT_CRON: "* * * * * *" });
});
after(() => world.close());

test("scheduled runs settle payments on their own, one run per slot with two schedulers firing", async () => {
  const payer = await newMember(world, { bankBalance: 1_000_000 });
  const shops = [await newFranchise(world), await newFranchise(world)] as const;
  const other = createSchedule(world.mypay.contexts.settlement.deps, { holder: "second-replica" });
  other.start();
  const payments = [await pay(world, payer, shops[0], 10_000), await pay(world, payer, shops[1], 8_000)];
  try {
    await waitFor(async () => {
      // A payment is SETTLED one step before its settlement is PAID: wait for both.
      const statuses = await Promise.all(payments.map((id) => paymentStatus(world, id)));
      const paid = await Promise.all(shops.map((shop) => settlementsOf(world, shop)));
      // And the schedule has fired more than once (each slot records a run, payments or not).
      const [runs] = await world.mypay.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM settlement.runs",
      );
      return (
        statuses.every((s) => s === "SETTLED") &&
        paid.every((list) => list.some((s) => s.status === "PAID")) &&
        runs!.n >= 2
      );
    }, 15_000);
  } finally {
    await other.stop();
  }
  const runs = await world.mypay.db.query<{ scheduled_for: Date | null; cutoff: Date }>(
    "SELECT scheduled_for, cutoff FROM settlement.runs",
  );
  assert.ok(runs.length >= 2, "the schedule fired more than once");
  for (const run of runs) {
    assert.ok(run.scheduled_for, "every run was a scheduled one");
    assert.equal(new Date(run.scheduled_for).getTime(), new Date(run.cutoff).getTime());
    assert.equal(new Date(run.scheduled_for).getMilliseconds(), 0, "a slot is the pattern's whole second");
  }
  await assertPaidOnce(world, shops[0], [payments[0]!]);
  await assertPaidOnce(world, shops[1], [payments[1]!]);
  await assertBooks(world);
});
