import assert from "node:assert/strict";
import { expectOk, newIdempotencyKey } from "../../packages/client/src/index.js";
import { mixedRun } from "./mixed-run.js";
import { franchiseSettlement } from "./settlement-journey.js";
import {
  anonymous,
  assertBooksBalance,
  bankBalance,
  expectProblem,
  idPath,
  logIn,
  type Member,
  masked,
  myMoney,
  openBankAccount,
  pick,
  poll,
  recharge,
  remit,
  remittanceEnd,
  signUp,
  staff,
  type Target,
  unique,
  withdraw,
  withKey,
} from "./steps.js";

/**
 * mypay's end-to-end journeys: what its users do and notice, through the public HTTP API only (the typed
 * client, and the bank's own API to open accounts), against any deployment given its URLs.
 * src/e2e/embedded.test.ts runs them against the embedded deployment; each uses members of its own.
 */
export type { Target } from "./steps.js";
export { franchiseSettlement, mixedRun };

/** (1) Sign up, sign in, refresh, link a bank account, recharge, see the balance, withdraw. */
export async function signUpToWithdrawal(t: Target) {
  const m = await signUp(t, { bankBalance: null });
  const twin = { name: m.name, email: m.email.toUpperCase(), password: m.password, region: "Busan" };
  const taken = await anonymous(t).POST("/v1/memberships", { body: { ...twin, type: "personal" } });
  expectProblem(taken, 409, "EMAIL_TAKEN");
  await refreshRotates(t, m);

  expectProblem(
    await m.client.POST("/v1/money/recharge", withKey({ amount: 10_000 })),
    422,
    "NO_LINKED_ACCOUNT",
  );
  const someoneElses = await openBankAccount(t, "Lee Somebody", 100_000);
  expectProblem(
    await m.client.POST("/v1/bank-accounts", { body: someoneElses }),
    422,
    "BANK_ACCOUNT_INVALID",
  );
  const account = await openBankAccount(t, m.name, 500_000);
  const linked = expectOk(await m.client.POST("/v1/bank-accounts", { body: account }));
  assert.deepEqual(pick(linked, "status", "holderName", "accountNumber"), {
    status: "LINKED",
    holderName: m.name,
    accountNumber: account.accountNumber,
  });

  const charged = await recharge(m, 100_000);
  assert.deepEqual(pick(charged, "status", "balance"), { status: "SUCCEEDED", balance: 100_000 });
  assert.deepEqual(pick(await myMoney(m), "balance", "points"), { balance: 100_000, points: 0 });
  assert.equal(await bankBalance(t, account), 400_000, "the recharge came from the linked account");
  const out = await withdraw(m, 30_000);
  assert.deepEqual(pick(out, "status", "balance"), { status: "SUCCEEDED", balance: 70_000 });
  assert.equal((await myMoney(m)).balance, 70_000);
  assert.equal(await bankBalance(t, account), 430_000, "the withdrawal arrived at the linked account");
  const history = expectOk(await m.client.GET("/v1/money/history")).items;
  assert.deepEqual(
    history.map((e) => [e.kind, e.amount, e.balanceAfter]),
    [
      ["WITHDRAW", -30_000, 70_000],
      ["RECHARGE", 100_000, 100_000],
    ],
  );
}

/** A refresh gives new tokens; the spent refresh token used again revokes the whole chain. */
async function refreshRotates(t: Target, m: Member) {
  const session = await logIn(t, m.email, m.password);
  const spent = { body: { refreshToken: session.refreshToken } };
  const refreshed = expectOk(await anonymous(t).POST("/v1/auth/refresh", spent));
  assert.notEqual(refreshed.refreshToken, session.refreshToken, "refresh tokens rotate");
  const viaRefreshed = anonymous(t).withToken(refreshed.accessToken);
  assert.equal(expectOk(await viaRefreshed.GET("/v1/memberships/me")).membershipId, m.membershipId);
  expectProblem(await anonymous(t).POST("/v1/auth/refresh", spent), 401, "UNAUTHENTICATED");
  await poll(
    "the revoked chain's access token is refused",
    async () => (await viaRefreshed.GET("/v1/memberships/me")).response.status,
    (status) => status === 401,
  );
  const next = { body: { refreshToken: refreshed.refreshToken } };
  expectProblem(await anonymous(t).POST("/v1/auth/refresh", next), 401, "UNAUTHENTICATED");
  assert.equal((await m.client.GET("/v1/memberships/me")).response.status, 200, "other sessions go on");
}

