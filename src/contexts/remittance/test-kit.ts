import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { waitFor } from "../../testing/bus.js";
import { bankCall, books, call, type Member, type World } from "../../testing/world.js";

/** For remittance's tests: sending, recharging, a payee's account at the bank, and the books. */

let keys = 0;
export const nextKey = () => `rem-test-${++keys}-${randomBytes(3).toString("hex")}`;

export type To = { membershipId: string } | { bankCode: string; accountNumber: string };

export function remit(
  world: World,
  sender: Member,
  body: { to: To; amount: number; memo?: string },
  key = nextKey(),
) {
  return call(world, sender.token, "POST", "/v1/remittances", body, key);
}

/** Recharges the member by hand (its bank account pays), and checks that it went through. */
export async function recharge(world: World, member: Member, amount: number): Promise<void> {
  const res = await call(world, member.token, "POST", "/v1/money/recharge", { amount }, nextKey());
  assert.equal(res.json().status, "SUCCEEDED", res.body);
}

/** Someone's account at the sandbox bank, outside mypay (020 Woori unless told). */
export async function payeeAccount(world: World, bankCode = "020", balance = 0) {
  const opened = await bankCall<{ bankCode: string; accountNumber: string }>(
    world.bank,
    "POST",
    "/accounts",
    {
      bankCode,
      holderName: "Choi Payee",
      balance,
    },
  );
  return { bankCode: opened.bankCode, accountNumber: opened.accountNumber };
}

/** The member's money history as [kind, signed amount, reference], newest first. */
export async function historyOf(world: World, member: Member): Promise<Array<[string, number, string]>> {
  const res = await call(world, member.token, "GET", "/v1/money/history?limit=100");
  return res
    .json()
    .items.map((i: { kind: string; amount: number; reference: string }) => [i.kind, i.amount, i.reference]);
}

/** The trial balance is equal and the corporate cash matches the bank once nothing is in flight. */
export async function assertBooks(world: World): Promise<void> {
  const { trial, recon } = await books(world);
  assert.equal(trial.totalDebit, trial.totalCredit);
  assert.equal(recon.ok, true, JSON.stringify(recon));
}

export async function remittanceOf(world: World, member: Member, id: string) {
  const res = await call(world, member.token, "GET", `/v1/remittances/${id}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

/** Waits until the remittance is no longer PENDING, and returns it. */
export async function finalOf(world: World, member: Member, id: string, timeoutMs = 15_000) {
  await waitFor(async () => (await remittanceOf(world, member, id)).status !== "PENDING", timeoutMs);
  return remittanceOf(world, member, id);
}

export const noFaults = { failureRate: 0, timeoutRate: 0, down: false };

/** Runs `body` with the sandbox bank's faults set, and clears them whatever happens. */
export async function withFaults<T>(world: World, faults: object, body: () => Promise<T>): Promise<T> {
  await bankCall(world.bank, "PUT", "/faults", faults);
  try {
    return await body();
  } finally {
    await bankCall(world.bank, "PUT", "/faults", noFaults);
  }
}

/** How many remittances (and their sagas) are stored: a refusal must leave both unchanged. */
export async function storedCount(world: World): Promise<number> {
  const [row] = await world.mypay.db.query<{ n: number }>(
    "SELECT (SELECT count(*) FROM remittance.remittances) + (SELECT count(*) FROM remittance.sagas) AS n",
  );
  return Number(row?.n);
}
