import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { waitFor } from "../../testing/bus.js";
import {
  bankBalance,
  bankCall,
  call,
  type Member,
  newFranchise,
  newMember,
  startWorld,
  type World,
} from "../../testing/world.js";
import type { PayoutData } from "./pay-franchise.js";
import {
  assertBooks,
  assertPaidOnce,
  ledgerLine,
  pay,
  paymentIdsOf,
  paymentStatus,
  runToEnd,
  settlementsOf,
  startRun,
} from "./test-kit.js";

// The bank refuses or does not answer a payout: refused ones are retried with the next request id,
// then FAILED with the bank's reason and picked up by a later run; unanswered ones wait, never twice.

let world: World;
let payer: Member;
before(async () => {
  world = await startWorld();
  payer = await newMember(world, { bankBalance: 10_000_000 });
});
afterEach(() => bankCall(world.bank, "PUT", "/faults", { failureRate: 0, timeoutRate: 0, down: false }));
after(() => world.close());

type Transfer = { purpose: string; status: string; amount: number; reason: string | null };
const payoutsTo = async (owner: Member): Promise<Transfer[]> =>
  (await call(world, world.staffToken, "GET", `/v1/firmbanking?membershipId=${owner.membershipId}`))
    .json()
    .items.filter((t: Transfer) => t.purpose === "SETTLEMENT");

describe("payouts the bank refuses or does not answer", () => {
  test("refused: retried twice, FAILED with the bank's reason, payments NORMAL; the next run pays them", async () => {
    const shop = await newFranchise(world);
    const payments = [await pay(world, payer, shop, 25_000), await pay(world, payer, shop, 15_000)];
    const payables = await ledgerLine(world, "franchise_payable");
    await bankCall(world.bank, "PUT", "/faults", { failureRate: 1 });
    const failedRun = await runToEnd(world);
    assert.deepEqual(failedRun.settlements, { pending: 0, paid: 0, failed: 1 });

    const [failed] = await settlementsOf(world, shop);
    assert.equal(failed?.status, "FAILED");
    assert.equal(failed?.failureReason, "REFUSED");
    assert.equal(failed?.paidAt, null);
    const attempts = await payoutsTo(shop.owner);
    assert.deepEqual(
      attempts.map((t) => [t.status, t.amount, t.reason]),
      Array.from({ length: 3 }, () => ["FAILED", 39_200, "REFUSED"]),
    );
    for (const id of payments) assert.equal(await paymentStatus(world, id), "NORMAL");
    assert.deepEqual(await paymentIdsOf(world, failed!.settlementId), [], "the claim was released");
    assert.equal(await ledgerLine(world, "franchise_payable"), payables, "the payable has its won back");
    assert.equal(await bankBalance(world, shop.settlementAccount), 0);
    await assertBooks(world);

    await bankCall(world.bank, "PUT", "/faults", { failureRate: 0 });
    const paidRun = await runToEnd(world);
    assert.deepEqual([paidRun.franchises, paidRun.gross, paidRun.net], [1, 40_000, 39_200]);
    await assertPaidOnce(world, shop, payments);
    assert.equal(await bankBalance(world, shop.settlementAccount), 39_200);
    await assertBooks(world);
  });

  test("refused once, then accepted: the second request id pays it, once", async () => {
    const shop = await newFranchise(world);
    const payment = await pay(world, payer, shop, 50_000);
    await bankCall(world.bank, "PUT", "/faults", { failureRate: 1 });
    const res = await startRun(world);
    assert.equal(res.statusCode, 201, res.body);
    await waitFor(async () => (await payoutsTo(shop.owner)).length === 1, 10_000);
    await bankCall(world.bank, "PUT", "/faults", { failureRate: 0 });
    await waitFor(async () => (await settlementsOf(world, shop))[0]?.status !== "PENDING", 10_000);
    const [settlement] = await settlementsOf(world, shop);
    assert.equal(settlement?.status, "PAID");
    const transfers = await payoutsTo(shop.owner);
    assert.deepEqual(transfers.map((t) => t.status).sort(), ["FAILED", "SUCCEEDED"]);
    await assertPaidOnce(world, shop, [payment]);
    await assertBooks(world);
  });

  test("not answered in time: PENDING while the bank holds the answer, then PAID exactly once", async () => {
    const shop = await newFranchise(world);
    const payment = await pay(world, payer, shop, 30_000);
    // The bank holds its answer, then drops the connection: mypay cannot know whether it paid.
    await bankCall(world.bank, "PUT", "/faults", { timeoutRate: 1, timeoutHoldMs: 1_000 });
    const res = await startRun(world);
    assert.equal(res.statusCode, 201, res.body);
    const settlementId = async () => (await settlementsOf(world, shop))[0]?.settlementId;
    await waitFor(async () => (await settlementId()) !== undefined);
    const saga = async () => world.mypay.contexts.settlement.engine.get<PayoutData>((await settlementId())!);
    await waitFor(async () => (await saga())?.data.sending === true, 10_000);
    const [inFlight] = await settlementsOf(world, shop);
    assert.equal(inFlight?.status, "PENDING");
    await waitFor(
      async () => (await saga())?.log.some((l) => l.step === "payout" && l.outcome === "waiting") === true,
      10_000,
    );
    await bankCall(world.bank, "PUT", "/faults", { timeoutRate: 0 });
    await waitFor(async () => (await settlementsOf(world, shop))[0]?.status === "PAID", 15_000);
    await assertPaidOnce(world, shop, [payment]);
    assert.equal(await bankBalance(world, shop.settlementAccount), 29_400);
    await assertBooks(world);
  });
});
