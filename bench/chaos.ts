// npm run chaos: the full-size proof. 5,000 random operations across 50 members (recharge,
// withdraw, remit both ways, pay with and without points, cancel, settle, change commission, leave),
// the sandbox bank failing 20% and timing out 20%, clients retrying the same key; then the books.
// npm run chaos -- --kill [--engine pglite|postgres] [--operations N] [--members N] [--kills N] [--seed S]
// [--max-kills N] [--kill-after-min-ms MS] [--kill-after-max-ms MS] [--database-url URL] [--keep]:
// the same load over HTTP against mypay as a process of its own, SIGKILLed every 2–6 s and restarted.
import { runChaos } from "../src/testing/chaos.js";
import { runKillTest } from "../src/testing/kill.js";
import { startWorld } from "../src/testing/world.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const text = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const seed = arg("seed", Date.now() % 1_000_000);

async function kill() {
  const engine = text("engine") ?? "pglite";
  if (engine !== "pglite" && engine !== "postgres") throw new Error("--engine is pglite or postgres");
  const databaseServerUrl = text("database-url");
  const report = await runKillTest({
    engine,
    ...(databaseServerUrl ? { databaseServerUrl } : {}),
    members: arg("members", 20),
    operations: arg("operations", 300),
    concurrency: arg("concurrency", 8),
    kills: arg("kills", 6),
    ...(process.argv.includes("--max-kills") ? { maxKills: arg("max-kills", 6) } : {}),
    killAfterMs: [arg("kill-after-min-ms", 2_000), arg("kill-after-max-ms", 6_000)],
    seed,
    keepFiles: process.argv.includes("--keep"),
    progress: (line) => console.error(`kill: ${line}`),
  });
  console.log(JSON.stringify(report, null, 2));
  console.log(
    report.ok ? "kill: the books are exact" : `kill: FAILED (seed ${seed}, files in ${report.files})`,
  );
  process.exitCode = report.ok ? 0 : 1;
}

async function chaos() {
  const world = await startWorld();
  try {
    const report = await runChaos(world, {
      members: arg("members", 50),
      operations: arg("operations", 5_000),
      failureRate: 0.2,
      timeoutRate: 0.2,
      concurrency: arg("concurrency", 8),
      retryRate: 0.3,
      seed,
    });
    console.log(JSON.stringify(report, null, 2));
    const ok =
      report.settlementMismatches.length === 0 &&
      report.payoutMismatches.length === 0 &&
      report.remittanceMismatches.length === 0 &&
      report.negativeBalances === 0 &&
      report.trialBalance.totalDebit === report.trialBalance.totalCredit &&
      report.reconciliation.ok &&
      !Object.keys(report.answers).some((a) => a.startsWith("retry changed")) &&
      Object.keys(report.sagas).every((s) => / (COMPLETED|COMPENSATED)$/.test(s));
    console.log(ok ? "chaos: the books are exact" : `chaos: FAILED (seed ${seed})`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await world.close();
  }
}

await (process.argv.includes("--kill") ? kill() : chaos());
