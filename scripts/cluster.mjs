// `npm run start:cluster`: the distributed deployment on one machine. One process per context, each on
// its own PostgreSQL database (<prefix>_<context>, created if missing) and NATS JetStream, the gateway
// (the only public entry, on MYPAY_PORT) and the sandbox bank (MYPAY_BANK_PORT). Every context is
// reached through a stable local port that forwards to its current process, as a Kubernetes Service
// does: a process that dies is started again, and SIGUSR2 restarts every context one after the other
// (the new process first, then SIGTERM to the old one). Ctrl+C or SIGTERM stops it all cleanly.
// Where each process runs is written to <MYPAY_DATA_DIR>/cluster.json.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { buildIfStale, distDir } from "./build.mjs";

const contexts = ["membership", "banking", "money", "remittance", "payment", "settlement", "query"];
const env = process.env;
const prefix = env.MYPAY_CLUSTER_PREFIX || "mypay";
const serverUrl = env.MYPAY_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const busUrl = env.MYPAY_BUS_URL || "nats://127.0.0.1:4222";
const gatewayPort = Number(env.MYPAY_PORT || 8080);
const bankPort = Number(env.MYPAY_BANK_PORT || 8090);
const host = env.MYPAY_HOST || "127.0.0.1";
const dataDir = resolve(env.MYPAY_DATA_DIR || "./data");
const readyTimeoutMs = 60_000;

const say = (message) => console.error(`cluster: ${message}`);
if (!/^[a-z][a-z0-9_]{0,40}$/.test(prefix)) {
  say(`MYPAY_CLUSTER_PREFIX must be lower-case letters, digits and _, got "${prefix}"`);
  process.exit(1);
}

try {
  const why = buildIfStale();
  if (why) say(`rebuilt dist/ (${why})`);
} catch (error) {
  say(`could not build: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

mkdirSync(dataDir, { recursive: true });

/** The database URL of a context: the server's URL with its own database name. */
function databaseUrl(context) {
  const url = new URL(serverUrl);
  url.pathname = `/${prefix}_${context}`;
  return url.toString();
}

async function createDatabases() {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    for (const context of contexts) {
      const name = `${prefix}_${context}`;
      const found = await sql`SELECT 1 FROM pg_database WHERE datname = ${name}`;
      if (found.length === 0) {
        await sql.unsafe(`CREATE DATABASE "${name}"`);
        say(`created database ${name}`);
      }
    }
  } finally {
    await sql.end();
  }
}

/** A secret kept in the data folder (mode 600) so that a restarted cluster keeps its sessions. */
function keptSecret(file, make) {
  const path = join(dataDir, file);
  if (!existsSync(path)) writeFileSync(path, make(), { mode: 0o600 });
  return path;
}

const freePort = () =>
  new Promise((done, fail) => {
    const server = net.createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

async function waitReady(name, port, child, path = "/ready") {
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${name} exited while starting`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} was not ready within ${readyTimeoutMs / 1000} s`);
}

function pipeLines(name, stream, out) {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop();
    for (const line of lines) out.write(`${name.padEnd(10)} | ${line}\n`);
  });
}

function run(name, script, extraEnv) {
  const child = spawn(process.execPath, ["--enable-source-maps", join(distDir, script)], {
    env: { ...env, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  pipeLines(name, child.stdout, process.stdout);
  pipeLines(name, child.stderr, process.stderr);
  child.exited = new Promise((done) => child.once("exit", (code, signal) => done({ code, signal })));
  return child;
}

// Each context's stable address (and the gateway's public one): a port that forwards connections to
// its current process.
const fronts = {};
async function openFront(name, port, listenHost = "127.0.0.1") {
  const front = { port: port ?? (await freePort()), target: undefined, server: undefined };
  front.server = net.createServer((socket) => {
    if (!front.target) return socket.destroy();
    const upstream = net.connect(front.target, "127.0.0.1");
    socket.pipe(upstream).pipe(socket);
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on("error", close);
    upstream.on("error", close);
  });
  await new Promise((done, fail) => {
    front.server.once("error", fail);
    front.server.listen(front.port, listenHost, done);
  });
  fronts[name] = front;
}

let stopping = false;
const processes = {};
let serviceEnv;

function writeState() {
  const state = {
    gateway: `http://${host}:${gatewayPort}`,
    bank: `http://${host}:${bankPort}`,
    services: Object.fromEntries(
      contexts.map((c) => [
        c,
        { url: `http://127.0.0.1:${fronts[c].port}`, pid: processes[c]?.pid, port: processes[c]?.port },
      ]),
    ),
    gatewayPid: processes.gateway?.pid,
    gatewayPort: processes.gateway?.port,
    supervisorPid: process.pid,
  };
  writeFileSync(join(dataDir, "cluster.json"), `${JSON.stringify(state, null, 2)}\n`);
}

