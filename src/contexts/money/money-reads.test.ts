import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { newId } from "../../kernel/ids.js";
import type { Db, Queryable } from "../../platform/db/db.js";
import { memberMoney } from "./ledger.js";
import { newMember, openLedgerDb, recharge, transfer } from "./ledger-fixtures.js";
import { createMoneyReader } from "./money-reads.js";

let db: Db;
before(async () => {
  db = await openLedgerDb();
});
after(() => db.close());

/** The real database, with a count of the statements sent and, when given, a hold on their answers. */
function watched(hold?: () => Promise<void>) {
  const seen = { statements: 0 };
  const queryable: Queryable = {
    async query(sql, params) {
      seen.statements += 1;
      const rows = await db.query(sql, params);
      if (hold) await hold();
      return rows as never;
    },
    exec: (sql) => db.exec(sql),
  };
  return { queryable, seen };
}

test("reads that arrive together share one statement, and each member gets its own money", async () => {
  const [a, b] = [await newMember(db), await newMember(db)];
  await recharge(db, a, 50_000);
  await recharge(db, b, 20_000);
  await transfer(db, a, b, 5_000);
  const { queryable, seen } = watched();
  const reader = createMoneyReader(queryable);
  const stranger = newId("membership");
  const [ra, rb, ra2, none] = await Promise.all([a, b, a, stranger].map((m) => reader.read(m)));
  assert.equal(seen.statements, 1);
  assert.deepEqual(ra, await memberMoney(db, a));
  assert.deepEqual(ra2, ra);
  assert.deepEqual(rb, await memberMoney(db, b));
  assert.equal(ra?.balance, 45_000);
  assert.equal(rb?.balance, 25_000);
  assert.equal(none, undefined, "no wallet, as memberMoney says");
});

test("a read that arrives while a statement is answering waits for the next: it shows what was committed before it", async () => {
  const a = await newMember(db);
  await recharge(db, a, 10_000);
  let release = () => {};
  let held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const { queryable, seen } = watched(() => held);
  const reader = createMoneyReader(queryable);
  const early = reader.read(a);
  while (seen.statements === 0) await new Promise((r) => setImmediate(r));
  await recharge(db, a, 30_000);
  const late = reader.read(a);
  held = Promise.resolve();
  release();
  assert.equal((await early)?.balance, 10_000, "its statement ran before the recharge");
  assert.equal((await late)?.balance, 40_000, "never the answer of a statement begun before it");
  assert.equal(seen.statements, 2);
});

test("a failed statement fails the reads it carried, and the next reads are answered", async () => {
  const a = await newMember(db);
  await recharge(db, a, 10_000);
  let fail = true;
  const queryable: Queryable = {
    async query(sql, params) {
      if (fail) throw new Error("connection lost");
      return db.query(sql, params);
    },
    exec: (sql) => db.exec(sql),
  };
  const reader = createMoneyReader(queryable);
  const results = await Promise.allSettled([reader.read(a), reader.read(a)]);
  assert.deepEqual(
    results.map((r) => r.status),
    ["rejected", "rejected"],
  );
  fail = false;
  assert.equal((await reader.read(a))?.balance, 10_000);
});
