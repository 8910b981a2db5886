// Compiles src/ to dist/ so that production runs JavaScript, with no TypeScript compiler or tsx in the
// process (issue 6, item 18); each context's migrations/ folder is copied beside its compiled code,
// where `new URL("./migrations", import.meta.url)` finds it. Types are checked by `npm run check`,
// not here, so the build takes seconds. Runs at `npm install`/`npm ci` (the `prepare` script) and
// from scripts/start.mjs when a source is newer than the build.
// Usage: node scripts/build.mjs [--if-stale]
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
export const distDir = join(root, "dist");
const stampFile = join(distDir, ".build.json");
const lockDir = join(root, ".build.lock");

/** What the build reads: every source but the tests, and the compiler settings. */
function inputs() {
  const walk = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return walk(path);
      return e.name.endsWith(".test.ts") ? [] : [path];
    });
  return [...walk(join(root, "src")), join(root, "tsconfig.json"), join(root, "tsconfig.build.json")];
}

/** Why dist/ must be rebuilt, or undefined when it is up to date. */
export function staleness() {
  if (!existsSync(stampFile)) return "there is no build yet";
  const stamp = JSON.parse(readFileSync(stampFile, "utf8"));
  const files = inputs();
  const names = files.map((f) => relative(root, f)).sort();
  if (names.join("\n") !== stamp.inputs.join("\n")) return "sources were added or removed";
  const newer = files.find((f) => statSync(f).mtimeMs > stamp.startedAt);
  return newer ? `${relative(root, newer)} changed` : undefined;
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/**
 * One build at a time (tests start several processes at once); a dead builder's lock is taken over.
 * scripts/build-web.mjs takes a lock of its own with it.
 */
export function withLock(fn, dir = lockDir) {
  for (const deadline = Date.now() + 180_000; ; ) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, "pid"), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      const holder = Number(readFileSync(join(dir, "pid"), { encoding: "utf8", flag: "a+" }) || 0);
      if (holder && !alive(holder)) rmSync(dir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`another build holds ${dir}`);
      else sleep(100);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function compile(out) {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  } catch {
    throw new Error("the build needs TypeScript: run `npm install` first");
  }
  const result = spawnSync(
    process.execPath,
    [tsc, "-p", join(root, "tsconfig.build.json"), "--outDir", out],
    {
      stdio: "inherit",
    },
  );
  if (result.status !== 0) throw new Error(`tsc failed (exit ${result.status})`);
}

function copyMigrations(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const path = join(dir, e.name);
    if (e.name === "migrations")
      cpSync(path, join(out, relative(join(root, "src"), path)), { recursive: true });
    else copyMigrations(path, out);
  }
}

/** Builds into a fresh folder, then swaps it in: a removed source leaves nothing behind in dist/. */
function buildNow() {
  const startedAt = Date.now();
  const names = inputs()
    .map((f) => relative(root, f))
    .sort();
  const out = join(root, `dist.building-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  compile(out);
  copyMigrations(join(root, "src"), out);
  writeFileSync(join(out, ".build.json"), JSON.stringify({ startedAt, inputs: names }));
  const old = join(root, `dist.old-${process.pid}`);
  if (existsSync(distDir)) renameSync(distDir, old);
  mkdirSync(dirname(distDir), { recursive: true });
  renameSync(out, distDir);
  rmSync(old, { recursive: true, force: true });
}

/** Builds dist/ if it is missing or older than a source; returns why it built, or undefined. */
export function buildIfStale() {
  if (!staleness()) return undefined;
  return withLock(() => {
    // Another process may have built while this one waited for the lock.
    const why = staleness();
    if (why) buildNow();
    return why;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const ifStale = process.argv.includes("--if-stale");
  const why = ifStale ? buildIfStale() : withLock(() => buildNow() ?? "asked");
  if (why) console.error(`mypay: built dist/ (${why}) in ${Math.round(performance.now() - started)} ms`);
}
