import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, openSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";

/** The processes of a kill run: the sandbox bank and mypay, each as `npm start`/`npm run bank` runs it. */

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The newest source the entry points run (src/testing, this harness, is not among them). */
function newestSource(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "testing" ? newest : Math.max(newest, newestSource(path));
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")
      ? Math.max(newest, statSync(path).mtimeMs)
      : newest;
  }, 0);
}

/**
 * How node runs one of mypay's entry points: the compiled JavaScript in dist/ when it is there and
 * not older than the sources (what `npm start` runs), else the TypeScript through tsx.
 */
export function entryArgs(entry: "main" | "sandbox-bank/main"): string[] {
  const compiled = join(root, "dist", `${entry}.js`);
  if (existsSync(compiled) && statSync(compiled).mtimeMs >= newestSource(join(root, "src")))
    return [compiled];
  return ["--import", "tsx", join(root, "src", `${entry}.ts`)];
}

/** The variables a child gets: ours, and none of the MYPAY_* settings of the process that runs the harness. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([k]) => !k.startsWith("MYPAY_"));
  return { ...Object.fromEntries(inherited), ...env };
}

export interface Service {
  readonly url: string;
  /** Resolves when the process has exited (with its signal, if one ended it). */
  readonly exited: Promise<NodeJS.Signals | number | null>;
  readonly child: ChildProcess;
}

/** Starts an entry point with its output appended to logFile, and waits until `readyPath` answers 200. */
export async function startService(
  entry: "main" | "sandbox-bank/main",
  port: number,
  env: Record<string, string>,
  logFile: string,
  readyPath: string,
  readyWithinMs: number,
): Promise<Service> {
  const log = openSync(logFile, "a");
  const child = spawn(process.execPath, entryArgs(entry), {
    cwd: root,
    env: childEnv(env),
    stdio: ["ignore", log, log],
  });
  watchOver(child);
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(signal ?? code)),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyWithinMs;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  for (;;) {
    if (gone) throw new Error(`${entry} exited before it was ready (see ${logFile})`);
    if (await answers200(`${url}${readyPath}`)) return { url, exited, child };
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${entry} was not ready within ${readyWithinMs} ms (see ${logFile})`);
    }
    await sleep(50);
  }
}

const children = new Set<ChildProcess>();
const killChildren = () => {
  for (const c of children) c.kill("SIGKILL");
};
const killChildrenAndLeave = (signal: NodeJS.Signals) => {
  killChildren();
  process.exit(signal === "SIGINT" ? 130 : 143);
};

/**
 * No process of a run outlives the harness: a test runner that times out sends SIGTERM, and the
 * children would otherwise stay listening. The hooks are there only while a child lives.
 */
function watchOver(child: ChildProcess) {
  if (children.size === 0) {
    process.on("exit", killChildren);
    process.on("SIGTERM", killChildrenAndLeave);
    process.on("SIGINT", killChildrenAndLeave);
  }
  children.add(child);
  child.once("exit", () => {
    children.delete(child);
    if (children.size > 0) return;
    process.off("exit", killChildren);
    process.off("SIGTERM", killChildrenAndLeave);
    process.off("SIGINT", killChildrenAndLeave);
  });
}

async function answers200(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** SIGKILL: no shutdown hook runs, exactly as a crash or the OOM killer. Resolves once it is gone. */
export async function kill(service: Service) {
  service.child.kill("SIGKILL");
  await service.exited;
}

/** SIGTERM, then SIGKILL if it does not stop in time. */
export async function stop(service: Service, graceMs = 10_000) {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill("SIGTERM");
  const timer = setTimeout(() => service.child.kill("SIGKILL"), graceMs);
  await service.exited;
  clearTimeout(timer);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A new, empty database on a PostgreSQL server, and how to drop it again. */
export async function freshDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `mypay_kill_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    },
  };
}
