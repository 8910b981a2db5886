import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { newId } from "../../kernel/ids.js";
import type { Db } from "../../platform/db/db.js";
import { accounts, type LedgerTransaction, memberMoney, postBatch } from "./ledger.js";
import {
  accountsOffTheirEntries,
  fits,
  krw,
  newMember,
  openLedgerDb,
  recharge,
  transferOutcome,
  unbalancedTransactions,
  type Wallets,
} from "./ledger-fixtures.js";

const CAP = 300_000;
let db: Db;
before(async () => {
  db = await openLedgerDb();
});
after(async () => {
  assert.deepEqual(await unbalancedTransactions(db), []);
  assert.deepEqual(await accountsOffTheirEntries(db), []);
  await db.close();
});

const money = accounts.memberMoney;
const balances = async (ids: readonly string[]) =>
  Promise.all(ids.map(async (m) => (await memberMoney(db, m))?.balance));
const txn = (
  kind: "REMITTANCE" | "RECHARGE",
  from: string,
  to: string,
  amount: number,
): LedgerTransaction => ({
  id: newId("ledgerTransaction"),
  kind,
  reference: "test_batch",
  postings: [krw(from, "D", amount), krw(to, "C", amount)],
});
const transfers = (from: string, to: string, amounts: number[]) =>
  amounts.map((amount) => txn("REMITTANCE", money(from), money(to), amount));

describe("batches", () => {
  test("post many transactions in one call, and replay them as a no-op", async () => {
    const [a, b] = [await newMember(db), await newMember(db)];
    await recharge(db, a, 10_000);
    const batch = transfers(a, b, [1_000, 2_000, 3_000]);
    assert.deepEqual(await postBatch(db, batch), { ok: true, value: { posted: 3, replayed: 0 } });
    assert.deepEqual(await postBatch(db, batch), { ok: true, value: { posted: 0, replayed: 3 } });
    assert.deepEqual(await balances([a, b]), [4_000, 6_000]);
  });

  test("a batch with one refused transaction moves nothing and names it", async () => {
    const [a, b] = [await newMember(db), await newMember(db)];
    await recharge(db, a, 10_000);
    const batch = transfers(a, b, [4_000, 4_000, 4_000]);
    const refused = await postBatch(db, batch);
    assert.equal(!refused.ok && refused.error.code, "INSUFFICIENT_BALANCE");
    assert.ok(!refused.ok && refused.error.detail.includes(batch[2]!.id));
    assert.deepEqual(await balances([a, b]), [10_000, 0]);
  });

  test("a malformed transaction in a batch throws and moves nothing", async () => {
    const [a, b] = [await newMember(db), await newMember(db)];
    await recharge(db, a, 10_000);
    const batch = [
      ...transfers(a, b, [1_000]),
      { ...txn("REMITTANCE", money(a), money(b), 1), postings: [] },
    ];
    await assert.rejects(() => postBatch(db, batch), /LEDGER_INVALID/);
    assert.deepEqual(await balances([a, b]), [10_000, 0]);
  });
});

const member = fc.integer({ min: 0, max: 2 });
const amount = fc.integer({ min: 1, max: 150_000 });
const batchOp = fc.oneof(
  fc.record({ t: fc.constant("recharge" as const), to: member, amount }),
  fc.record({ t: fc.constant("transfer" as const), from: member, to: member, amount }),
);

test("a batch posts exactly what its transactions would one by one, or nothing at the first refusal", async () => {
  const start = fc.array(fc.integer({ min: 0, max: CAP }), { minLength: 3, maxLength: 3 });
  await fc.assert(
    fc.asyncProperty(start, fc.array(batchOp, { minLength: 1, maxLength: 12 }), async (initial, ops) => {
      const ids = await Promise.all(initial.map(() => newMember(db)));
      for (const [i, m] of ids.entries()) if (initial[i]! > 0) await recharge(db, m, initial[i]!);
      const w: Wallets = { ids, money: [...initial], reserved: [0, 0, 0] };
      let refusal: { code: string; id: string } | undefined;
      const batch = ops.map((o) => {
        const t =
          o.t === "recharge"
            ? txn("RECHARGE", accounts.corporateCash, money(ids[o.to]!), o.amount)
            : txn("REMITTANCE", money(ids[o.from]!), money(ids[o.to]!), o.amount);
        const from = o.t === "transfer" ? o.from : undefined;
        const code =
          from === undefined
            ? fits(w, o.to, o.amount, CAP)
              ? "OK"
              : "BALANCE_LIMIT_EXCEEDED"
            : transferOutcome(w, from, o.to, o.amount, CAP);
        if (code !== "OK") refusal ??= { code, id: t.id };
        if (from !== undefined) w.money[from]! -= o.amount;
        w.money[o.to]! += o.amount;
        return t;
      });
      const posted = await postBatch(db, batch, { cap: CAP });
      if (refusal) {
        assert.equal(!posted.ok && posted.error.code, refusal.code);
        assert.ok(!posted.ok && posted.error.detail.includes(refusal.id));
        assert.deepEqual(await balances(ids), initial);
      } else {
        assert.deepEqual(posted, { ok: true, value: { posted: batch.length, replayed: 0 } });
        assert.deepEqual(await balances(ids), w.money);
      }
    }),
    { numRuns: 60 },
  );
  assert.deepEqual(await accountsOffTheirEntries(db), []);
});
