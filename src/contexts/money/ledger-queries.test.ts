import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { newId } from "../../kernel/ids.js";
import type { Db } from "../../platform/db/db.js";
import { accounts, history, memberMoney, type Posting, post, trialBalance } from "./ledger.js";
import { krw, newMember, openLedgerDb, recharge, transfer, withdrawStart } from "./ledger-fixtures.js";
import { closeWallet } from "./wallet.js";

let db: Db;
before(async () => {
  db = await openLedgerDb();
});
after(() => db.close());

const points = (account: string, side: "D" | "C", amount: number): Posting => ({
  account,
  side,
  amount,
  currency: "PNT",
});
const earnPoints = (member: string, amount: number) =>
  post(db, {
    id: newId("ledgerTransaction"),
    kind: "POINTS_EARN",
    reference: "pay_x",
    postings: [
      points(accounts.pointsIssued, "D", amount),
      points(accounts.memberPoints(member), "C", amount),
    ],
  });

describe("trial balance", () => {
  test("rolls member accounts up by kind, and its debit and credit totals are equal", async () => {
    const [a, b] = [await newMember(db), await newMember(db)];
    await recharge(db, a, 70_000);
    await recharge(db, b, 30_000);
    await transfer(db, a, b, 5_000);
    await withdrawStart(db, b, 10_000);
    await earnPoints(a, 700);
    const tb = await trialBalance(db);
    const line = (account: string) => tb.accounts.find((l) => l.account === account);
    assert.deepEqual(line("member_money"), {
      account: "member_money",
      currency: "KRW",
      debit: 0,
      credit: 90_000,
      balance: 90_000,
    });
    assert.deepEqual(line("corporate_cash"), {
      account: "corporate_cash",
      currency: "KRW",
      debit: 100_000,
      credit: 0,
      balance: 100_000,
    });
    assert.equal(line("money_in_transit")?.credit, 10_000);
    assert.equal(line("member_points")?.balance, 700);
    assert.equal(line("points_issued")?.debit, 700);
    assert.equal(tb.accounts.filter((l) => l.account.startsWith("member_money")).length, 1);
    assert.equal(tb.totalDebit, tb.totalCredit);
    assert.equal(tb.totalDebit, 100_700);
  });
});

describe("history", () => {
  test("lists a member's money newest first, signed, with the kind of each move, page by page", async () => {
    const [a, b] = [await newMember(db), await newMember(db)];
    await recharge(db, a, 50_000);
    await transfer(db, a, b, 20_000);
    await transfer(db, b, a, 5_000);
    await withdrawStart(db, a, 10_000);
    const fee = [krw(accounts.memberMoney(a), "D", 500), krw(accounts.feeRevenue, "C", 500)];
    await post(db, { id: newId("ledgerTransaction"), kind: "FEE", reference: "rem_fee", postings: fee });

    const first = await history(db, a, { limit: 3 });
    assert.deepEqual(
      first.items.map((i) => [i.kind, i.amount, i.balanceAfter]),
      [
        ["FEE", -500, 24_500],
        ["WITHDRAW", -10_000, 25_000],
        ["REMITTANCE_IN", 5_000, 35_000],
      ],
    );
    assert.ok(first.nextCursor);
    const second = await history(db, a, { limit: 3, cursor: first.nextCursor });
    assert.deepEqual(
      second.items.map((i) => [i.kind, i.amount, i.balanceAfter, i.reference]),
      [
        ["REMITTANCE_OUT", -20_000, 30_000, "test_remittance"],
        ["RECHARGE", 50_000, 50_000, "test_recharge"],
      ],
    );
    assert.equal(second.nextCursor, null);
    assert.ok(first.items.every((i) => /^ent_[0-9a-f]{32}$/.test(i.entryId) && i.createdAt instanceof Date));
  });

  test("an exactly full last page has no next cursor, and a member without money has an empty history", async () => {
    const a = await newMember(db);
    await recharge(db, a, 10_000);
    await recharge(db, a, 10_000);
    assert.equal((await history(db, a, { limit: 2 })).nextCursor, null);
    assert.deepEqual(await history(db, await newMember(db)), { items: [], nextCursor: null });
    await assert.rejects(() => history(db, a, { cursor: "1; DROP TABLE x" }), /not a history cursor/);
  });
});

describe("closing a wallet", () => {
  test("refuses while money remains, then closes it, expiring the points", async () => {
    const [a, b] = [await newMember(db), await newMember(db)];
    await recharge(db, a, 10_000);
    await earnPoints(a, 250);
    const refused = await closeWallet(db, a);
    assert.equal(!refused.ok && refused.error.code, "CONFLICT");
    await transfer(db, a, b, 10_000);
    assert.deepEqual(await closeWallet(db, a), { ok: true, value: { expiredPoints: 250 } });
    assert.deepEqual(await closeWallet(db, a), { ok: true, value: { expiredPoints: 0 } });
    assert.deepEqual(
      { ...(await memberMoney(db, a)), updatedAt: undefined },
      { balance: 0, points: 0, updatedAt: undefined },
    );
    const toClosed = await transfer(db, b, a, 1_000);
    assert.equal(!toClosed.ok && toClosed.error.code, "CONFLICT");
    const unknown = await closeWallet(db, "mem_nobody");
    assert.equal(!unknown.ok && unknown.error.code, "NOT_FOUND");
  });
});

describe("the books are append-only", () => {
  test("an entry can be neither changed nor deleted", async () => {
    const a = await newMember(db);
    await recharge(db, a, 10_000);
    await assert.rejects(
      () => db.query("UPDATE money.ledger_entries SET amount = amount + 1"),
      /LEDGER_APPEND_ONLY/,
    );
    await assert.rejects(() => db.query("DELETE FROM money.ledger_transactions"), /LEDGER_APPEND_ONLY/);
    assert.equal((await memberMoney(db, a))?.balance, 10_000);
  });
});
