import assert from "node:assert/strict";
import { test } from "node:test";
import { testDatabaseUrl } from "./testing/db.js";
import { runKillTest } from "./testing/kill.js";

// A small run of `npm run chaos -- --kill`: mypay and the sandbox bank as processes of their own, mypay
// SIGKILLed and restarted on the same data under load; on PostgreSQL in the distributed suite. About a
// minute on an idle machine; the timeout leaves room for a busy one (each restart takes longer).
test("kill test: SIGKILLed 3 times under recharges and withdrawals with bank faults and retried keys, mypay creates, loses and doubles nothing, leaves nothing PENDING and gives every key one answer", {
  timeout: 300_000,
}, async () => {
  const report = await runKillTest({
    engine: testDatabaseUrl ? "postgres" : "pglite",
    ...(testDatabaseUrl ? { databaseServerUrl: testDatabaseUrl } : {}),
    members: 6,
    operations: 60,
    kills: 3,
    maxKills: 3,
    killAfterMs: [1_000, 2_500],
    seed: 20261201,
  });
  const shown = JSON.stringify(report, null, 2);
  assert.equal(report.aborted, undefined, shown);
  assert.ok(report.kills >= 3, shown);
  assert.equal(report.restarts, report.kills, shown);
  assert.deepEqual(report.violations, {
    wealthMismatches: [],
    negativeMoney: [],
    moneyNotMatchingMoves: [],
    answerNotKept: [],
    leftPending: [],
    unanswered: [],
    changedAnswers: [],
  });
  assert.equal(report.trialBalance?.totalDebit, report.trialBalance?.totalCredit, shown);
  assert.equal(report.reconciliation?.difference, 0, shown);
  assert.equal(report.reconciliation?.inFlight, 0, shown);
  assert.equal(report.reconciliation?.ok, true, shown);
  assert.ok((report.finalStatuses.SUCCEEDED ?? 0) > 0, shown);
  assert.ok(Object.values(report.checks).every(Boolean), shown);
  assert.equal(report.ok, true, shown);
});
