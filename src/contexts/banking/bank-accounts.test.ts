import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { unwrap } from "../../kernel/errors.js";
import { newId } from "../../kernel/ids.js";
import type { Db } from "../../platform/db/db.js";
import { createSandboxBank, type SandboxBank } from "../../sandbox-bank/app.js";
import { bankClient } from "../../sandbox-bank/test-helpers.js";
import type { AccountRef } from "./api.js";
import { type Kit, openKit, openTestDb, testLogger } from "./test-kit.js";

let db: Db;
let bank: SandboxBank;
let teller: ReturnType<typeof bankClient>;
let kit: Kit;
let alice: { id: string; token: string };
let bob: { id: string; token: string };
let staff: { id: string; token: string };

before(async () => {
  db = await openTestDb();
  bank = await createSandboxBank({ logger: testLogger });
  const url = await bank.app.listen({ port: 0, host: "127.0.0.1" });
  teller = bankClient(bank);
  kit = await openKit(db, url, { mount: true });
  alice = await kit.member("홍길동");
  bob = await kit.member("Kim Minsu");
  staff = await kit.member("Admin", "staff");
});

after(async () => {
  await kit.close();
  await bank.close();
  await db.close();
});

async function call(
  method: "GET" | "POST" | "PATCH" | "DELETE",
  url: string,
  who?: { token: string },
  payload?: object,
) {
  const res = await kit.app.inject({
    method,
    url,
    ...(who ? { headers: { authorization: `Bearer ${who.token}` } } : {}),
    ...(payload ? { payload } : {}),
  });
  return { status: res.statusCode, body: res.body ? res.json() : undefined };
}

async function openAtBank(holderName: string, bankCode = "004", balance = 100_000): Promise<AccountRef> {
  const res = await teller.call("POST", "/accounts", { bankCode, holderName, balance });
  return { bankCode, accountNumber: (res.body as AccountRef).accountNumber };
}

const linked = async (who: { token: string }) => (await call("GET", "/v1/bank-accounts", who)).body.items;

test("GET /v1/banks lists the contracted banks, seeded from the bank at first start", async () => {
  const { status, body } = await call("GET", "/v1/banks");
  assert.equal(status, 200);
  assert.deepEqual(
    body.items.map((b: { bankCode: string }) => b.bankCode),
    ["004", "020", "081", "088", "090"],
  );
  const kb = body.items[0];
  assert.deepEqual([kb.name, kb.status, kb.feePerTransfer], ["KB Kookmin Bank", "ACTIVE", 500]);
  const inAYear = Date.now() + 365 * 24 * 3600 * 1000;
  assert.ok(Math.abs(Date.parse(kb.contractExpiresAt) - inAYear) < 60_000);
  await kit.banking.prepare();
  assert.equal((await call("GET", "/v1/banks")).body.items.length, 5, "seeding again adds nothing");
});

test("staff change a contract; others may not", async () => {
  assert.equal((await call("PATCH", "/v1/admin/banks/090", alice, { feePerTransfer: 0 })).status, 403);
  assert.equal((await call("PATCH", "/v1/admin/banks/090", undefined, { feePerTransfer: 0 })).status, 401);
  const changed = await call("PATCH", "/v1/admin/banks/090", staff, { feePerTransfer: 300 });
  assert.deepEqual([changed.status, changed.body.feePerTransfer, changed.body.status], [200, 300, "ACTIVE"]);
  const unknown = await call("PATCH", "/v1/admin/banks/999", staff, { status: "SUSPENDED" });
  assert.deepEqual([unknown.status, unknown.body.code], [404, "NOT_FOUND"]);
  assert.equal((await call("PATCH", "/v1/admin/banks/090", staff, { feePerTransfer: -1 })).status, 400);
});

test("a member links an account held in its name; linking it again answers the same link", async () => {
  const account = await openAtBank("홍 길동");
  const first = await call("POST", "/v1/bank-accounts", alice, account);
  assert.equal(first.status, 201);
  assert.match(first.body.bankAccountId, /^bac_/);
  assert.deepEqual(
    { ...first.body, bankAccountId: undefined, linkedAt: undefined },
    {
      ...account,
      bankAccountId: undefined,
      membershipId: alice.id,
      holderName: "홍 길동",
      status: "LINKED",
      linkedAt: undefined,
    },
  );
  const again = await call("POST", "/v1/bank-accounts", alice, account);
  assert.deepEqual([again.status, again.body.bankAccountId], [200, first.body.bankAccountId]);
  assert.equal((await linked(alice)).length, 1);
  const used = unwrap(await kit.api.linkedAccount(alice.id));
  assert.equal(used.bankAccountId, first.body.bankAccountId);
});

test("accounts that fail the bank's check or the contract are refused and nothing is stored", async () => {
  const before = (await linked(bob)).length;
  const frozen = await openAtBank("Kim Minsu");
  await teller.call("PATCH", `/accounts/${frozen.bankCode}/${frozen.accountNumber}`, { status: "FROZEN" });
  const cases: Array<[string, AccountRef, string]> = [
    ["another's name", await openAtBank("Lee Jiwoo"), "BANK_ACCOUNT_INVALID"],
    ["frozen", frozen, "BANK_ACCOUNT_INVALID"],
    ["unknown", { bankCode: "004", accountNumber: "123456789012" }, "BANK_ACCOUNT_INVALID"],
    ["no contract", { bankCode: "003", accountNumber: "123456789012" }, "BANK_NOT_SUPPORTED"],
  ];
  await call("PATCH", "/v1/admin/banks/088", staff, { status: "SUSPENDED" });
  await call("PATCH", "/v1/admin/banks/020", staff, { contractExpiresAt: "2020-01-01T00:00:00Z" });
  cases.push(["suspended", await openAtBank("Kim Minsu", "088"), "BANK_NOT_SUPPORTED"]);
  cases.push(["expired", await openAtBank("Kim Minsu", "020"), "BANK_NOT_SUPPORTED"]);
  for (const [why, account, code] of cases) {
    const res = await call("POST", "/v1/bank-accounts", bob, account);
    assert.deepEqual([res.status, res.body.code], [422, code], why);
  }
  assert.equal((await linked(bob)).length, before);
  const none = await kit.api.linkedAccount(bob.id);
  assert.equal(none.ok ? "ok" : none.error.code, "NO_LINKED_ACCOUNT");
  await call("PATCH", "/v1/admin/banks/088", staff, { status: "ACTIVE" });
});

