// npm run bench [-- --quick] [--cpu-prof]: issue 8's targets, each figure beside its anchor measured in
// this same run, the ratio, and PASS/FAIL/SKIP; also the raw ledger rates and each client level as
// figures without a target. Writes bench/results/latest.json and latest.md. docs/performance.md says
// what each figure and anchor is. PostgreSQL at MYPAY_BENCH_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/postgres); without it, its targets are SKIP and the loads run on
// embedded PGlite. --cpu-prof writes the bench servers' CPU profiles to bench/results/profiles/.
// Any size may be overridden: --seconds 5 --levels 8,32 --settle-payments 100000 (bench/settings.ts).
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { serverSettings } from "./pg.js";
import {
  type Engine,
  footprintFigures,
  ledgerFigures,
  pgbenchAnchor,
  Recorder,
  type RunContext,
  serverFigures,
  settleFigures,
} from "./phases.js";
import { type BenchReport, printReport, writeReport } from "./report.js";
import { readSettings } from "./settings.js";
import { judge, targets } from "./targets.js";
import { webFigures } from "./web.js";

const started = performance.now();
const startedAt = new Date().toISOString();
const s = readSettings(process.argv);
const rec = new Recorder();
const resultsDir = new URL("./results/", import.meta.url);
const adminUrl = process.env.MYPAY_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const server = await serverSettings(adminUrl).catch(() => undefined);
if (server && server.fsync !== "on")
  throw new Error("PostgreSQL runs with fsync off: its figures would not count");
if (!server) console.warn(`PostgreSQL does not answer at ${adminUrl}: its targets are SKIP`);
const ctx: RunContext = {
  s,
  rec,
  pgUrl: server ? adminUrl : undefined,
  profileDir: process.argv.includes("--cpu-prof")
    ? fileURLToPath(new URL("profiles/", resultsDir))
    : undefined,
};
const mainEngine: Engine = server ? "postgres" : "pglite";

/** Runs one part; if it fails, its targets say why instead of the run stopping. Answers whether it ran through. */
const parts: { name: string; seconds: number; ok: boolean }[] = [];
async function part(name: string, ids: readonly number[], run: () => Promise<void>): Promise<boolean> {
  const t = performance.now();
  console.error(`[${((t - started) / 1000).toFixed(0)} s] ${name}`);
  const took = (ok: boolean) =>
    parts.push({ name, seconds: Math.round((performance.now() - t) / 100) / 10, ok });
  try {
    await run();
    took(true);
    return true;
  } catch (error) {
    took(false);
    const why = `${name} failed: ${error instanceof Error ? error.message : String(error)}`;
    console.error(why);
    for (const id of ids) rec.note(id, why);
    return false;
  }
}

await part("pgbench TPC-B", [1], () => pgbenchAnchor(ctx));
await part("ledger, PGlite", [3], () => ledgerFigures(ctx, "pglite"));
if (server) await part("ledger, PostgreSQL", [], () => ledgerFigures(ctx, "postgres"));
const mainRan = await part(
  `HTTP loads, ${mainEngine}`,
  mainEngine === "postgres" ? [1, 2, 4, 5, 6] : [2, 3, 4, 5, 6],
  () => serverFigures(ctx, mainEngine, true),
);
// Targets 2 and 4-6 name no engine: when PostgreSQL's loads failed, they are measured on PGlite (and say so).
const alsoMain = server !== undefined && !mainRan;
if (alsoMain) for (const id of [2, 4, 5, 6]) rec.note(id, "measured on PGlite instead");
if (server)
  await part("HTTP loads, pglite", alsoMain ? [2, 3, 4, 5, 6] : [3], () =>
    serverFigures(ctx, "pglite", alsoMain),
  );
if (server) await part("settle, PostgreSQL", [7], () => settleFigures(ctx, "postgres"));
if (!server || s.mode === "full") await part("settle, PGlite", [], () => settleFigures(ctx, "pglite"));
await part("start and idle memory", [8, 9, 10], () => footprintFigures(ctx));
await part("web app in Chromium", [11, 12], () => webFigures(ctx));

const report: BenchReport = {
  mode: s.mode,
  startedAt,
  wallSeconds: (performance.now() - started) / 1000,
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    node: process.version,
    postgres: server ? `${server.version}, fsync ${server.fsync}` : "not answering",
  },
  settings: { ...s },
  parts,
  targets: targets.map((t) =>
    judge(t, rec.values.get(t.id), rec.anchors.get(t.id), rec.notes.get(t.id)?.join("; ")),
  ),
  figures: rec.figures,
};
printReport(report);
writeReport(report, resultsDir);
console.log(`written: ${fileURLToPath(new URL("latest.json", resultsDir))} and latest.md`);