/** What a context's process, or the gateway's, is started with. */
function envOf(name, port) {
  const common = { MYPAY_PORT: String(port), MYPAY_HOST: "127.0.0.1", MYPAY_BANK_PORT: "0" };
  if (name === "gateway") {
    const { MYPAY_SERVICE_URLS, MYPAY_BANK_URL } = serviceEnv;
    return { ...common, MYPAY_CONTEXTS: "gateway", MYPAY_SERVICE_URLS, MYPAY_BANK_URL };
  }
  const { signingKeyFile, ...shared } = serviceEnv;
  return {
    ...shared,
    ...common,
    MYPAY_CONTEXTS: name,
    MYPAY_DATABASE_URL: databaseUrl(name),
    ...(name === "membership"
      ? { MYPAY_SIGNING_KEY_FILE: signingKeyFile }
      : { MYPAY_AUTH_JWKS_URL: `http://127.0.0.1:${fronts.membership.port}/v1/auth/jwks` }),
  };
}

/** Starts a context's (or the gateway's) process on a new port, waits until it is ready, then routes its front to it. */
async function startContext(context) {
  const port = await freePort();
  const child = run(context, "main.js", envOf(context, port));
  child.port = port;
  await waitReady(context, port, child);
  const before = processes[context];
  processes[context] = child;
  fronts[context].target = port;
  writeState();
  child.exited.then(({ code, signal }) => {
    if (stopping || processes[context] !== child) return;
    say(`${context} exited (${signal ?? code}); starting it again`);
    setTimeout(
      () => startContext(context).catch((e) => say(`${context} did not start again: ${e.message}`)),
      500,
    );
  });
  return before;
}

async function rollingRestart() {
  for (const context of [...contexts, "gateway"]) {
    say(`rolling restart: ${context}`);
    const old = await startContext(context);
    if (old && old.exitCode === null) {
      old.kill("SIGTERM");
      await old.exited;
    }
  }
  say("rolling restart done");
}

async function stopAll(signal, failed = false) {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping the gateway, then the services, then the bank`);
  const stop = async (child) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return { code: child?.exitCode ?? 0 };
    child.kill("SIGTERM");
    return child.exited;
  };
  // No new connection from outside, then the gateway finishes what it has in flight.
  fronts.gateway?.server.close();
  const results = [await stop(processes.gateway)];
  results.push(...(await Promise.all(contexts.map((c) => stop(processes[c])))));
  results.push(await stop(processes.bank));
  for (const front of Object.values(fronts)) {
    front.server.close();
  }
  const clean = !failed && results.every((r) => r.code === 0);
  say(clean ? "stopped cleanly" : `stopped; some process did not exit 0: ${JSON.stringify(results)}`);
  process.exit(clean ? 0 : 1);
}

process.on("SIGINT", () => void stopAll("SIGINT"));
process.on("SIGTERM", () => void stopAll("SIGTERM"));
process.on("SIGUSR2", () => void rollingRestart().catch((e) => say(`rolling restart failed: ${e.message}`)));

try {
  await createDatabases();
  // The key scripts/signing-key.mjs makes for operators (a private Ed25519 JWK with its kid).
  const signingKeyFile = keptSecret("cluster-signing-key.json", () =>
    execFileSync(process.execPath, [fileURLToPath(new URL("./signing-key.mjs", import.meta.url))], {
      encoding: "utf8",
    }),
  );
  const tokenFile = keptSecret("cluster-service-token", () => randomBytes(32).toString("hex"));
  for (const context of contexts) await openFront(context);
  const serviceUrls = contexts.map((c) => `${c}=http://127.0.0.1:${fronts[c].port}`).join(",");
  serviceEnv = {
    MYPAY_BUS_URL: busUrl,
    MYPAY_SERVICE_URLS: serviceUrls,
    MYPAY_SERVICE_TOKEN_FILE: tokenFile,
    MYPAY_BANK_URL: env.MYPAY_BANK_URL || `http://127.0.0.1:${bankPort}`,
    MYPAY_BANK_PORT: "0",
    MYPAY_DATA_DIR: dataDir,
    signingKeyFile,
  };
  if (bankPort !== 0) {
    processes.bank = run("bank", "sandbox-bank/main.js", {
      MYPAY_BANK_PORT: String(bankPort),
      MYPAY_DATA_DIR: dataDir,
    });
    await waitReady("bank", bankPort, processes.bank, "/health");
  }
  // Membership first: it makes the first staff member and serves the keys the others verify with.
  await startContext("membership");
  await Promise.all(contexts.filter((c) => c !== "membership").map((c) => startContext(c)));
  // The public port, in front of the gateway's process, as a load balancer is.
  await openFront("gateway", gatewayPort, host);
  await startContext("gateway");
  say(
    `ready: mypay at http://${host}:${gatewayPort} (Swagger UI at /docs), the sandbox bank at http://${host}:${bankPort}`,
  );
} catch (error) {
  say(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll("start failure", true);
}