test("members list and unlink their own accounts; another's is 404; the newest is used unless one is named", async () => {
  const older = (await call("POST", "/v1/bank-accounts", bob, await openAtBank("KIM  minsu"))).body;
  const newer = (await call("POST", "/v1/bank-accounts", bob, await openAtBank("Kim Minsu", "088"))).body;
  assert.equal(unwrap(await kit.api.linkedAccount(bob.id)).bankAccountId, newer.bankAccountId);
  assert.equal(
    unwrap(await kit.api.linkedAccount(bob.id, older.bankAccountId)).bankAccountId,
    older.bankAccountId,
  );
  const foreign = await kit.api.linkedAccount(alice.id, older.bankAccountId);
  assert.equal(foreign.ok ? "ok" : foreign.error.code, "NO_LINKED_ACCOUNT");

  const page1 = await call("GET", "/v1/bank-accounts?limit=1", bob);
  assert.deepEqual(
    page1.body.items.map((i: { bankAccountId: string }) => i.bankAccountId),
    [newer.bankAccountId],
  );
  const page2 = await call("GET", `/v1/bank-accounts?limit=1&cursor=${page1.body.nextCursor}`, bob);
  assert.deepEqual([page2.body.items[0].bankAccountId, page2.body.nextCursor], [older.bankAccountId, null]);

  const theirs = await call("DELETE", `/v1/bank-accounts/${newer.bankAccountId}`, alice);
  assert.deepEqual([theirs.status, theirs.body.code], [404, "NOT_FOUND"]);
  assert.equal((await call("DELETE", `/v1/bank-accounts/${newId("bankAccount")}`, bob)).status, 404);
  assert.equal((await call("DELETE", `/v1/bank-accounts/${newer.bankAccountId}`, bob)).status, 204);
  assert.equal(
    (await call("DELETE", `/v1/bank-accounts/${newer.bankAccountId}`, bob)).status,
    204,
    "a repeat is answered alike",
  );
  assert.deepEqual(
    (await linked(bob)).map((i: { bankAccountId: string }) => i.bankAccountId),
    [older.bankAccountId],
  );
  assert.equal(unwrap(await kit.api.linkedAccount(bob.id)).bankAccountId, older.bankAccountId);
});

test("GET /v1/firmbanking: members see their own, staff see all or one member's", async () => {
  const from = unwrap(await kit.api.linkedAccount(alice.id));
  const to = await kit.api.corporateAccount();
  for (const amount of [10_000, 20_000]) {
    const reference = newId("recharge");
    const cmd = {
      requestId: reference,
      purpose: "RECHARGE" as const,
      membershipId: alice.id,
      from,
      to,
      amount,
      reference,
      correlationId: reference,
    };
    assert.equal(unwrap(await kit.api.transfer(cmd)).status, "SUCCEEDED");
  }
  const own = await call("GET", "/v1/firmbanking?limit=1", alice);
  assert.equal(own.status, 200);
  const [newest] = own.body.items;
  assert.deepEqual(
    [newest.amount, newest.fee, newest.status, newest.purpose],
    [20_000, 500, "SUCCEEDED", "RECHARGE"],
  );
  assert.deepEqual(newest.from, { bankCode: from.bankCode, accountNumber: from.accountNumber });
  assert.ok(newest.completedAt);
  const next = await call("GET", `/v1/firmbanking?cursor=${own.body.nextCursor}`, alice);
  assert.deepEqual(
    [next.body.items.length, next.body.items[0].amount, next.body.nextCursor],
    [1, 10_000, null],
  );
  assert.equal((await call("GET", "/v1/firmbanking", bob)).body.items.length, 0);
  assert.equal((await call("GET", "/v1/firmbanking", staff)).body.items.length, 2);
  assert.equal((await call("GET", `/v1/firmbanking?membershipId=${bob.id}`, staff)).body.items.length, 0);
  assert.equal((await call("GET", `/v1/firmbanking?membershipId=${bob.id}`, alice)).status, 403);
  assert.equal((await call("GET", "/v1/firmbanking?limit=101", alice)).status, 400);
});

test("the OpenAPI document lists banking's routes with their problems", async () => {
  const doc = (await kit.app.inject({ method: "GET", url: "/docs/json" })).json();
  const link = doc.paths["/v1/bank-accounts"].post;
  for (const status of ["200", "201", "401", "422", "503"]) assert.ok(link.responses[status], status);
  assert.match(link.responses["422"].description, /BANK_NOT_SUPPORTED.*BANK_ACCOUNT_INVALID/);
  assert.ok(doc.paths["/v1/admin/banks/{bankCode}"].patch.responses["403"]);
  assert.ok(doc.paths["/v1/firmbanking"].get);
  assert.ok(doc.paths["/v1/banks"].get);
  assert.ok(doc.paths["/v1/bank-accounts/{id}"].delete.responses["204"]);
});
