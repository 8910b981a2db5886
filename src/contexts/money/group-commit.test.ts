import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { newId } from "../../kernel/ids.js";
import type { Db, Queryable } from "../../platform/db/db.js";
import { createGroupCommit, type GroupCommitOptions } from "./group-commit.js";
import { accounts, memberMoney, post, postGroup, safeguarding, shardOf, trialBalance } from "./ledger.js";
import {
  accountsOffTheirEntries,
  newMember,
  openLedgerDb,
  recharge,
  transfer,
  transferOutcome,
  unbalancedTransactions,
  type Wallets,
} from "./ledger-fixtures.js";
import { transferRequest } from "./transfer-money.js";

// Group commit through a real PGlite: requests submitted together are posted in one batch, each with
// its own answer, exactly as if they had been posted one after another in the order they arrived.

const CAP = 100_000;
let db: Db;
before(async () => {
  db = await openLedgerDb();
});
after(async () => {
  assert.deepEqual(await unbalancedTransactions(db), []);
  assert.deepEqual(await accountsOffTheirEntries(db), []);
  await db.close();
});

async function members(count: number, each: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = await newMember(db);
    if (each > 0) await recharge(db, id, each);
    ids.push(id);
  }
  return ids;
}

const balanceOf = async (id: string) => (await memberMoney(db, id))?.balance ?? 0;
const outboxCount = async () =>
  (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM money.outbox"))[0]!.n;

function sender(options: GroupCommitOptions = {}) {
  const group = createGroupCommit(db, options);
  const send = (from: string, to: string, amount: number, transferId = newId("remittance")) =>
    group.submit(transferRequest({ transferId, from, to, amount, correlationId: transferId }, CAP));
  return { group, send };
}

describe("group commit", () => {
  test("requests that arrive together are one batch; a refused one fails none of the others", async () => {
    const [a, b, c] = await members(3, 10_000);
    const { group, send } = sender();
    const events = await outboxCount();
    // a sends 4,000 three times: the third finds 2,000 left. c sends to a wallet that does not exist.
    const answers = await Promise.all([
      send(a!, b!, 4_000),
      send(a!, b!, 4_000),
      send(c!, `nobody_${newId("membership")}`, 1_000),
      send(a!, b!, 4_000),
      send(b!, c!, 15_000),
    ]);
    assert.deepEqual(
      answers.map((r) => (r.ok ? "OK" : r.error.code)),
      ["OK", "OK", "NOT_FOUND", "INSUFFICIENT_BALANCE", "OK"],
    );
    assert.deepEqual(
      answers.map((r) => r.ok && [r.value.fromBalance, r.value.toBalance]),
      [[6_000, 14_000], [2_000, 18_000], false, false, [3_000, 25_000]],
    );
    assert.deepEqual(await Promise.all([a!, b!, c!].map(balanceOf)), [2_000, 3_000, 25_000]);
    // All five arrived in the same turn of the event loop: one batch, one commit.
    assert.deepEqual(group.stats(), { batches: 1, requests: 5, largest: 5 });
    // Two balance changes per accepted transfer, in the same transactions: nothing for refusals.
    assert.equal((await outboxCount()) - events, 6);
  });

  test("the same transfer id twice in one batch moves the money once; both hear the same answer", async () => {
    const [a, b] = await members(2, 10_000);
    const { send } = sender();
    const id = newId("remittance");
    const [warmup, first, twin] = await Promise.all([
      send(b!, a!, 1_000),
      send(a!, b!, 3_000, id),
      send(a!, b!, 3_000, id),
    ]);
    assert.ok(warmup.ok && first.ok && twin.ok);
    assert.deepEqual(twin.value, first.value);
    assert.deepEqual([await balanceOf(a!), await balanceOf(b!)], [8_000, 12_000]);
    // The same id for another movement is a clash, refused without moving anything.
    const clash = await send(a!, b!, 5_000, id);
    assert.equal(!clash.ok && clash.error.code, "CONFLICT");
    assert.deepEqual([await balanceOf(a!), await balanceOf(b!)], [8_000, 12_000]);
  });

  test("a crash between the batch's commit and its replies: the retry gets the committed answer", async () => {
    const [a, b] = await members(2, 10_000);
    const crashing = sender({
      afterCommit: () => {
        throw new Error("the process died before answering");
      },
    });
    const ids = [newId("remittance"), newId("remittance")];
    const lost = await Promise.allSettled(ids.map((id) => crashing.send(a!, b!, 2_500, id)));
    assert.deepEqual(
      lost.map((r) => r.status),
      ["rejected", "rejected"],
    );
    // The client retries with the same ids against a healthy process.
    const { send } = sender();
    const retried = await Promise.all(ids.map((id) => send(a!, b!, 2_500, id)));
    assert.deepEqual(
      retried.map((r) => r.ok && [r.value.fromBalance, r.value.toBalance]),
      [
        [7_500, 12_500],
        [5_000, 15_000],
      ],
    );
    assert.deepEqual([await balanceOf(a!), await balanceOf(b!)], [5_000, 15_000]);
  });

  test("any batching of concurrent transfers gives the balances and refusals of the serial order", async () => {
    const ids = await members(4, 0);
    const start = [30_000, 10_000, 0, 90_000];
    for (const [i, amount] of start.entries()) if (amount > 0) await recharge(db, ids[i]!, amount);
    const model: Wallets = { ids, money: [...start], reserved: [0, 0, 0, 0] };
    const move = fc.record({
      from: fc.integer({ min: 0, max: 3 }),
      to: fc.integer({ min: 0, max: 3 }),
      amount: fc.integer({ min: 1, max: 40_000 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(move, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 8 }),
        async (moves, maxBatch) => {
          const real = moves.filter((m) => m.from !== m.to);
          const { send } = sender({ maxBatch });
          const answers = await Promise.all(real.map((m) => send(ids[m.from]!, ids[m.to]!, m.amount)));
          for (const [i, m] of real.entries()) {
            const expected = transferOutcome(model, m.from, m.to, m.amount, CAP);
            const answer = answers[i]!;
            assert.equal(answer.ok ? "OK" : answer.error.code, expected, `move ${i} of ${real.length}`);
            if (expected !== "OK") continue;
            model.money[m.from]! -= m.amount;
            model.money[m.to]! += m.amount;
            assert.ok(answer.ok);
            assert.deepEqual(
              [answer.value.fromBalance, answer.value.toBalance],
              [model.money[m.from], model.money[m.to]],
            );
          }
          assert.deepEqual(await Promise.all(ids.map(balanceOf)), model.money);
        },
      ),
      { numRuns: 40 },
    );
  });

  test("a busy account is updated once per batch, not once per posting, and its entries still chain", async () => {
    const payers = await members(6, 10_000);
    const [shop] = await members(1, 0);
    const items = payers.map((p) => {
      const transferId = newId("remittance");
      return transferRequest(
        { transferId, from: p, to: shop!, amount: 1_000, correlationId: transferId },
        CAP,
      ).item;
    });
    const updatesBy = (postAll: (tx: Queryable) => Promise<void>) =>
      db.tx(async (tx) => {
        const count = async () =>
          (
            await tx.query<{ n: number }>(
              "SELECT n_tup_upd::int AS n FROM pg_stat_xact_user_tables WHERE schemaname = 'money' AND relname = 'accounts'",
            )
          )[0]!.n;
        const before = await count();
        await postAll(tx);
        return (await count()) - before;
      });
    const grouped = await updatesBy(async (tx) => {
      assert.ok((await postGroup(tx, items)).every((r) => r.ok));
    });
    const oneByOne = await updatesBy(async (tx) => {
      for (const p of payers) assert.ok((await transfer(tx, p, shop!, 1_000)).ok);
    });
    // Six payers and the shop once each: 7 row updates, where one posting at a time makes 12.
    assert.deepEqual([grouped, oneByOne], [7, 12]);
    const afters = await db.query<{ balance_after: number }>(
      "SELECT balance_after FROM money.ledger_entries WHERE account_id = $1 ORDER BY seq",
      [accounts.memberMoney(shop!)],
    );
    assert.deepEqual(
      afters.map((e) => e.balance_after),
      [1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000, 11_000, 12_000],
    );
  });

  test("a posting reads the ledger by key, however many postings came before (no scan of the ledger)", async () => {
    const [a, b] = await members(2, 50_000);
    // Many postings first, so that each session's plans are its cached ones, made while it was small.
    for (let i = 0; i < 60; i++) {
      const transferId = newId("remittance");
      await db.tx((tx) =>
        postGroup(tx, [
          transferRequest({ transferId, from: a!, to: b!, amount: 10, correlationId: transferId }, CAP).item,
        ]),
      );
    }
    const scanned = await db.tx(async (tx) => {
      const read = async () =>
        (
          await tx.query<{ n: number }>(
            `SELECT coalesce(sum(seq_tup_read), 0)::int AS n FROM pg_stat_xact_user_tables
             WHERE schemaname = 'money' AND relname IN ('ledger_entries', 'ledger_transactions', 'accounts')`,
          )
        )[0]!.n;
      const before = await read();
      const transferId = newId("remittance");
      const item = transferRequest(
        { transferId, from: a!, to: b!, amount: 10, correlationId: transferId },
        CAP,
      ).item;
      // A new posting, then its replay (which reads the entries it left).
      assert.ok((await postGroup(tx, [item]))[0]!.ok);
      assert.ok((await postGroup(tx, [item]))[0]!.ok);
      return (await read()) - before;
    });
    assert.equal(scanned, 0, "rows read by sequential scans of the ledger's tables");
  });

  test("mypay's own accounts are spread over shards, one line each in the trial balance", async () => {
    const [m] = await members(1, 0);
    const before = await trialBalance(db);
    const cashLine = (t: Awaited<ReturnType<typeof trialBalance>>) =>
      t.accounts.find((l) => l.account === "corporate_cash")?.balance ?? 0;
    const ids = Array.from({ length: 40 }, () => newId("recharge"));
    const shards = new Set(ids.map((id) => shardOf(accounts.corporateCash, id)));
    // Recharges land on different rows, so concurrent ones do not queue on one lock.
    assert.ok(shards.size >= 6, `${shards.size} shards used`);
    assert.equal(shardOf(accounts.corporateCash, ids[0]!), shardOf(accounts.corporateCash, ids[0]!));
    for (const id of ids.slice(0, 8)) {
      const posted = await post(db, {
        id: `${id}:credit`,
        kind: "RECHARGE",
        reference: id,
        postings: [
          { account: shardOf(accounts.corporateCash, id), side: "D", amount: 1_000, currency: "KRW" },
          { account: accounts.memberMoney(m!), side: "C", amount: 1_000, currency: "KRW" },
        ],
      });
      assert.ok(posted.ok);
    }
    const after = await trialBalance(db);
    assert.equal(after.accounts.filter((l) => l.account === "corporate_cash").length, 1);
    assert.equal(cashLine(after) - cashLine(before), 8_000);
    assert.equal(after.totalDebit, after.totalCredit);
    assert.equal((await safeguarding(db)).corporateCash, cashLine(after));
  });

  test("two replicas' batches on one database: no deadlock, no overdraft, nothing created or lost", async () => {
    const ids = await members(5, 20_000);
    const replicas = [sender(), sender()];
    const sends = Array.from({ length: 60 }, (_, i) => {
      const from = ids[i % 5]!;
      const to = ids[(i * 3 + 1) % 5]!;
      return from === to ? null : replicas[i % 2]!.send(from, to, 1_500 + (i % 7) * 1_000);
    }).filter((p) => p !== null);
    const answers = await Promise.all(sends);
    const codes = new Set(answers.map((r) => (r.ok ? "OK" : r.error.code)));
    assert.ok(
      [...codes].every((c) => c === "OK" || c === "INSUFFICIENT_BALANCE"),
      [...codes].join(),
    );
    const balances = await Promise.all(ids.map(balanceOf));
    assert.ok(balances.every((b) => b >= 0));
    assert.equal(
      balances.reduce((a, b) => a + b, 0),
      100_000,
    );
  });

  test("a malformed request (a bug) in a batch fails alone: the others are posted", async () => {
    const [a, b] = await members(2, 10_000);
    const { group, send } = sender();
    const broken = transferRequest(
      { transferId: newId("remittance"), from: a!, to: b!, amount: 1.5, correlationId: "bug" },
      CAP,
    );
    const [first, bug, last] = await Promise.allSettled([
      send(a!, b!, 1_000),
      group.submit(broken),
      send(b!, a!, 500),
    ]);
    assert.equal(bug.status, "rejected");
    assert.ok(first.status === "fulfilled" && first.value.ok && last.status === "fulfilled" && last.value.ok);
    assert.deepEqual([await balanceOf(a!), await balanceOf(b!)], [9_500, 10_500]);
  });
});
