import assert from "node:assert/strict";
import { type AddressInfo, createServer } from "node:net";
import { after, before, test } from "node:test";
import { unwrap } from "../../kernel/errors.js";
import { newId } from "../../kernel/ids.js";
import type { Db } from "../../platform/db/db.js";
import { createSandboxBank, type SandboxBank } from "../../sandbox-bank/app.js";
import { bankClient } from "../../sandbox-bank/test-helpers.js";
import type { AccountRef, TransferCommand } from "./api.js";
import { eventually, type Kit, openKit, openTestDb, testLogger } from "./test-kit.js";

let db: Db;
let bank: SandboxBank;
let teller: ReturnType<typeof bankClient>;
let kit: Kit;
let corporate: AccountRef;
let member: AccountRef;

before(async () => {
  // The bank keeps its accounts in memory; the test database is mypay's alone.
  db = await openTestDb();
  bank = await createSandboxBank({ logger: testLogger });
  const url = await bank.app.listen({ port: 0, host: "127.0.0.1" });
  teller = bankClient(bank);
  // Mounted: the background resolver runs, as in the app.
  kit = await openKit(db, url, { bankTimeoutMs: 400, mount: true });
  corporate = await kit.api.corporateAccount();
  const opened = await teller.call("POST", "/accounts", {
    bankCode: "081",
    holderName: "홍길동",
    balance: 100_000,
  });
  member = { bankCode: "081", accountNumber: (opened.body as AccountRef).accountNumber };
});

after(async () => {
  await kit.close();
  await bank.close();
  await db.close();
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function withdraw(amount: number): TransferCommand {
  const reference = newId("withdrawal");
  return {
    requestId: reference,
    purpose: "WITHDRAW",
    membershipId: null,
    from: corporate,
    to: member,
    amount,
    reference,
    correlationId: reference,
  };
}

test("an answer of 5xx is UNKNOWN, not FAILED; the resolver finishes it once the bank is back", async () => {
  await teller.call("PUT", "/faults", {});
  const fund = unwrap(
    await kit.api.transfer({ ...withdraw(50_000), from: member, to: corporate, purpose: "RECHARGE" }),
  );
  assert.equal(fund.status, "SUCCEEDED");
  await teller.setFaults({ down: true });
  const cmd = withdraw(10_000);
  assert.equal(unwrap(await kit.api.transfer(cmd)).status, "UNKNOWN");
  await teller.setFaults({});
  await eventually(async () => (await kit.api.outcome(cmd.requestId))?.status === "SUCCEEDED");
  assert.equal(await teller.balance(member), 60_000);
});

test("a bank that is down opens the breaker: transfers fail fast with BANK_UNAVAILABLE and store nothing", async () => {
  await teller.setFaults({ down: true });
  for (let i = 0; i < 10 && kit.api.available(); i++) {
    const balance = await kit.api.corporateBalanceAtBank();
    assert.equal(balance.ok ? "ok" : balance.error.code, "BANK_UNAVAILABLE");
  }
  assert.equal(kit.api.available(), false, "the breaker opened");
  const inFlight = await kit.api.inFlightCount();
  const cmd = withdraw(10_000);
  const started = Date.now();
  const result = await kit.api.transfer(cmd);
  assert.ok(Date.now() - started < 200, "answered without waiting for the bank");
  assert.equal(result.ok ? "ok" : result.error.code, "BANK_UNAVAILABLE");
  assert.equal(await kit.api.outcome(cmd.requestId), undefined, "nothing stored");
  assert.equal(await kit.api.inFlightCount(), inFlight);

  const { token } = await kit.member("홍길동");
  const linking = await kit.app.inject({
    method: "POST",
    url: "/v1/bank-accounts",
    headers: { authorization: `Bearer ${token}` },
    payload: member,
  });
  assert.equal(linking.statusCode, 503);
  assert.equal(linking.json().code, "BANK_UNAVAILABLE");

  await teller.setFaults({});
  assert.equal(await teller.stored(cmd.requestId), undefined, "the bank never saw it");
  await eventually(async () => kit.api.available(), 2_000);
  assert.equal(
    unwrap(await kit.api.transfer(cmd)).status,
    "SUCCEEDED",
    "after half-open, the bank is used again",
  );
  assert.equal(await teller.balance(member), 70_000);
});

test("a bank that refuses connections leaves the transfer UNKNOWN; it is sent when the bank answers again", async () => {
  // Another process configured with a bank address where nothing listens.
  const cut = kit.another({ bankBaseUrl: `http://127.0.0.1:${await closedPort()}` });
  const cmd = withdraw(5_000);
  assert.equal(unwrap(await cut.api.transfer(cmd)).status, "UNKNOWN");
  assert.equal(await teller.stored(cmd.requestId), undefined);
  // This process's resolver reaches the bank and sends it with the same requestId.
  await eventually(async () => (await kit.api.outcome(cmd.requestId))?.status === "SUCCEEDED");
  assert.equal(await teller.balance(member), 75_000);
  assert.equal((await kit.completedEvents()).filter((e) => e.requestId === cmd.requestId).length, 1);
});