/** (2) Remittances: to a member found by email (name masked), to a bank account (500-won fee). */
export async function remittances(t: Target) {
  const a = await signUp(t, { bankBalance: 200_000 });
  const b = await signUp(t, { bankBalance: null });
  await recharge(a, 50_000);
  const found = expectOk(
    await a.client.GET("/v1/memberships/lookup", { params: { query: { email: b.email } } }),
  );
  assert.deepEqual(found, { membershipId: b.membershipId, maskedName: masked(b.name) });
  assert.notEqual(found.maskedName, b.name);
  const nobody = { params: { query: { email: `${unique("nobody")}@e2e.example.com` } } };
  expectProblem(await a.client.GET("/v1/memberships/lookup", nobody), 404, "NOT_FOUND");

  const toB = await remit(a, { membershipId: found.membershipId }, 12_000);
  assert.deepEqual(pick(toB, "type", "status", "fee", "amount"), {
    type: "MEMBER",
    status: "SUCCEEDED",
    fee: 0,
    amount: 12_000,
  });
  assert.deepEqual([(await myMoney(a)).balance, (await myMoney(b)).balance], [38_000, 12_000]);
  const received = expectOk(await b.client.GET("/v1/remittances")).items;
  assert.ok(
    received.some((r) => r.remittanceId === toB.remittanceId),
    "the receiver sees the remittance",
  );
  const self = withKey({ to: { membershipId: a.membershipId }, amount: 1_000 });
  expectProblem(await a.client.POST("/v1/remittances", self), 422, "RECIPIENT_INVALID");

  const payee = await openBankAccount(t, "Park Jisoo", 0, "081");
  const first = expectOk(await a.client.POST("/v1/remittances", withKey({ to: payee, amount: 5_000 })));
  assert.deepEqual(pick(first, "type", "fee"), { type: "BANK", fee: 500 });
  assert.ok(["PENDING", "SUCCEEDED"].includes(first.status), first.status);
  const toBank = await remittanceEnd(a.client, first.remittanceId);
  assert.equal(toBank.status, "SUCCEEDED", JSON.stringify(toBank));
  assert.ok(toBank.steps.length > 0, "a remittance shows its steps");
  assert.equal((await myMoney(a)).balance, 38_000 - 5_500, "amount and fee left the sender's money");
  assert.equal(await bankBalance(t, payee), 5_000, "the payee's bank account received the amount");

  // 32,500 won is 7,500 short of 40,000: the auto-recharge takes 10,000 from the linked account first.
  const auto = await remit(a, { membershipId: b.membershipId }, 40_000);
  assert.deepEqual(pick(auto, "status", "autoRecharged"), { status: "SUCCEEDED", autoRecharged: true });
  assert.equal((await myMoney(a)).balance, 2_500);
  assert.equal(await bankBalance(t, a.account!), 200_000 - 50_000 - 10_000);
}

/** (4) Idempotency keys, other members' resources, and refused input with stable codes. */
export async function idempotencyAndRefusals(t: Target) {
  const a = await signUp(t, { bankBalance: 300_000 });
  const b = await signUp(t, { bankBalance: 300_000 });
  const key = newIdempotencyKey();
  const first = await a.client.POST("/v1/money/recharge", withKey({ amount: 20_000 }, key));
  const again = await a.client.POST("/v1/money/recharge", withKey({ amount: 20_000 }, key));
  assert.deepEqual([first.response.status, again.response.status], [201, 201]);
  assert.equal(again.response.headers.get("idempotent-replayed"), "true");
  assert.deepEqual(again.data, first.data, "a replay answers the first answer");
  const reused = await a.client.POST("/v1/money/recharge", withKey({ amount: 30_000 }, key));
  expectProblem(reused, 422, "IDEMPOTENCY_KEY_REUSED");
  assert.equal((await myMoney(a)).balance, 20_000, "the money moved once");
  assert.equal(await bankBalance(t, a.account!), 280_000);
  const theirs = await b.client.POST("/v1/money/recharge", withKey({ amount: 10_000 }, key));
  assert.equal(theirs.response.status, 201, "keys are scoped per member");
  assert.equal(theirs.response.headers.get("idempotent-replayed"), null);

  const payee = await openBankAccount(t, "Choi Yuna", 0, "020");
  const sent = expectOk(await a.client.POST("/v1/remittances", withKey({ to: payee, amount: 1_000 })));
  for (const id of [sent.remittanceId, `rem_${"0".repeat(32)}`, "not-an-id"]) {
    // Another member's remittance is exactly as absent as one that does not exist.
    expectProblem(await b.client.GET("/v1/remittances/{id}", idPath(id)), 404, "NOT_FOUND");
  }
  await refusals(t, a);
  await remittanceEnd(a.client, sent.remittanceId);
  assert.equal((await myMoney(a)).balance, 20_000 - 1_000 - 500, "nothing refused moved money");
}

