// Starts bench/server.ts as a child process and stops it; optionally under `node --cpu-prof`, so a
// profile of the server (not of the loader) shows where a request's time goes.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface BenchServer {
  readonly base: string;
  readonly bank: string;
  readonly engine: "pglite" | "postgres";
  readonly pid: number;
  stop(): Promise<void>;
}

const entry = fileURLToPath(new URL("./server.ts", import.meta.url));

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** `databaseUrl` undefined: PGlite in memory. `profileDir`: write a .cpuprofile there at exit. */
export async function startBenchServer(o: {
  databaseUrl?: string;
  profileDir?: string;
}): Promise<BenchServer> {
  const child = fork(entry, [], {
    execArgv: ["--import", "tsx", ...(o.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${o.profileDir}`] : [])],
    env: { ...process.env, BENCH_DATABASE_URL: o.databaseUrl ?? "" },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const ready = await new Promise<{ base: string; bank: string; engine: "pglite" | "postgres" }>(
    (resolve, reject) => {
      child.once("message", (m) =>
        resolve(m as { base: string; bank: string; engine: "pglite" | "postgres" }),
      );
      child.once("exit", (code) => reject(new Error(`bench server exited ${code} before it was ready`)));
    },
  );
  child.disconnect();
  return { ...ready, pid: child.pid!, stop: () => stopChild(child) };
}
