// Measures what a new user waits for and what the machine pays: `npm start`'s time from spawn to the
// first 200 of /ready, and the resident memory of its whole process group 5 s later (issue 6, item 20).
// Beside it, the anchor: one bare PGlite instance created on a fresh directory, and its RSS.
// With --postgres-url, also one mypay process (`node scripts/start.mjs main`, the sandbox bank in it
// as in `npm start`) on a scratch database of that server: its time to /ready and RSS 5 s later.
// dist/ is rebuilt first if stale, so that no build is counted in the time to /ready.
// Usage: node scripts/measure-start.mjs [--runs 3] [--port 18080] [--bank-port 18090] [--dir <checkout>]
//   [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
// (--dir measures another checkout's `npm start`, e.g. a clone of the commit before a change.)
// Prints JSON: {startToReadyMs, idleRssMb, runs, anchor: {pgliteCreateMs, pgliteRssMb},
//   postgres?: {startToReadyMs, idleRssMb}}.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import postgres from "postgres";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const runs = option("runs", 3);
const port = option("port", 18080);
const bankPort = option("bank-port", 18090);
const dirAt = args.indexOf("--dir");
const cwd = dirAt >= 0 ? args[dirAt + 1] : process.cwd();
const pgAt = args.indexOf("--postgres-url");
const postgresUrl = pgAt >= 0 ? args[pgAt + 1] : undefined;
const settleMs = 5_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The summed RSS (MB) of every process in the group; ps answers in KiB. */
function groupRssMb(pgid) {
  const out = execFileSync("ps", ["-o", "rss=", "-g", String(pgid)], { encoding: "utf8" });
  const kib = out
    .split("\n")
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0)
    .reduce((a, b) => a + b, 0);
  return Math.round(kib / 1024);
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopGroup(pgid) {
  try {
    process.kill(-pgid, "SIGTERM");
  } catch {
    return;
  }
  for (let i = 0; i < 100 && groupAlive(pgid); i++) await sleep(100);
  if (groupAlive(pgid)) process.kill(-pgid, "SIGKILL");
}

/** Spawns a process group, waits for its /ready, then 5 s more; answers both waits and the group's RSS. */
async function measureProcess(command, commandArgs, env) {
  const dataDir = mkdtempSync(join(tmpdir(), "mypay-measure-"));
  const started = performance.now();
  const child = spawn(command, commandArgs, {
    cwd,
    detached: true,
    stdio: "ignore",
    env: {
      ...process.env,
      MYPAY_DATA_DIR: dataDir,
      MYPAY_PORT: String(port),
      MYPAY_BANK_PORT: String(bankPort),
      MYPAY_BANK_URL: `http://127.0.0.1:${bankPort}`,
      MYPAY_DATABASE_URL: "",
      MYPAY_BUS_URL: "",
      MYPAY_LOG_LEVEL: "warn",
      ...env,
    },
  });
  try {
    let ready = false;
    while (!ready) {
      if (child.exitCode !== null) throw new Error(`${command} exited ${child.exitCode} before /ready`);
      if (performance.now() - started > 120_000) throw new Error("not ready after 120 s");
      ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (!ready) await sleep(50);
    }
    const startToReadyMs = Math.round(performance.now() - started);
    await sleep(settleMs);
    return { startToReadyMs, idleRssMb: groupRssMb(child.pid) };
  } finally {
    await stopGroup(child.pid);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `npm start` on a fresh data folder: embedded PGlite, the sandbox bank in the same process. */
const measureStart = () => measureProcess("npm", ["start"], {});

/** One mypay process (no npm around it) on a scratch database of the PostgreSQL server at `url`. */
async function measurePostgres(url) {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const name = `mypay_measure_${randomBytes(4).toString("hex")}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  try {
    return await measureProcess(process.execPath, ["scripts/start.mjs", "main"], {
      MYPAY_DATABASE_URL: scratch.toString(),
    });
  } finally {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/** One bare PGlite, created on a fresh directory in its own process, as the floor to compare with. */
async function measurePglite() {
  const dir = mkdtempSync(join(tmpdir(), "mypay-pglite-"));
  const code = `
    const t = performance.now();
    const { PGlite } = await import("@electric-sql/pglite");
    const db = await PGlite.create(${JSON.stringify(dir)});
    await db.query("select 1");
    console.log(JSON.stringify({ ms: Math.round(performance.now() - t) }));
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
    cwd,
    detached: true,
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const line = await new Promise((resolve, reject) => {
      child.stdout.once("data", (d) => resolve(String(d)));
      child.once("exit", (c) => reject(new Error(`PGlite probe exited ${c}`)));
    });
    await sleep(settleMs);
    return { pgliteCreateMs: JSON.parse(line).ms, pgliteRssMb: groupRssMb(child.pid) };
  } finally {
    await stopGroup(child.pid);
    rmSync(dir, { recursive: true, force: true });
  }
}

// Build now, so that `npm start` finds dist/ fresh and its time to /ready holds no build.
const { buildIfStale } = await import(pathToFileURL(join(cwd, "scripts", "build.mjs")).href);
buildIfStale();
const samples = [];
for (let i = 0; i < runs; i++) samples.push(await measureStart());
const anchors = [];
for (let i = 0; i < runs; i++) anchors.push(await measurePglite());
const onPostgres = [];
for (let i = 0; postgresUrl && i < runs; i++) onPostgres.push(await measurePostgres(postgresUrl));
console.log(
  JSON.stringify({
    startToReadyMs: median(samples.map((s) => s.startToReadyMs)),
    idleRssMb: median(samples.map((s) => s.idleRssMb)),
    runs: samples,
    anchor: {
      pgliteCreateMs: median(anchors.map((a) => a.pgliteCreateMs)),
      pgliteRssMb: median(anchors.map((a) => a.pgliteRssMb)),
    },
    ...(onPostgres.length
      ? {
          postgres: {
            startToReadyMs: median(onPostgres.map((s) => s.startToReadyMs)),
            idleRssMb: median(onPostgres.map((s) => s.idleRssMb)),
          },
        }
      : {}),
  }),
);
