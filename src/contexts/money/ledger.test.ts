import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { newId } from "../../kernel/ids.js";
import type { Db } from "../../platform/db/db.js";
import {
  accountBalance,
  accounts,
  memberMoney,
  type Posting,
  post,
  postBatch,
  releaseIncoming,
  reserveIncoming,
} from "./ledger.js";
import {
  accountsOffTheirEntries,
  krw,
  newMember,
  openLedgerDb,
  recharge,
  reservation,
  transfer,
  unbalancedTransactions,
} from "./ledger-fixtures.js";

const CAP = 2_000_000;
let db: Db;

before(async () => {
  db = await openLedgerDb();
});
after(async () => {
  assert.deepEqual(await unbalancedTransactions(db), []);
  assert.deepEqual(await accountsOffTheirEntries(db), []);
  await db.close();
});

const balance = async (member: string) => (await memberMoney(db, member))?.balance;
const entryCount = async () =>
  (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM money.ledger_entries"))[0]?.n;
const money = accounts.memberMoney;
const reservedIn = async (member: string) =>
  (
    await db.query<{ reserved_in: number }>("SELECT reserved_in FROM money.accounts WHERE id = $1", [
      money(member),
    ])
  )[0]?.reserved_in;
const fund = async (amount: number) => {
  const member = await newMember(db);
  assert.equal((await recharge(db, member, amount)).ok, true);
  return member;
};

describe("posting", () => {
  test("moves both balances and writes each entry's balance_after", async () => {
    const [a, b] = [await fund(50_000), await fund(10_000)];
    const posted = await transfer(db, a, b, 12_000);
    assert.ok(posted.ok);
    assert.deepEqual(
      posted.value.entries.map((e) => [e.account, e.side, e.amount, e.balanceAfter]),
      [
        [money(a), "D", 12_000, 38_000],
        [money(b), "C", 12_000, 22_000],
      ],
    );
    assert.equal(await balance(a), 38_000);
    assert.equal(await balance(b), 22_000);
  });

  test("two postings to one account get consecutive balance_after values", async () => {
    const a = await fund(30_000);
    const fee = accounts.feeRevenue;
    const postings = [
      krw(money(a), "D", 1_000),
      krw(fee, "C", 1_000),
      krw(money(a), "D", 500),
      krw(fee, "C", 500),
    ];
    const posted = await post(db, {
      id: newId("ledgerTransaction"),
      kind: "FEE",
      reference: "rem_x",
      postings,
    });
    assert.ok(posted.ok);
    assert.deepEqual(
      posted.value.entries.filter((e) => e.account === money(a)).map((e) => e.balanceAfter),
      [29_000, 28_500],
    );
  });

  const malformed: Array<[string, Posting[], RegExp]> = [
    ["unbalanced", [krw("corporate_cash", "D", 100), krw("fee_revenue", "C", 90)], /LEDGER_UNBALANCED/],
    ["zero", [krw("corporate_cash", "D", 0), krw("fee_revenue", "C", 0)], /LEDGER_INVALID_AMOUNT/],
    ["negative", [krw("corporate_cash", "D", -5), krw("fee_revenue", "C", -5)], /LEDGER_INVALID_AMOUNT/],
    ["fractional", [krw("corporate_cash", "D", 1.5), krw("fee_revenue", "C", 1.5)], /LEDGER_INVALID_AMOUNT/],
    ["one-sided", [krw("corporate_cash", "D", 100)], /LEDGER_INVALID/],
    [
      "balanced across currencies only",
      [
        krw("points_expense", "D", 100),
        { account: "points_issued", side: "C", amount: 100, currency: "PNT" },
      ],
      /LEDGER_UNBALANCED/,
    ],
  ];
  for (const [name, postings, error] of malformed) {
    test(`a ${name} transaction is rejected and changes nothing`, async () => {
      const [cash, entries] = [await accountBalance(db, "corporate_cash"), await entryCount()];
      const txn = { id: newId("ledgerTransaction"), kind: "FEE" as const, reference: "x", postings };
      await assert.rejects(() => db.tx((tx) => post(tx, txn)), error);
      assert.equal(await accountBalance(db, "corporate_cash"), cash);
      assert.equal(await entryCount(), entries);
    });
  }

  test("an overdraft is INSUFFICIENT_BALANCE, moves nothing and leaves the transaction usable", async () => {
    const [a, b] = [await fund(10_000), await newMember(db)];
    const outcome = await db.tx(async (tx) => {
      const refused = await transfer(tx, a, b, 10_001);
      const then = await transfer(tx, a, b, 4_000);
      return { refused, then };
    });
    assert.equal(!outcome.refused.ok && outcome.refused.error.code, "INSUFFICIENT_BALANCE");
    assert.equal(!outcome.refused.ok && outcome.refused.error.detail, "the money balance is not enough");
    assert.equal(outcome.then.ok, true);
    assert.deepEqual([await balance(a), await balance(b)], [6_000, 4_000]);
  });

  test("spending more points than held is INSUFFICIENT_POINTS", async () => {
    const a = await newMember(db);
    const pnt = (account: string, side: "D" | "C", amount: number): Posting => ({
      account,
      side,
      amount,
      currency: "PNT",
    });
    const earn = [pnt(accounts.pointsIssued, "D", 300), pnt(accounts.memberPoints(a), "C", 300)];
    assert.ok(
      (
        await post(db, {
          id: newId("ledgerTransaction"),
          kind: "POINTS_EARN",
          reference: "p",
          postings: earn,
        })
      ).ok,
    );
    const spend = [pnt(accounts.memberPoints(a), "D", 301), pnt(accounts.pointsIssued, "C", 301)];
    const refused = await post(db, {
      id: newId("ledgerTransaction"),
      kind: "PAYMENT",
      reference: "p",
      postings: spend,
    });
    assert.equal(!refused.ok && refused.error.code, "INSUFFICIENT_POINTS");
    assert.equal((await memberMoney(db, a))?.points, 300);
  });

  test("an account never opened is NOT_FOUND", async () => {
    const a = await fund(1_000);
    const refused = await transfer(db, a, "mem_nobody", 100);
    assert.equal(!refused.ok && refused.error.code, "NOT_FOUND");
    assert.equal(await balance(a), 1_000);
  });
});

describe("the balance cap", () => {
  test("a credit that would pass the cap is BALANCE_LIMIT_EXCEEDED; without a cap it passes", async () => {
    const a = await fund(1_990_000);
    const refused = await recharge(db, a, 20_000, { cap: CAP });
    assert.equal(!refused.ok && refused.error.code, "BALANCE_LIMIT_EXCEEDED");
    assert.equal(!refused.ok && refused.error.detail, "the balance would pass the cap of 2,000,000 won");
    assert.equal(await balance(a), 1_990_000);
    assert.equal((await recharge(db, a, 10_000, { cap: CAP })).ok, true);
    assert.equal((await recharge(db, a, 5_000)).ok, true, "a refund posts without a cap");
    assert.equal(
      (await transfer(db, a, await newMember(db), 1_000, { cap: CAP })).ok,
      true,
      "debits ignore the cap",
    );
  });

  test("reserved won count against the cap until they are released", async () => {
    const a = await fund(1_000_000);
    assert.deepEqual(await reserveIncoming(db, a, 600_000, CAP), {
      ok: true,
      value: { reservedIn: 600_000 },
    });
    const overReserved = await reserveIncoming(db, a, 400_001, CAP);
    assert.equal(!overReserved.ok && overReserved.error.code, "BALANCE_LIMIT_EXCEEDED");
    const overPosted = await recharge(db, a, 400_001, { cap: CAP });
    assert.equal(!overPosted.ok && overPosted.error.code, "BALANCE_LIMIT_EXCEEDED");
    // the recharge in flight lands: its promise is released by the posting that credits it
    assert.equal((await recharge(db, a, 600_000, { release: reservation(a, 600_000) })).ok, true);
    assert.equal(await balance(a), 1_600_000);
    assert.equal(await reservedIn(a), 0);
    await assert.rejects(() => releaseIncoming(db, a, 1), /less than 1 won reserved/);
    await assert.rejects(
      () => db.tx((tx) => recharge(tx, a, 1, { release: reservation(a, 1) })),
      /LEDGER_RESERVATION/,
    );
    assert.equal(await balance(a), 1_600_000);
    const noWallet = await reserveIncoming(db, "mem_nobody", 1, CAP);
    assert.equal(!noWallet.ok && noWallet.error.code, "NOT_FOUND");
  });
});

describe("idempotency and concurrency", () => {
  test("the same transaction id posted twice moves money once", async () => {
    const [a, b] = [await fund(10_000), await newMember(db)];
    const id = newId("ledgerTransaction");
    const first = await transfer(db, a, b, 3_000, {}, id);
    const again = await transfer(db, a, b, 3_000, {}, id);
    assert.ok(first.ok && again.ok);
    assert.equal(again.value.replayed, true);
    assert.deepEqual(again.value.entries, first.value.entries);
    assert.deepEqual([await balance(a), await balance(b)], [7_000, 3_000]);
  });

  test("item 6: the same ledger transaction id with other postings is refused, not replayed", async () => {
    const [a, b, c] = [await fund(10_000), await newMember(db), await newMember(db)];
    const id = newId("ledgerTransaction");
    assert.ok((await transfer(db, a, b, 1_000, {}, id)).ok);
    const reordered = await post(db, {
      id,
      kind: "REMITTANCE",
      reference: "test_remittance",
      postings: [krw(money(b), "C", 1_000), krw(money(a), "D", 1_000)],
    });
    assert.equal(reordered.ok && reordered.value.replayed, true, "the same postings in another order replay");
    for (const clash of [await transfer(db, a, b, 2_000, {}, id), await transfer(db, a, c, 1_000, {}, id)]) {
      assert.equal(!clash.ok && clash.error.code, "CONFLICT");
      assert.equal(
        !clash.ok && clash.error.detail,
        "this transaction id was already used for a different movement of money",
      );
    }
    const batchClash = await postBatch(db, [
      {
        id,
        kind: "REMITTANCE",
        reference: "test_remittance",
        postings: [krw(money(a), "D", 1_500), krw(money(b), "C", 1_500)],
      },
    ]);
    assert.equal(!batchClash.ok && batchClash.error.code, "CONFLICT");
    const twin = newId("ledgerTransaction");
    const inBatch = await postBatch(db, [
      {
        id: twin,
        kind: "REMITTANCE",
        reference: "r",
        postings: [krw(money(a), "D", 1), krw(money(b), "C", 1)],
      },
      {
        id: twin,
        kind: "REMITTANCE",
        reference: "r",
        postings: [krw(money(a), "D", 9), krw(money(b), "C", 9)],
      },
    ]);
    assert.equal(!inBatch.ok && inBatch.error.code, "CONFLICT");
    assert.ok(!inBatch.ok && inBatch.error.detail.startsWith(twin));
    assert.deepEqual([await balance(a), await balance(b), await balance(c)], [9_000, 1_000, 0]);
  });

  test("the same id reused for another transaction is CONFLICT", async () => {
    const [a, b] = [await fund(10_000), await newMember(db)];
    const id = newId("ledgerTransaction");
    assert.ok((await transfer(db, a, b, 1_000, {}, id)).ok);
    const postings = [krw(money(a), "D", 1_000), krw(accounts.feeRevenue, "C", 1_000)];
    const clash = await post(db, { id, kind: "FEE", reference: "rem_other", postings });
    assert.equal(!clash.ok && clash.error.code, "CONFLICT");
    assert.equal(await balance(a), 9_000);
  });

  test("concurrent debits of one member never overdraw it", async () => {
    const [a, b] = [await fund(100_000), await newMember(db)];
    const attempts = await Promise.all(
      Array.from({ length: 30 }, () => db.tx((tx) => transfer(tx, a, b, 7_000))),
    );
    const succeeded = attempts.filter((r) => r.ok).length;
    assert.equal(succeeded, 14);
    assert.ok(attempts.every((r) => r.ok || r.error.code === "INSUFFICIENT_BALANCE"));
    assert.deepEqual([await balance(a), await balance(b)], [100_000 - 14 * 7_000, 14 * 7_000]);
  });

  test("concurrent twins of one transaction id move money once", async () => {
    const [a, b] = [await fund(10_000), await newMember(db)];
    const id = newId("ledgerTransaction");
    const twins = await Promise.all(
      Array.from({ length: 5 }, () => db.tx((tx) => transfer(tx, a, b, 6_000, {}, id))),
    );
    assert.ok(twins.every((r) => r.ok));
    assert.equal(twins.filter((r) => r.ok && !r.value.replayed).length, 1);
    assert.deepEqual([await balance(a), await balance(b)], [4_000, 6_000]);
  });
});

test("item 5: concurrent fee-bearing postings and recharge credits do not deadlock", async () => {
  // Each member has recharges in flight; their credits (which charge a fee and release the
  // reservation) race fee postings on the same members. fee_revenue and corporate_cash sort before
  // member_money, so a reservation locked outside the posting's id order would deadlock here.
  const members = await Promise.all(Array.from({ length: 4 }, () => fund(100_000)));
  const perMember = 5;
  for (const m of members)
    for (let i = 0; i < perMember; i++) assert.ok((await reserveIncoming(db, m, 10_000, CAP)).ok);
  const feeBefore = (await accountBalance(db, accounts.feeRevenue))!;
  const fee = (m: string) =>
    db.tx((tx) =>
      post(tx, {
        id: newId("ledgerTransaction"),
        kind: "FEE",
        reference: "rem_test",
        postings: [krw(money(m), "D", 1_000), krw(accounts.feeRevenue, "C", 1_000)],
      }),
    );
  const credit = (m: string) =>
    db.tx((tx) =>
      post(
        tx,
        {
          id: newId("ledgerTransaction"),
          kind: "RECHARGE",
          reference: "rch_test",
          postings: [
            krw(accounts.corporateCash, "D", 10_000),
            krw(money(m), "C", 9_500),
            krw(accounts.feeRevenue, "C", 500),
          ],
        },
        { release: reservation(m, 10_000) },
      ),
    );
  const work = members.flatMap((m) => Array.from({ length: perMember }, () => [fee(m), credit(m)]).flat());
  const results = await Promise.all(work);
  assert.ok(
    results.every((r) => r.ok),
    JSON.stringify(results.filter((r) => !r.ok)),
  );
  for (const m of members) {
    assert.equal(await balance(m), 100_000 + perMember * (9_500 - 1_000));
    assert.equal(await reservedIn(m), 0);
  }
  assert.equal(
    (await accountBalance(db, accounts.feeRevenue))! - feeBefore,
    members.length * perMember * 1_500,
  );
});
