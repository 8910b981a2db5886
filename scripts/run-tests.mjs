// Runs every *.test.ts with node's test runner. `--distributed` runs the same tests against
// PostgreSQL and NATS JetStream (starting them first if this machine has them but they are down).
// `--web` runs only the browser journeys (*.web.test.ts: Chromium driven by playwright-core against
// `npm start`), which the other two leave out (`npm run test:e2e`).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const args = process.argv.slice(2);
const distributed = args.includes("--distributed");
const web = args.includes("--web");
const filters = args.filter((a) => !a.startsWith("--"));

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name.startsWith(".")) return [];
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith(".test.ts") ? [relative(process.cwd(), path)] : [];
  });
}

const files = ["src", "test"]
  .filter((d) => {
    try {
      return statSync(d).isDirectory();
    } catch {
      return false;
    }
  })
  .flatMap(find)
  // *.distributed.test.ts need PostgreSQL and NATS: only the distributed suite runs them.
  .filter((f) => distributed || !f.endsWith(".distributed.test.ts"))
  .filter((f) => web === f.endsWith(".web.test.ts"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}

const env = { ...process.env, MYPAY_LOG_LEVEL: process.env.MYPAY_LOG_LEVEL ?? "silent" };
if (distributed) {
  env.MYPAY_TEST_DATABASE_URL ??= "postgres://postgres@127.0.0.1:5432/postgres";
  env.MYPAY_TEST_BUS_URL ??= "nats://127.0.0.1:4222";
  const ready = spawnSync("node", ["scripts/services.mjs"], { stdio: "inherit", env });
  if (ready.status !== 0) process.exit(ready.status ?? 1);
}

// A new embedded database on disk starts from the initialised template (npm start's first start, and
// the tests of it); made here if `npm install` did not make it.
const template = spawnSync(process.execPath, ["scripts/pglite-template.mjs"], { stdio: "inherit" });
if (template.status !== 0) process.exit(template.status ?? 1);

const result = spawnSync(
  process.execPath,
  // The browser journeys run one file at a time: each starts its own mypay and Chromium.
  // --test-timeout bounds each test, and each file as a whole too: the cluster's file (one cluster for
  // all its failure tests) takes 90 s to 160 s as machines go, and the journeys' file (one browser
  // session) about as long; a file gets five minutes (the journeys ten), and a hung test fails within it.
  [
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${web ? 1 : 2}`,
    `--test-timeout=${web ? 600_000 : 300_000}`,
    ...files,
  ],
  { stdio: "inherit", env },
);
process.exit(result.status ?? 1);
