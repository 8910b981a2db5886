import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  type components,
  createMypayClient,
  expectOk,
  type MypayClient,
  newIdempotencyKey,
  type Problem,
  problemOf,
} from "../../packages/client/src/index.js";

/** The steps the journeys are made of: a user's moves through the public API, and patient waits. */

/** A deployment of mypay as its users reach it: the gateway, the (sandbox) bank, and the first staff member. */
export interface Target {
  baseUrl: string;
  bankUrl: string;
  adminEmail: string;
  adminPassword: string;
}

export type Schemas = components["schemas"];
export interface AccountRef {
  bankCode: string;
  accountNumber: string;
}

/** What every email, name and region of this run carries, so runs against one deployment never meet. */
const runTag = randomBytes(3).toString("hex");
let made = 0;
export const unique = (prefix: string) => `${prefix}${runTag}${(++made).toString(36)}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Asks `read` again (a short, growing pause between asks) until `done` holds, and fails with `what`
 * and the last answer when it has not after `timeoutMs`.
 */
export async function poll<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      assert.fail(`${what}: not so after ${timeoutMs / 1000} s; last answer ${JSON.stringify(value)}`);
    }
    await sleep(pause);
  }
}

/** The problem of an answer that must fail with `status` and `code`. */
export function expectProblem(
  answer: { error?: unknown; response: Response },
  status: number,
  code: Problem["code"],
): Problem {
  const problem = problemOf(answer);
  assert.equal(
    answer.response.status,
    status,
    `expected ${status} ${code}, got ${JSON.stringify(answer.error)}`,
  );
  assert.ok(problem, `a ${status} answer is problem+json`);
  assert.equal(problem.code, code, problem.detail);
  assert.match(answer.response.headers.get("content-type") ?? "", /^application\/problem\+json/);
  assert.ok(answer.response.headers.get("x-request-id"), "every answer carries X-Request-Id");
  return problem;
}

/** A call to the bank's own HTTP API (the sandbox bank plays every external bank). */
export async function bank<T>(t: Target, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${t.bankUrl.replace(/\/$/, "")}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  assert.ok(res.ok, `bank ${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export async function openBankAccount(t: Target, holderName: string, balance: number, bankCode = "088") {
  const opened = await bank<AccountRef>(t, "POST", "/accounts", { bankCode, holderName, balance });
  return { bankCode: opened.bankCode, accountNumber: opened.accountNumber };
}

export const bankBalance = async (t: Target, a: AccountRef) =>
  (await bank<{ balance: number }>(t, "GET", `/accounts/${a.bankCode}/${a.accountNumber}`)).balance;

export interface Member {
  readonly client: MypayClient;
  readonly membershipId: string;
  readonly name: string;
  readonly email: string;
  readonly password: string;
  readonly region: string;
  /** The member's own account at the bank, linked to mypay (undefined when not linked). */
  readonly account: AccountRef | undefined;
}

export const anonymous = (t: Target) => createMypayClient({ baseUrl: t.baseUrl });

export async function logIn(t: Target, email: string, password: string) {
  return expectOk(await anonymous(t).POST("/v1/auth/login", { body: { email, password } }));
}

/** Staff, signed in with the first staff member of the deployment. */
export async function staff(t: Target): Promise<MypayClient> {
  return anonymous(t).withToken((await logIn(t, t.adminEmail, t.adminPassword)).accessToken);
}

export interface SignUp {
  type?: "personal" | "merchant";
  region?: string;
  /** Open an account at the bank in the member's name with this many won and link it (default 1,000,000). */
  bankBalance?: number | null;
}

/** A new member, signed in, with a linked bank account unless `bankBalance` is null. */
export async function signUp(t: Target, o: SignUp = {}): Promise<Member> {
  const name = `Kim ${unique("m")}`;
  const email = `${name.replace(" ", ".").toLowerCase()}@e2e.example.com`;
  const password = "e2e-correct-horse";
  const region = o.region ?? "Seoul";
  const type = o.type ?? "personal";
  const registered = expectOk(
    await anonymous(t).POST("/v1/memberships", { body: { name, email, password, region, type } }),
  );
  assert.equal(registered.status, "ACTIVE");
  const client = anonymous(t).withToken((await logIn(t, email, password)).accessToken);
  const member = { client, membershipId: registered.membershipId, name, email, password, region };
  if (o.bankBalance === null) return { ...member, account: undefined };
  const account = await openBankAccount(t, name, o.bankBalance ?? 1_000_000);
  const linked = expectOk(await client.POST("/v1/bank-accounts", { body: account }));
  assert.equal(linked.status, "LINKED");
  return { ...member, account };
}

const key = (k?: string) => ({ header: { "idempotency-key": k ?? newIdempotencyKey() } });

export async function myMoney(m: Member) {
  return expectOk(await m.client.GET("/v1/money/me"));
}

/** GET /v1/money/recharges/{id} until the recharge is no longer PENDING. */
export function rechargeEnd(client: MypayClient, rechargeId: string) {
  const path = { params: { path: { id: rechargeId } } };
  return poll(
    `recharge ${rechargeId} ends`,
    async () => expectOk(await client.GET("/v1/money/recharges/{id}", path)),
    (r) => r.status !== "PENDING",
  );
}

/** GET /v1/money/withdrawals/{id} until the withdrawal is no longer PENDING. */
export function withdrawalEnd(client: MypayClient, withdrawalId: string) {
  const path = { params: { path: { id: withdrawalId } } };
  return poll(
    `withdrawal ${withdrawalId} ends`,
    async () => expectOk(await client.GET("/v1/money/withdrawals/{id}", path)),
    (w) => w.status !== "PENDING",
  );
}

/** A recharge, followed from PENDING to its end. */
export async function recharge(m: Member, amount: number, k?: string): Promise<Schemas["Recharge"]> {
  const first = expectOk(await m.client.POST("/v1/money/recharge", { params: key(k), body: { amount } }));
  return first.status === "PENDING" ? rechargeEnd(m.client, first.rechargeId) : first;
}

/** A withdrawal, followed from PENDING to its end. */
export async function withdraw(m: Member, amount: number, k?: string): Promise<Schemas["Withdrawal"]> {
  const first = expectOk(await m.client.POST("/v1/money/withdraw", { params: key(k), body: { amount } }));
  return first.status === "PENDING" ? withdrawalEnd(m.client, first.withdrawalId) : first;
}

/** GET /v1/remittances/{id} until the remittance is no longer PENDING. */
export function remittanceEnd(client: MypayClient, remittanceId: string) {
  const path = { params: { path: { id: remittanceId } } };
  return poll(
    `remittance ${remittanceId} ends`,
    async () => expectOk(await client.GET("/v1/remittances/{id}", path)),
    (r) => r.status !== "PENDING",
  );
}

/** GET /v1/payments/{id} until the payment is neither PENDING nor CANCELLING. */
export function paymentEnd(client: MypayClient, paymentId: string) {
  const path = { params: { path: { id: paymentId } } };
  return poll(
    `payment ${paymentId} ends`,
    async () => expectOk(await client.GET("/v1/payments/{id}", path)),
    (p) => p.status !== "PENDING" && p.status !== "CANCELLING",
  );
}

export async function remit(m: Member, to: Schemas["RemittanceRequest"]["to"], amount: number) {
  const first = expectOk(await m.client.POST("/v1/remittances", { params: key(), body: { to, amount } }));
  return first.status === "PENDING" ? remittanceEnd(m.client, first.remittanceId) : first;
}

export async function pay(m: Member, franchiseId: string, amount: number, usePoints?: number) {
  const body = { franchiseId, amount, ...(usePoints === undefined ? {} : { usePoints }) };
  const first = expectOk(await m.client.POST("/v1/payments", { params: key(), body }));
  return first.status === "PENDING" ? paymentEnd(m.client, first.paymentId) : first;
}

export async function cancel(m: Member, paymentId: string) {
  const first = expectOk(
    await m.client.POST("/v1/payments/{id}/cancel", {
      params: { ...key(), path: { id: paymentId } },
      body: {},
    }),
  );
  return first.status === "CANCELLING" ? paymentEnd(m.client, paymentId) : first;
}

export interface Franchise {
  readonly franchiseId: string;
  readonly owner: Member;
  /** Its settlement account at the bank, in the owner's name, 0 won at first. */
  readonly settlementAccount: AccountRef;
}

/** A merchant (new unless given) registers a franchise, paid out to a new account at the bank. */
export async function registerFranchise(t: Target, owner?: Member): Promise<Franchise> {
  const merchant = owner ?? (await signUp(t, { type: "merchant", bankBalance: null }));
  const settlementAccount = await openBankAccount(t, merchant.name, 0, "004");
  const franchise = expectOk(
    await merchant.client.POST("/v1/franchises", {
      body: {
        name: `Mapo Coffee ${unique("f")}`,
        // Samsung Electronics' number: its check digit is right.
        businessNumber: "124-81-00998",
        region: merchant.region,
        settlementAccount,
      },
    }),
  );
  return { franchiseId: franchise.franchiseId, owner: merchant, settlementAccount };
}

/** The books as staff see them once no firmbanking is in flight: both checks, with what they showed. */
export async function assertBooksBalance(t: Target) {
  const admin = await staff(t);
  const trial = expectOk(await admin.GET("/v1/admin/ledger/trial-balance"));
  assert.equal(trial.totalDebit, trial.totalCredit, "the trial balance's debits equal its credits");
  const recon = await poll(
    "reconciliation shows nothing in flight",
    async () => expectOk(await admin.GET("/v1/admin/reconciliation")),
    (r) => r.inFlight === 0,
  );
  assert.deepEqual(
    { ok: recon.ok, difference: recon.difference, safeguarded: recon.safeguarded },
    { ok: true, difference: 0, safeguarded: true },
    `reconciliation: ${JSON.stringify(recon)}`,
  );
  return { trial, recon };
}

/** The name a lookup shows: each word keeps its first and last character (API.md: "김*지"). */
export const masked = (name: string) =>
  name
    .split(" ")
    .map((w) =>
      w.length <= 2 ? `${w.slice(0, w.length - 1)}*` : `${w[0]}${"*".repeat(w.length - 2)}${w.at(-1)}`,
    )
    .join(" ");

/** A request's params and body with an Idempotency-Key (a fresh one unless given). */
export function withKey<B>(body: B, key = newIdempotencyKey()) {
  return { params: { header: { "idempotency-key": key } }, body };
}

export const idPath = (id: string) => ({ params: { path: { id } } });

export function pick<T extends object, K extends keyof T>(value: T, ...keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, value[k]])) as Pick<T, K>;
}
