// npm run chaos: the full-size proof. 1,000 random recharges and withdrawals across 50 members,
// the sandbox bank failing 20% and timing out 20%, clients retrying the same key; then the books.
import { runChaos } from "../src/testing/chaos.js";
import { startWorld } from "../src/testing/world.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

const world = await startWorld();
try {
  const report = await runChaos(world, {
    members: arg("members", 50),
    operations: arg("operations", 1_000),
    failureRate: 0.2,
    timeoutRate: 0.2,
    concurrency: arg("concurrency", 8),
    retryRate: 0.3,
    seed: arg("seed", Date.now() % 1_000_000),
  });
  console.log(JSON.stringify(report, null, 2));
  const ok =
    report.wealthMismatches.length === 0 &&
    report.negativeBalances === 0 &&
    report.trialBalance.totalDebit === report.trialBalance.totalCredit &&
    report.reconciliation.ok &&
    !Object.keys(report.answers).some((a) => a.startsWith("retry changed")) &&
    Object.keys(report.sagas).every((s) => s === "COMPLETED" || s === "COMPENSATED");
  console.log(ok ? "chaos: the books are exact" : "chaos: FAILED");
  process.exitCode = ok ? 0 : 1;
} finally {
  await world.close();
}
