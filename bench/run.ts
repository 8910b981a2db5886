// npm run bench: throughput baselines, printed as a table (no targets yet).
// - raw ledger transfers (member → member postings) on PGlite and PostgreSQL, one call each and batched;
// - recharges through the HTTP API (real sockets, sandbox bank, firmbanking and saga), on both engines.
// PostgreSQL is used when it answers at MYPAY_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { createMypay } from "../src/app.js";
import { loadConfig } from "../src/platform/config.js";
import type { Db } from "../src/platform/db/db.js";
import { openPglite } from "../src/platform/db/pglite.js";
import { openPostgres } from "../src/platform/db/postgres.js";
import { createLogger } from "../src/platform/logging.js";
import { startSandboxBank } from "../src/sandbox-bank/api.js";
import { benchLedger } from "./ledger.js";

const pgUrl = process.env.MYPAY_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const transfers = arg("transfers", 5_000);
const recharges = arg("recharges", 300);

interface Row {
  what: string;
  engine: string;
  operations: number;
  seconds: string;
  "ops/s": string;
}
const rows: Row[] = [];
const row = (what: string, engine: string, operations: number, seconds: number) =>
  rows.push({
    what,
    engine,
    operations,
    seconds: seconds.toFixed(2),
    "ops/s": (operations / seconds).toFixed(0),
  });

/** A fresh database per measurement: PGlite in memory, or a new database on the PostgreSQL server. */
async function freshDb(
  engine: "pglite" | "postgres",
): Promise<{ db: Db; drop: () => Promise<void> } | undefined> {
  if (engine === "pglite") {
    const db = await openPglite();
    return { db, drop: () => db.close() };
  }
  const admin = postgres(pgUrl, { max: 1, onnotice: () => {} });
  const name = `mypay_bench_${randomBytes(4).toString("hex")}`;
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } catch {
    await admin.end();
    return undefined;
  }
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString(), { max: 10 });
  return {
    db,
    drop: async () => {
      await db.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function benchRecharges(engine: "pglite" | "postgres", db: Db) {
  const logger = createLogger("silent");
  const bank = await startSandboxBank({ port: 0, host: "127.0.0.1", logger });
  const config = loadConfig({
    MYPAY_BANK_PORT: "0",
    MYPAY_BANK_URL: bank.url,
    MYPAY_ADMIN_PASSWORD: "bench-password",
    MYPAY_PORT: "0",
  });
  const mypay = await createMypay({ config, logger, db });
  const base = await mypay.app.listen({ port: 0, host: "127.0.0.1" });
  mypay.startBackground();
  await mypay.contexts.banking.prepare();
  const json = async (method: string, url: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(url, {
      method,
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return (await res.json()) as Record<string, string>;
  };
  const members: Array<{ token: string }> = [];
  for (let i = 0; i < 20; i++) {
    const name = `Bench ${i}`;
    const email = `bench${i}@example.com`;
    await json("POST", `${base}/v1/memberships`, {
      name,
      email,
      password: "bench-password",
      region: "Seoul",
      type: "personal",
    });
    const { accessToken } = await json("POST", `${base}/v1/auth/login`, {
      email,
      password: "bench-password",
    });
    const token = `Bearer ${accessToken}`;
    const account = await json("POST", `${bank.url}/accounts`, {
      bankCode: "004",
      holderName: name,
      balance: 1_000_000_000,
    });
    await json(
      "POST",
      `${base}/v1/bank-accounts`,
      { bankCode: "004", accountNumber: account.accountNumber },
      { authorization: token },
    );
    members.push({ token });
  }
  let sent = 0;
  let succeeded = 0;
  const started = performance.now();
  const worker = async () => {
    while (sent < recharges) {
      const n = sent++;
      const m = members[n % members.length]!;
      const r = await json(
        "POST",
        `${base}/v1/money/recharge`,
        { amount: 10_000 },
        { authorization: m.token, "idempotency-key": `bench-${n}` },
      );
      if (r.status === "SUCCEEDED") succeeded++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  row(
    `recharge via HTTP API (${succeeded} succeeded)`,
    engine,
    recharges,
    (performance.now() - started) / 1000,
  );
  await mypay.close();
  await bank.close();
}

for (const engine of ["pglite", "postgres"] as const) {
  const fresh = await freshDb(engine);
  if (!fresh) {
    console.warn(`PostgreSQL does not answer at ${pgUrl}: skipping its rows`);
    continue;
  }
  const ledger = await benchLedger(fresh.db, { transfers });
  row("ledger transfer, one call each", engine, ledger.single.transfers, ledger.single.seconds);
  row(
    `ledger transfer, batches of ${ledger.batch.batchSize}`,
    engine,
    ledger.batch.transfers,
    ledger.batch.seconds,
  );
  await fresh.drop();
  const forHttp = await freshDb(engine);
  if (forHttp) {
    await benchRecharges(engine, forHttp.db);
    await forHttp.drop();
  }
}
console.table(rows);
