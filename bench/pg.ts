// The PostgreSQL server the bench compares against: scratch databases made and dropped per figure,
// and its own yardstick, pgbench's TPC-B, run on a scratch database of the same server.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { promisify } from "node:util";
import postgres from "postgres";

const run = promisify(execFile);

export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** A new, empty database on the server at `adminUrl`; undefined when the server does not answer. */
export async function scratchDatabase(adminUrl: string): Promise<ScratchDatabase | undefined> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 3 });
  const name = `mypay_bench_${randomBytes(4).toString("hex")}`;
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } catch {
    await admin.end();
    return undefined;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

const contextSchemas = ["membership", "banking", "money", "remittance", "payment", "settlement", "query"];
const sagaSchemas = ["money", "remittance", "payment", "settlement"];

/**
 * Waits until the server on this database has finished the work a load left behind (no saga under
 * way, every event published), so that the next load is measured on its own and not beside the last
 * one's background. Gives up after `timeoutMs` and says how much was left.
 */
export async function quiet(url: string, timeoutMs = 60_000): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const count = [
    ...sagaSchemas.map(
      (s) => `(SELECT count(*) FROM ${s}.sagas WHERE status NOT IN ('COMPLETED', 'COMPENSATED', 'STUCK'))`,
    ),
    ...contextSchemas.map((s) => `(SELECT count(*) FROM ${s}.outbox WHERE published_at IS NULL)`),
  ].join(" + ");
  try {
    for (const deadline = Date.now() + timeoutMs; ; ) {
      const [row] = await sql.unsafe(`SELECT (${count})::int AS left`);
      if (row!.left === 0) return;
      if (Date.now() > deadline)
        throw new Error(`the server still had ${row!.left} sagas and events to finish`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await sql.end();
  }
}

/** Whether fsync is on: a figure with it off would not be comparable (nor allowed). */
export async function serverSettings(adminUrl: string): Promise<{ version: string; fsync: string }> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [v] = await sql.unsafe(
      "SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync",
    );
    return { version: String(v!.version), fsync: String(v!.fsync) };
  } finally {
    await sql.end();
  }
}

function pgbenchPath(): string {
  for (const dir of (process.env.PATH ?? "").split(":"))
    if (existsSync(`${dir}/pgbench`)) return `${dir}/pgbench`;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort().reverse() : [];
  const found = versions.map((v) => `${root}/${v}/bin/pgbench`).find((p) => existsSync(p));
  if (!found) throw new Error("pgbench is not installed (PATH, /usr/lib/postgresql/*/bin)");
  return found;
}

export interface PgbenchResult {
  readonly tps: number;
  readonly clients: number;
  readonly scale: number;
  readonly seconds: number;
}

/** TPC-B (pgbench's default script), prepared statements, on a scratch database initialised at `scale`. */
export async function pgbenchTpcb(
  adminUrl: string,
  o: { clients: number; scale: number; seconds: number },
): Promise<PgbenchResult | undefined> {
  const db = await scratchDatabase(adminUrl);
  if (!db) return undefined;
  const u = new URL(adminUrl);
  const conn = ["-h", u.hostname, "-p", u.port || "5432", "-U", decodeURIComponent(u.username || "postgres")];
  const env = { ...process.env, ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}) };
  const bin = pgbenchPath();
  try {
    await run(bin, ["-i", "-q", "-s", String(o.scale), ...conn, db.name], { env });
    const { stdout } = await run(
      bin,
      ["-c", String(o.clients), "-j", "2", "-T", String(o.seconds), "-M", "prepared", ...conn, db.name],
      { env },
    );
    const m =
      /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout) ?? /tps = ([\d.]+)/.exec(stdout);
    if (!m) throw new Error(`no tps in pgbench's output: ${stdout}`);
    return { tps: Number(m[1]), clients: o.clients, scale: o.scale, seconds: o.seconds };
  } finally {
    await db.drop();
  }
}