/** Bad input and callers without the right are refused with problem+json and a stable code. */
async function refusals(t: Target, a: Member) {
  const recharge = (amount: unknown) =>
    a.client.POST("/v1/money/recharge", withKey({ amount: amount as number }));
  for (const amount of [1.5, "10000", 0, -10_000, 2_010_000]) {
    expectProblem(await recharge(amount), 400, "VALIDATION_FAILED");
  }
  expectProblem(await recharge(15_000), 400, "INVALID_AMOUNT_UNIT");
  // The typed client insists on the header; a client that forgets it anyway is what this checks.
  const noKey = { params: { header: {} }, body: { amount: 10_000 } } as unknown as ReturnType<
    typeof withKey<{ amount: number }>
  >;
  expectProblem(await a.client.POST("/v1/money/recharge", noKey), 400, "VALIDATION_FAILED");
  const tooMuch = withKey({ amount: 500_000 });
  expectProblem(await a.client.POST("/v1/money/withdraw", tooMuch), 422, "INSUFFICIENT_BALANCE");
  expectProblem(await anonymous(t).GET("/v1/money/me"), 401, "UNAUTHENTICATED");
  expectProblem(await a.client.GET("/v1/admin/reconciliation"), 403, "FORBIDDEN");
  const wrong = { body: { email: a.email, password: "not-the-password" } };
  expectProblem(await anonymous(t).POST("/v1/auth/login", wrong), 401, "INVALID_CREDENTIALS");
  const short = { name: "Kim Short", email: `${unique("s")}@e2e.example.com`, password: "short" };
  const weak = await anonymous(t).POST("/v1/memberships", {
    body: { ...short, region: "Seoul", type: "personal" },
  });
  expectProblem(weak, 400, "VALIDATION_FAILED");
}

/** (5) Staff views: the trial balance, reconciliation with the bank, money by region. */
export async function staffViews(t: Target) {
  const region = `E2E ${unique("r")}`;
  const a = await signUp(t, { region, bankBalance: 100_000 });
  const b = await signUp(t, { region, bankBalance: 100_000 });
  await recharge(a, 30_000);
  await recharge(b, 20_000);
  await withdraw(b, 5_000);
  await assertBooksBalance(t);

  const admin = await staff(t);
  const byRegion = { params: { query: { groupBy: "region" as const } } };
  const stats = await poll(
    `money by region counts both members of ${region}`,
    async () => expectOk(await admin.GET("/v1/admin/stats/money", byRegion)),
    (s) => {
      const group = s.groups.find((g) => g.region === region);
      return group?.members === 2 && group.balance === 45_000;
    },
  );
  assert.ok(stats.total.members >= 2 && stats.total.balance >= 45_000, JSON.stringify(stats.total));
  expectProblem(await a.client.GET("/v1/admin/stats/money"), 403, "FORBIDDEN");
  const activity = await poll(
    "the member's activity shows the recharge",
    async () => expectOk(await admin.GET("/v1/admin/members/{id}/activity", idPath(a.membershipId))),
    (x) => x.money?.balance === 30_000,
  );
  assert.ok(
    activity.items.some((i) => i.kind === "MEMBER_REGISTERED"),
    "the activity starts at sign-up",
  );
}

/** Every journey by name, for any runner (each is independent of the others and of their order). */
export const allJourneys: Record<string, (t: Target) => Promise<void>> = {
  "a member signs up, signs in, refreshes, links a bank account, recharges and withdraws": signUpToWithdrawal,
  "remittances: member to member (found by email, name masked) and member to bank (500-won fee)": remittances,
  "a franchise is paid with money and points, commission changes, settlement pays the net":
    franchiseSettlement,
  "idempotency keys, other members' resources and bad input give stable answers": idempotencyAndRefusals,
  "staff see balanced books, a reconciliation with the bank and money by region": staffViews,
  "a randomized mixed run of 8 members and 60 operations ends as a model of its answers says": (t) =>
    mixedRun(t),
};
