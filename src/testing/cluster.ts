import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { type ContextName, contextNames } from "../platform/config.js";
import { adminEmail, adminPassword } from "./mypay.js";
import { freePort } from "./ports.js";

/**
 * The distributed deployment as `npm run start:cluster` starts it, for end-to-end tests: one process
 * per context on its own PostgreSQL database, the gateway and the sandbox bank, on a NATS server of
 * the test's own (so that stopping it touches no other test). Its databases are dropped at the end.
 */

export interface ClusterState {
  gateway: string;
  bank: string;
  services: Record<ContextName, { url: string; pid: number; port: number }>;
  gatewayPid: number;
  supervisorPid: number;
}

export interface Cluster {
  readonly target: { baseUrl: string; bankUrl: string; adminEmail: string; adminPassword: string };
  /** Where each process runs now (the supervisor starts a dead one again, on a new port). */
  state(): ClusterState;
  /** Sends a signal to a context's current process. */
  signal(context: ContextName, signal: NodeJS.Signals): number;
  /** Waits until the context runs in a process other than `pid`, ready. */
  replaced(context: ContextName, pid: number, timeoutMs?: number): Promise<void>;
  /** Every context restarted one after the other (new process first, then SIGTERM to the old). */
  rollingRestart(timeoutMs?: number): Promise<void>;
  stopNats(): Promise<void>;
  startNats(): Promise<void>;
  /** SIGTERM to the supervisor: resolves to its exit code. */
  stop(): Promise<number | null>;
  /** Everything the processes wrote. */
  output(): string;
}

const serverUrl = process.env.MYPAY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const natsBinary = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"].find(
  existsSync,
);

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not so within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

export async function startCluster(options: { otlpUrl?: string } = {}): Promise<Cluster> {
  if (!natsBinary) throw new Error("nats-server is not installed (the distributed suite needs it)");
  const dir = mkdtempSync(join(tmpdir(), "mypay-cluster-"));
  const prefix = `mypay_t${randomBytes(4).toString("hex")}`;
  const [gatewayPort, bankPort, natsPort] = [await freePort(), await freePort(), await freePort()];
  let log = "";
  let nats: ChildProcess | undefined;
  const startNats = async () => {
    nats = spawn(natsBinary, ["-a", "127.0.0.1", "-p", String(natsPort), "-js", "-sd", join(dir, "nats")], {
      stdio: "ignore",
    });
    const { connect } = await import("node:net");
    await until(
      "nats answers",
      () =>
        new Promise<boolean>((done) => {
          const socket = connect(natsPort, "127.0.0.1", () => {
            socket.destroy();
            done(true);
          });
          socket.on("error", () => done(false));
        }),
      10_000,
    );
  };
  const stopNats = async () => {
    const n = nats;
    if (!n || n.exitCode !== null) return;
    await new Promise((done) => {
      n.once("exit", done);
      n.kill("SIGTERM");
    });
  };
  await startNats();
  const supervisor = spawn(process.execPath, ["scripts/cluster.mjs"], {
    env: {
      ...process.env,
      MYPAY_PORT: String(gatewayPort),
      MYPAY_BANK_PORT: String(bankPort),
      MYPAY_BUS_URL: `nats://127.0.0.1:${natsPort}`,
      MYPAY_DATABASE_URL: serverUrl,
      MYPAY_CLUSTER_PREFIX: prefix,
      MYPAY_DATA_DIR: dir,
      MYPAY_ADMIN_PASSWORD: adminPassword,
      MYPAY_LOG_LEVEL: process.env.MYPAY_CLUSTER_LOG_LEVEL ?? "warn",
      // Small enough that a bank or service that does not answer shows quickly in the tests.
      MYPAY_BANK_TIMEOUT_MS: "2000",
      MYPAY_SERVICE_TIMEOUT_MS: "1500",
      // Room for the bursts' receivers: a remittance refused for the cap would prove nothing.
      MYPAY_BALANCE_CAP: "100000000",
      ...(options.otlpUrl ? { MYPAY_OTLP_URL: options.otlpUrl, OTEL_BSP_SCHEDULE_DELAY: "200" } : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  supervisor.stdout?.on("data", (chunk) => {
    log += chunk;
  });
  supervisor.stderr?.on("data", (chunk) => {
    log += chunk;
  });
  const exited = new Promise<number | null>((done) => supervisor.once("exit", (code) => done(code)));
  const stateFile = join(dir, "cluster.json");
  const state = () => JSON.parse(readFileSync(stateFile, "utf8")) as ClusterState;
  try {
    await until("the cluster is ready", () => log.includes("cluster: ready"), 90_000);
  } catch (error) {
    supervisor.kill("SIGKILL");
    throw new Error(`${(error as Error).message}\n${log.slice(-4000)}`);
  }

  const ready = (url: string) => answers(`${url}/ready`);
  return {
    target: {
      baseUrl: `http://127.0.0.1:${gatewayPort}`,
      bankUrl: `http://127.0.0.1:${bankPort}`,
      adminEmail,
      adminPassword,
    },
    state,
    signal(context, signal) {
      const { pid } = state().services[context];
      process.kill(pid, signal);
      return pid;
    },
    async replaced(context, pid, timeoutMs = 60_000) {
      await until(
        `${context} runs again`,
        async () => {
          const now = state().services[context];
          return now.pid !== pid && (await ready(`http://127.0.0.1:${now.port}`));
        },
        timeoutMs,
      );
    },
    async rollingRestart(timeoutMs = 180_000) {
      const mark = log.length;
      process.kill(state().supervisorPid, "SIGUSR2");
      await until(
        "the rolling restart ends",
        () => log.slice(mark).includes("rolling restart done"),
        timeoutMs,
      );
    },
    stopNats,
    startNats,
    async stop() {
      supervisor.kill("SIGTERM");
      const code = await exited;
      await stopNats();
      const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        for (const c of contextNames)
          await sql.unsafe(`DROP DATABASE IF EXISTS "${prefix}_${c}" WITH (FORCE)`);
      } finally {
        await sql.end();
      }
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
    output: () => log,
  };
}
