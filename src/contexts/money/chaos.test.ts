import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { runChaos } from "../../testing/chaos.js";
import { startWorld, type World } from "../../testing/world.js";

// The proof at a size that keeps the suite fast; `npm run chaos` runs it at full size.
let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

test("random recharges and withdrawals against a bank failing 20% and timing out 20%, with client retries, leave the books exact", async () => {
  const report = await runChaos(world, {
    members: 8,
    operations: 80,
    failureRate: 0.2,
    timeoutRate: 0.2,
    concurrency: 6,
    retryRate: 0.3,
    seed: 20261121,
  });
  assert.deepEqual(
    Object.keys(report.sagas)
      .sort()
      .filter((s) => !["COMPLETED", "COMPENSATED"].includes(s)),
    [],
  );
  assert.ok((report.sagas.COMPLETED ?? 0) > 0, JSON.stringify(report));
  assert.ok((report.sagas.COMPENSATED ?? 0) > 0, JSON.stringify(report));
  assert.deepEqual(
    Object.keys(report.answers).filter((a) => a.startsWith("retry changed")),
    [],
  );
  assert.equal(report.negativeBalances, 0);
  assert.deepEqual(report.wealthMismatches, [], "every member's bank balance + money is what it started as");
  assert.equal(report.trialBalance.totalDebit, report.trialBalance.totalCredit);
  assert.equal(report.reconciliation.inFlight, 0);
  assert.equal(report.reconciliation.difference, 0, JSON.stringify(report.reconciliation));
  assert.equal(report.reconciliation.ok, true);
});
