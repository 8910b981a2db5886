// Raw ledger throughput: member-to-member transfers through post (one call each) and through
// postBatch (many per call). Run alone with `tsx bench/ledger.ts [transfers]` (PGlite in memory).
import { pathToFileURL } from "node:url";
import { accounts, type LedgerTransaction, post, postBatch } from "../src/contexts/money/ledger.js";
import { migrateLedger, newMember } from "../src/contexts/money/ledger-fixtures.js";
import { unwrap } from "../src/kernel/errors.js";
import { newId } from "../src/kernel/ids.js";
import type { Db } from "../src/platform/db/db.js";
import { openPglite } from "../src/platform/db/pglite.js";

export interface LedgerBenchOptions {
  readonly transfers: number;
  /** Members the transfers go between (more members, less contention). */
  readonly members?: number;
  readonly batchSize?: number;
  /** Transfers in flight at once through `post` (PGlite runs them one at a time anyway). */
  readonly concurrency?: number;
}

export interface Throughput {
  readonly transfers: number;
  readonly seconds: number;
  readonly opsPerSecond: number;
}

export interface LedgerBenchResult {
  readonly engine: Db["engine"];
  readonly single: Throughput;
  readonly batch: Throughput & { readonly batchSize: number };
}

const transferTxn = (from: string, to: string, amount: number): LedgerTransaction => ({
  id: newId("ledgerTransaction"),
  kind: "REMITTANCE",
  reference: "bench",
  postings: [
    { account: accounts.memberMoney(from), side: "D", amount, currency: "KRW" },
    { account: accounts.memberMoney(to), side: "C", amount, currency: "KRW" },
  ],
});

/** Random member pairs, never a member to itself. */
function randomTransfers(members: readonly string[], count: number): LedgerTransaction[] {
  return Array.from({ length: count }, () => {
    const i = Math.floor(Math.random() * members.length);
    const j = (i + 1 + Math.floor(Math.random() * (members.length - 1))) % members.length;
    return transferTxn(members[i]!, members[j]!, 1 + Math.floor(Math.random() * 1_000));
  });
}

/** Opens the members' wallets and gives each enough money that no transfer is refused. */
async function fundedMembers(db: Db, count: number): Promise<string[]> {
  const members = await db.tx(async (tx) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(await newMember(tx));
    return ids;
  });
  const recharges = members.map(
    (m): LedgerTransaction => ({
      id: newId("ledgerTransaction"),
      kind: "RECHARGE",
      reference: "bench",
      postings: [
        { account: accounts.corporateCash, side: "D", amount: 1_000_000_000, currency: "KRW" },
        { account: accounts.memberMoney(m), side: "C", amount: 1_000_000_000, currency: "KRW" },
      ],
    }),
  );
  unwrap(await postBatch(db, recharges));
  return members;
}

async function timed(transfers: number, run: () => Promise<void>): Promise<Throughput> {
  const start = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { transfers, seconds, opsPerSecond: Math.round(transfers / seconds) };
}

/** Expects an open database; migrates the money schema if it is not yet. */
export async function benchLedger(db: Db, options: LedgerBenchOptions): Promise<LedgerBenchResult> {
  const { transfers, members: memberCount = 100, batchSize = 500 } = options;
  const concurrency = options.concurrency ?? (db.engine === "postgres" ? 8 : 1);
  await migrateLedger(db);
  const members = await fundedMembers(db, memberCount);

  const singles = randomTransfers(members, transfers);
  const single = await timed(transfers, async () => {
    const worker = async () => {
      for (let txn = singles.pop(); txn; txn = singles.pop()) unwrap(await post(db, txn));
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  });

  const batches = randomTransfers(members, transfers);
  const batch = await timed(transfers, async () => {
    for (let i = 0; i < batches.length; i += batchSize) {
      unwrap(await postBatch(db, batches.slice(i, i + batchSize)));
    }
  });
  return { engine: db.engine, single, batch: { ...batch, batchSize } };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const db = await openPglite();
  try {
    console.log(
      JSON.stringify(await benchLedger(db, { transfers: Number(process.argv[2] ?? 2_000) }), null, 2),
    );
  } finally {
    await db.close();
  }
}
