// Builds the web app (web/) with Vite into web/dist, which the gateway serves (src/gateway/web.ts).
// Runs at `npm install`/`npm ci` (the `prepare` script), in `npm run build`, and from scripts/start.mjs
// when a source of the web app (or the typed client it calls through) is newer than the build.
// Usage: node scripts/build-web.mjs [--if-stale]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { withLock } from "./build.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const webDir = join(root, "web");
export const webDistDir = join(webDir, "dist");
const stampFile = join(webDistDir, ".build.json");
const lockDir = join(root, ".build-web.lock");

function inputs() {
  const walk = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const path = join(dir, e.name);
      return e.isDirectory() ? walk(path) : [path];
    });
  return [
    ...walk(join(webDir, "src")),
    join(webDir, "index.html"),
    join(webDir, "vite.config.ts"),
    ...walk(join(root, "packages", "client", "src")),
  ];
}

/** Why web/dist must be rebuilt, or undefined when it is up to date. */
export function webStaleness() {
  if (!existsSync(stampFile)) return "there is no build of the web app yet";
  const stamp = JSON.parse(readFileSync(stampFile, "utf8"));
  const files = inputs();
  const names = files.map((f) => relative(root, f)).sort();
  if (names.join("\n") !== stamp.inputs.join("\n")) return "web sources were added or removed";
  const newer = files.find((f) => statSync(f).mtimeMs > stamp.startedAt);
  return newer ? `${relative(root, newer)} changed` : undefined;
}

function buildNow() {
  const startedAt = Date.now();
  let vite;
  try {
    vite = join(dirname(createRequire(import.meta.url).resolve("vite/package.json")), "bin", "vite.js");
  } catch {
    throw new Error("the web app's build needs Vite: run `npm install` first");
  }
  const result = spawnSync(
    process.execPath,
    [vite, "build", webDir, "--config", join(webDir, "vite.config.ts")],
    {
      stdio: "inherit",
      cwd: root,
    },
  );
  if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status})`);
  const names = inputs()
    .map((f) => relative(root, f))
    .sort();
  writeFileSync(stampFile, JSON.stringify({ startedAt, inputs: names }));
}

/** Builds web/dist if it is missing or older than a source; returns why it built, or undefined. */
export function buildWebIfStale() {
  if (!webStaleness()) return undefined;
  return withLock(() => {
    const why = webStaleness();
    if (why) buildNow();
    return why;
  }, lockDir);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const why = process.argv.includes("--if-stale")
    ? buildWebIfStale()
    : withLock(() => {
        buildNow();
        return "asked";
      }, lockDir);
  if (why) console.error(`mypay: built web/dist (${why}) in ${Math.round(performance.now() - started)} ms`);
}
