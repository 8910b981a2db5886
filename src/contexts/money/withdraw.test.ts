import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { waitFor } from "../../testing/bus.js";
import {
  bankBalance,
  bankCall,
  books,
  call,
  type Member,
  moneyOf,
  newMember,
  settled,
  startWorld,
  type World,
} from "../../testing/world.js";

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

let keys = 0;
const move = (m: Member, what: "recharge" | "withdraw", amount: number, key = `${what}-${++keys}`) =>
  call(world, m.token, "POST", `/v1/money/${what}`, { amount }, key);

async function funded(amount: number, bankBalanceWon = 1_000_000): Promise<Member> {
  const m = await newMember(world, { bankBalance: bankBalanceWon });
  assert.equal((await move(m, "recharge", amount)).json().status, "SUCCEEDED");
  return m;
}

describe("withdraw (출금)", () => {
  test("sends money back to the linked account", async () => {
    const kim = await funded(100_000);
    const res = await move(kim, "withdraw", 35_000);
    assert.equal(res.statusCode, 201);
    assert.deepEqual(
      { ...(res.json() as object), withdrawalId: "x" },
      { withdrawalId: "x", amount: 35_000, status: "SUCCEEDED", balance: 65_000 },
    );
    assert.equal(await moneyOf(world, kim), 65_000);
    assert.equal(await bankBalance(world, kim.account), 935_000);
    const kinds = (await call(world, kim.token, "GET", "/v1/money/history"))
      .json()
      .items.map((i: { kind: string; amount: number }) => [i.kind, i.amount]);
    assert.deepEqual(kinds, [
      ["WITHDRAW", -35_000],
      ["RECHARGE", 100_000],
    ]);
  });

  test("more than the balance: 422 INSUFFICIENT_BALANCE, nothing moves, and the answer is kept for the key", async () => {
    const lee = await funded(20_000);
    const res = await move(lee, "withdraw", 20_001, "too-much");
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().code, "INSUFFICIENT_BALANCE");
    const again = await move(lee, "withdraw", 20_001, "too-much");
    assert.equal(again.statusCode, 422);
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.equal(await moneyOf(world, lee), 20_000);
    assert.equal(await bankBalance(world, lee.account), 980_000);
  });

  test("concurrent withdrawals never spend the same won twice", async () => {
    const park = await funded(50_000);
    const answers = await Promise.all(Array.from({ length: 5 }, () => move(park, "withdraw", 20_000)));
    const paid = answers.filter((a) => a.statusCode === 201 && a.json().status === "SUCCEEDED").length;
    assert.equal(paid, 2);
    assert.equal(answers.filter((a) => a.json().code === "INSUFFICIENT_BALANCE").length, 3);
    assert.equal(await moneyOf(world, park), 10_000);
    assert.equal(await bankBalance(world, park.account), 990_000);
  });

  test("a payout the bank refuses returns the money to the member", async () => {
    const choi = await funded(40_000);
    await bankCall(world.bank, "PATCH", `/accounts/${choi.account.bankCode}/${choi.account.accountNumber}`, {
      status: "FROZEN",
    });
    const res = await move(choi, "withdraw", 15_000);
    await bankCall(world.bank, "PATCH", `/accounts/${choi.account.bankCode}/${choi.account.accountNumber}`, {
      status: "ACTIVE",
    });
    assert.equal(res.json().status, "FAILED");
    assert.equal(res.json().balance, 40_000);
    assert.equal(await moneyOf(world, choi), 40_000);
    const kinds = (await call(world, choi.token, "GET", "/v1/money/history"))
      .json()
      .items.map((i: { kind: string; amount: number }) => [i.kind, i.amount]);
    assert.deepEqual(kinds, [
      ["WITHDRAW", 15_000],
      ["WITHDRAW", -15_000],
      ["RECHARGE", 40_000],
    ]);
  });

  test("a payout whose answer times out stays PENDING until the bank's outcome is known", async () => {
    const han = await funded(60_000);
    await bankCall(world.bank, "PUT", "/faults", { timeoutRate: 1, timeoutHoldMs: 50 });
    const res = await move(han, "withdraw", 25_000);
    // No bank answer can arrive while it drops them all: the won stay in transit, not spendable.
    assert.equal(await moneyOf(world, han), 35_000);
    await bankCall(world.bank, "PUT", "/faults", {});
    assert.equal(res.json().status, "PENDING");
    assert.equal(res.json().balance, null, "no balance after a move that has not finished");
    const id = res.json().withdrawalId;
    await waitFor(
      async () =>
        (await call(world, han.token, "GET", `/v1/money/withdrawals/${id}`)).json().status !== "PENDING",
      15_000,
    );
    const final = (await call(world, han.token, "GET", `/v1/money/withdrawals/${id}`)).json();
    assert.equal(await moneyOf(world, han), final.status === "SUCCEEDED" ? 35_000 : 60_000);
    assert.equal(await bankBalance(world, han.account), final.status === "SUCCEEDED" ? 965_000 : 940_000);
  });

  test("item 13: refusals speak the API's language: no ledger account, table or SQL in the answer", async () => {
    const internal =
      /member_money|member_points|money_in_transit|corporate_cash|fee_revenue|ledger|money\.|accounts|SELECT|ltx_/;
    const lee = await funded(20_000);
    const overdraft = await move(lee, "withdraw", 30_000);
    assert.equal(overdraft.statusCode, 422);
    assert.equal(overdraft.json().code, "INSUFFICIENT_BALANCE");
    assert.equal(overdraft.json().detail, "the money balance is not enough");
    const rich = await funded(1_990_000, 5_000_000);
    const overCap = await move(rich, "recharge", 20_000);
    assert.equal(overCap.statusCode, 422);
    assert.equal(overCap.json().code, "BALANCE_LIMIT_EXCEEDED");
    assert.equal(overCap.json().detail, "the balance would pass the cap of 2,000,000 won");
    for (const answer of [overdraft, overCap]) assert.doesNotMatch(answer.body, internal);
  });

  test("a member with money cannot leave mypay; with 0 it can", async () => {
    const jung = await funded(10_000);
    const early = await call(world, jung.token, "DELETE", `/v1/memberships/${jung.membershipId}`);
    assert.equal(early.statusCode, 409);
    assert.equal(early.json().code, "CONFLICT");
    assert.equal((await move(jung, "withdraw", 10_000)).json().status, "SUCCEEDED");
    assert.equal(
      (await call(world, jung.token, "DELETE", `/v1/memberships/${jung.membershipId}`)).statusCode,
      204,
    );
  });

  test("staff see equal trial-balance totals and a reconciliation that is ok; customers may not", async () => {
    await settled(world);
    const { trial, recon } = await books(world);
    assert.equal(trial.totalDebit, trial.totalCredit);
    assert.equal(recon.ok, true, JSON.stringify(recon));
    const customer = await newMember(world);
    const denied = await call(world, customer.token, "GET", "/v1/admin/ledger/trial-balance");
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().code, "FORBIDDEN");
  });

  test("reconciliation reports the customer funds corporate cash must cover: money in transit still counts", async () => {
    await settled(world);
    const before = (await books(world)).recon;
    const kang = await newMember(world, { bankBalance: 500_000 });
    const charged = await call(world, kang.token, "POST", "/v1/money/recharge", { amount: 100_000 }, "sg-r");
    assert.equal(charged.json().status, "SUCCEEDED");
    const charged2 = (await books(world)).recon;
    assert.equal(charged2.customerFunds - before.customerFunds, 100_000);
    assert.equal(charged2.safeguarded, true);
    assert.ok(charged2.ledgerBalance >= charged2.customerFunds);
    // The bank drops the payout's answer: the won left the member's money but are still owed, in transit.
    await bankCall(world.bank, "PUT", "/faults", { timeoutRate: 1, timeoutHoldMs: 50 });
    const out = await call(world, kang.token, "POST", "/v1/money/withdraw", { amount: 40_000 }, "sg-w");
    assert.equal(out.json().status, "PENDING");
    assert.equal(await moneyOf(world, kang), 60_000);
    assert.equal((await books(world)).recon.customerFunds - before.customerFunds, 100_000);
    await bankCall(world.bank, "PUT", "/faults", {});
    await settled(world);
    const paid = (await books(world)).recon;
    assert.equal(paid.customerFunds - before.customerFunds, 60_000);
    assert.equal(paid.safeguarded, true);
    assert.equal(paid.ok, true, JSON.stringify(paid));
  });
});
