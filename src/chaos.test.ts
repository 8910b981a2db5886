import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { runChaos } from "./testing/chaos.js";
import { startWorld, type World } from "./testing/world.js";

// The proof at a size that keeps the suite fast; `npm run chaos` runs it at 5,000 operations.
let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

test("the mixed run (recharge, withdraw, remit both ways, pay with and without points, cancel, settle, change commission, leave) against a bank failing 20% and timing out 20%, with client retries, leaves the books exact", async () => {
  const report = await runChaos(world, {
    members: 10,
    operations: 160,
    failureRate: 0.2,
    timeoutRate: 0.2,
    concurrency: 6,
    retryRate: 0.3,
    seed: 20261201,
  });
  const why = JSON.stringify(report, null, 1);
  const live = Object.keys(report.sagas).filter((s) => !/ (COMPLETED|COMPENSATED)$/.test(s));
  assert.deepEqual(live, [], "every saga ended, none STUCK");
  for (const kind of [
    "pay 201",
    "remit-member 201",
    "remit-bank 201",
    "cancel 200",
    "settle 201",
    "recharge 201",
  ])
    assert.ok(
      Object.keys(report.answers).some((a) => a.startsWith(kind)),
      `${kind} happened: ${why}`,
    );
  assert.deepEqual(
    Object.keys(report.answers).filter((a) => a.startsWith("retry changed")),
    [],
    why,
  );
  assert.equal(report.negativeBalances, 0);
  assert.deepEqual(report.settlementMismatches, [], "every payment settled at most once");
  assert.deepEqual(report.payoutMismatches, [], "every franchise paid exactly what its settled payments say");
  assert.deepEqual(report.remittanceMismatches, [], "every payee received exactly its remittances");
  assert.equal(report.trialBalance.totalDebit, report.trialBalance.totalCredit);
  assert.equal(report.reconciliation.difference, 0, JSON.stringify(report.reconciliation));
  assert.equal(report.reconciliation.ok, true);
});
