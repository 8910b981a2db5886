// npm run bench: throughput baselines, printed as a table (no targets yet).
// - raw ledger transfers (member → member postings) on PGlite and PostgreSQL, one call each and batched;
// - recharges, member→member remittances and payments through the HTTP API (real sockets, 8 clients,
//   40 members, the sandbox bank, firmbanking and sagas), on both engines;
// - settling 100,000 payments over 1,000 franchises (--settle-payments, --settle-franchises).
// PostgreSQL is used when it answers at MYPAY_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import type { Db } from "../src/platform/db/db.js";
import { openPglite } from "../src/platform/db/pglite.js";
import { openPostgres } from "../src/platform/db/postgres.js";
import { benchHttp } from "./http.js";
import { benchLedger } from "./ledger.js";
import { benchSettle } from "./settle.js";

const pgUrl = process.env.MYPAY_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const transfers = arg("transfers", 5_000);
const recharges = arg("recharges", 300);
const remittances = arg("remittances", 500);
const payments = arg("payments", 500);
const settlePayments = arg("settle-payments", 100_000);
const settleFranchises = arg("settle-franchises", 1_000);

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
    for (const r of await benchHttp(forHttp.db, { recharges, remittances, payments }))
      row(`${r.what} via HTTP API`, engine, r.operations, r.seconds);
    await forHttp.drop();
  }
  const forSettle = await freshDb(engine);
  if (forSettle) {
    const s = await benchSettle(forSettle.db, { payments: settlePayments, franchises: settleFranchises });
    if (s.paidAtBank !== s.net)
      throw new Error(`settlement paid ${s.paidAtBank} at the bank, expected ${s.net}`);
    row(
      `settle ${s.payments.toLocaleString("en")} payments over ${s.franchises} franchises (one run)`,
      engine,
      s.payments,
      s.seconds,
    );
    await forSettle.drop();
  }
}
console.table(rows);
