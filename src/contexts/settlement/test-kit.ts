import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { waitFor } from "../../testing/bus.js";
import {
  bankBalance,
  books,
  call,
  type Franchise,
  type Member,
  settled,
  type World,
} from "../../testing/world.js";

/** For settlement's tests: payments to settle, runs, what the franchise got, and the books. */

let keys = 0;
export const nextKey = () => `stl-test-${++keys}-${randomBytes(3).toString("hex")}`;

/** A payment of `amount` won to the franchise (auto-recharged from the payer's bank), NORMAL. */
export async function pay(world: World, payer: Member, shop: Franchise, amount: number): Promise<string> {
  const res = await call(
    world,
    payer.token,
    "POST",
    "/v1/payments",
    { franchiseId: shop.franchiseId, amount },
    nextKey(),
  );
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.json().status, "NORMAL", res.body);
  return res.json().paymentId;
}

export function startRun(world: World, body: { cutoff?: string } = {}, key = nextKey()) {
  return call(world, world.staffToken, "POST", "/v1/admin/settlements/run", body, key);
}

export async function runOf(world: World, runId: string) {
  const res = await call(world, world.staffToken, "GET", `/v1/admin/settlements/runs/${runId}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

/** Runs a settlement and waits until every payout of it is PAID or FAILED; the run as staff see it then. */
export async function runToEnd(world: World, body: { cutoff?: string } = {}) {
  const res = await startRun(world, body);
  assert.equal(res.statusCode, 201, res.body);
  const { runId } = res.json();
  await waitFor(async () => (await runOf(world, runId)).status === "COMPLETED", 20_000);
  await settled(world);
  return runOf(world, runId);
}

export interface SettlementItem {
  settlementId: string;
  runId: string;
  franchiseId: string;
  paymentCount: number;
  gross: number;
  commission: number;
  net: number;
  status: "PAID" | "FAILED" | "PENDING";
  firmbankingId: string | null;
  paidAt: string | null;
  failureReason: string | null;
}

/** Every settlement of the franchise (staff's view), newest first. */
export async function settlementsOf(world: World, shop: Franchise): Promise<SettlementItem[]> {
  const res = await call(
    world,
    world.staffToken,
    "GET",
    `/v1/settlements?franchiseId=${shop.franchiseId}&limit=100`,
  );
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items;
}

export async function paymentIdsOf(world: World, settlementId: string): Promise<string[]> {
  const res = await call(world, world.staffToken, "GET", `/v1/settlements/${settlementId}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().paymentIds;
}

export async function paymentStatus(world: World, paymentId: string): Promise<string> {
  const res = await call(world, world.staffToken, "GET", `/v1/payments/${paymentId}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().status;
}

/**
 * Never twice: the franchise's PAID settlements hold each of `paymentIds` exactly once (and no other),
 * every one is SETTLED, and its settlement account at the bank holds exactly their Σ net.
 */
export async function assertPaidOnce(world: World, shop: Franchise, paymentIds: readonly string[]) {
  const paid = (await settlementsOf(world, shop)).filter((s) => s.status === "PAID");
  const settledIds = (await Promise.all(paid.map((s) => paymentIdsOf(world, s.settlementId)))).flat();
  assert.deepEqual([...settledIds].sort(), [...paymentIds].sort());
  for (const id of paymentIds) assert.equal(await paymentStatus(world, id), "SETTLED");
  const net = paid.reduce((sum, s) => sum + s.net, 0);
  assert.equal(await bankBalance(world, shop.settlementAccount), net);
  return { paid, net };
}

/** The trial balance is equal and the corporate cash matches the bank once nothing is in flight. */
export async function assertBooks(world: World): Promise<void> {
  await settled(world);
  const { trial, recon } = await books(world);
  assert.equal(trial.totalDebit, trial.totalCredit);
  assert.equal(recon.ok, true, JSON.stringify(recon));
}

/** A line of the trial balance (per-owner accounts summed: every franchise's payable is one line). */
export async function ledgerLine(
  world: World,
  account: "franchise_payable" | "commission_revenue" | "money_in_transit",
) {
  const { trial } = await books(world);
  return trial.accounts.find((a: { account: string }) => a.account === account)?.balance ?? 0;
}
