import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Result, unwrap } from "../../kernel/errors.js";
import { newId } from "../../kernel/ids.js";
import type { Db } from "../../platform/db/db.js";
import { createSandboxBank, type SandboxBank } from "../../sandbox-bank/app.js";
import { bankClient, loadedDice } from "../../sandbox-bank/test-helpers.js";
import { watchBankCalls } from "../../testing/bank-calls.js";
import type { AccountRef, FirmbankingOutcome, TransferCommand } from "./api.js";
import { firmbankingNotSent } from "./api.js";
import { corporateHolderName } from "./contracts.js";
import { insertRequested } from "./firmbanking-store.js";
import { eventually, type Kit, openKit, openTestDb, testLogger } from "./test-kit.js";

const dice = loadedDice();
let db: Db;
let bank: SandboxBank;
let teller: ReturnType<typeof bankClient>;
let kit: Kit;
let corporate: AccountRef;
const memberId = newId("membership");

before(async () => {
  // The bank keeps its accounts in memory; the test database is mypay's alone.
  db = await openTestDb();
  bank = await createSandboxBank({ logger: testLogger, random: dice.random });
  const url = await bank.app.listen({ port: 0, host: "127.0.0.1" });
  teller = bankClient(bank);
  kit = await openKit(db, url, { bankTimeoutMs: 400 });
});

after(async () => {
  await kit.close();
  await bank.close();
  await db.close();
});

async function memberAccount(balance: number, bankCode = "088"): Promise<AccountRef> {
  const res = await teller.call("POST", "/accounts", { bankCode, holderName: "홍길동", balance });
  assert.equal(res.status, 201);
  return { bankCode, accountNumber: (res.body as AccountRef).accountNumber };
}

function recharge(from: AccountRef, amount: number): TransferCommand {
  const reference = newId("recharge");
  return {
    requestId: reference,
    purpose: "RECHARGE",
    membershipId: memberId,
    from,
    to: corporate,
    amount,
    reference,
    correlationId: `c-${reference}`,
  };
}

const value = (r: Result<FirmbankingOutcome>) => unwrap(r);

async function eventsFor(firmbankingId: string) {
  return (await kit.completedEvents()).filter((e) => e.firmbankingId === firmbankingId);
}

/** Runs resolver rounds until the request is terminal. */
async function resolved(requestId: string): Promise<FirmbankingOutcome> {
  for (let round = 0; round < 100; round++) {
    await kit.banking.resolveDue();
    const found = await kit.api.outcome(requestId);
    if (found && found.status !== "UNKNOWN") return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${requestId} was not resolved`);
}

test("the corporate account is opened once, even by processes starting together", async () => {
  const refs = await Promise.all([
    kit.api.corporateAccount(),
    kit.another().api.corporateAccount(),
    kit.another().api.corporateAccount(),
  ]);
  corporate = refs[0];
  assert.deepEqual(refs[1], corporate);
  assert.deepEqual(refs[2], corporate);
  const opened = bank.store.accounts().filter((a) => a.holderName === corporateHolderName);
  assert.equal(opened.length, 1);
  assert.deepEqual(await kit.api.corporateBalanceAtBank(), { ok: true, value: 0 });
  await kit.banking.prepare();
});

test("a transfer is stored before the bank is called, then SUCCEEDED with the money moved and one event", async () => {
  const from = await memberAccount(100_000);
  await teller.setFaults({ latencyMs: 250 });
  const cmd = recharge(from, 30_000);
  const pending = kit.api.transfer(cmd);
  let seen: FirmbankingOutcome | undefined;
  await eventually(async () => {
    seen = await kit.api.outcome(cmd.requestId);
    return seen !== undefined;
  });
  assert.equal(seen?.status, "UNKNOWN", "stored while the bank works on it");
  assert.equal(await kit.api.inFlightCount(), 1);
  const done = value(await pending);
  await teller.setFaults({});
  assert.equal(done.status, "SUCCEEDED");
  assert.equal(done.fee, 500);
  assert.equal(await teller.balance(from), 70_000);
  assert.equal(await teller.balance(corporate), 30_000);
  assert.deepEqual(await kit.api.outcome(cmd.requestId), done);
  assert.equal(await kit.api.inFlightCount(), 0);
  const [event, ...more] = await eventsFor(done.firmbankingId);
  assert.equal(more.length, 0);
  assert.deepEqual(event, {
    firmbankingId: done.firmbankingId,
    requestId: cmd.requestId,
    purpose: "RECHARGE",
    reference: cmd.reference,
    membershipId: memberId,
    status: "SUCCEEDED",
    amount: 30_000,
    fee: 500,
    bankCode: "088",
  });
});

test("a transfer the bank refuses is FAILED with its reason, moving nothing", async () => {
  const from = await memberAccount(10_000);
  const short = value(await kit.api.transfer(recharge(from, 20_000)));
  assert.deepEqual([short.status, short.reason], ["FAILED", "INSUFFICIENT_FUNDS"]);
  await teller.setFaults({ failureRate: 1 });
  const refused = value(await kit.api.transfer(recharge(from, 5_000)));
  await teller.setFaults({});
  assert.deepEqual([refused.status, refused.reason], ["FAILED", "REFUSED"]);
  assert.equal(await teller.balance(from), 10_000);
  assert.equal((await eventsFor(refused.firmbankingId))[0]?.status, "FAILED");
  assert.equal((await eventsFor(short.firmbankingId)).length, 1);
});

test("the same requestId, repeated or at the same time, never moves money twice", async () => {
  const from = await memberAccount(100_000);
  const corporateBefore = await teller.balance(corporate);
  const cmd = recharge(from, 10_000);
  const first = value(await kit.api.transfer(cmd));
  assert.deepEqual(value(await kit.api.transfer(cmd)), first);
  const twin = recharge(from, 20_000);
  const together = (await Promise.all([1, 2, 3].map(() => kit.api.transfer(twin)))).map(value);
  // One request: the duplicates that came while it was with the bank answer what was stored then.
  assert.deepEqual(new Set(together.map((o) => o.firmbankingId)).size, 1);
  assert.equal((await kit.api.outcome(twin.requestId))?.status, "SUCCEEDED");
  assert.equal(await teller.balance(from), 70_000);
  assert.equal(await teller.balance(corporate), corporateBefore + 30_000);
  assert.equal((await eventsFor(first.firmbankingId)).length, 1);
  assert.equal((await eventsFor(together[0]!.firmbankingId)).length, 1);
  await assert.rejects(kit.api.transfer({ ...cmd, amount: 1 }), /different transfer/);
});

test("a timed-out transfer the bank carried out is UNKNOWN, then SUCCEEDED by the resolver", async () => {
  const from = await memberAccount(50_000);
  await teller.setFaults({ timeoutRate: 1, timeoutHoldMs: 5_000 });
  dice.queue.push(0, 0.1); // answer lost; carried out
  const cmd = recharge(from, 10_000);
  const started = Date.now();
  const unknown = value(await kit.api.transfer(cmd));
  assert.equal(unknown.status, "UNKNOWN");
  assert.ok(Date.now() - started < 1_500, "the caller waited about bankTimeoutMs, not the bank's hold");
  assert.equal(await kit.api.inFlightCount(), 1);
  assert.equal((await eventsFor(unknown.firmbankingId)).length, 0, "no event before the outcome is known");
  await teller.setFaults({});
  assert.equal((await resolved(cmd.requestId)).status, "SUCCEEDED");
  assert.equal(await teller.balance(from), 40_000, "moved once");
  await kit.banking.resolveDue();
  assert.equal((await eventsFor(unknown.firmbankingId)).length, 1);
});

test("a dropped answer the bank never acted on is UNKNOWN, then sent again with the same requestId", async () => {
  const from = await memberAccount(50_000);
  await teller.setFaults({ timeoutRate: 1, timeoutHoldMs: 10 });
  dice.queue.push(0, 0.9); // answer lost; not carried out
  const cmd = recharge(from, 10_000);
  assert.equal(value(await kit.api.transfer(cmd)).status, "UNKNOWN");
  await teller.setFaults({});
  assert.equal(await teller.stored(cmd.requestId), undefined, "the bank never had it");
  assert.equal((await resolved(cmd.requestId)).status, "SUCCEEDED");
  assert.equal((await teller.stored(cmd.requestId))?.status, "SUCCEEDED");
  assert.equal(await teller.balance(from), 40_000);
});

test("an unanswered transfer the bank refused ends FAILED, as the bank recorded it", async () => {
  const from = await memberAccount(5_000);
  await teller.setFaults({ timeoutRate: 1, timeoutHoldMs: 10 });
  dice.queue.push(0, 0.1); // carried out: refused for want of funds
  const cmd = recharge(from, 10_000);
  const unknown = value(await kit.api.transfer(cmd));
  assert.equal(unknown.status, "UNKNOWN");
  await teller.setFaults({});
  const end = await resolved(cmd.requestId);
  assert.deepEqual([end.status, end.reason], ["FAILED", "INSUFFICIENT_FUNDS"]);
  assert.equal(await teller.balance(from), 5_000);
  assert.deepEqual(
    (await eventsFor(unknown.firmbankingId)).map((e) => e.status),
    ["FAILED"],
  );
});

test("item 4: calling again for an UNKNOWN request answers what is stored; only the resolver asks the bank", async () => {
  const from = await memberAccount(50_000);
  await teller.setFaults({ timeoutRate: 1, timeoutHoldMs: 10 });
  dice.queue.push(0, 0.9);
  const cmd = recharge(from, 10_000);
  assert.equal(value(await kit.api.transfer(cmd)).status, "UNKNOWN");
  await teller.setFaults({});
  const calls = watchBankCalls(kit.config.bankUrl);
  try {
    assert.equal(value(await kit.api.transfer(cmd)).status, "UNKNOWN");
    assert.equal(calls.about(cmd.requestId).length, 0, "a repeat does not call the bank");
    assert.equal((await resolved(cmd.requestId)).status, "SUCCEEDED");
    assert.ok(calls.about(cmd.requestId).length > 0, "the resolver did");
  } finally {
    calls.stop();
  }
  const again = value(await kit.api.transfer(cmd));
  assert.equal(again.status, "SUCCEEDED");
  assert.equal(await teller.balance(from), 40_000);
  assert.equal((await eventsFor(again.firmbankingId)).length, 1);
});

test("a request left REQUESTED by a process that died is sent once it is stale, by one replica", async () => {
  const from = await memberAccount(50_000);
  const cmd = recharge(from, 10_000);
  const createdAt = new Date();
  const row = {
    ...cmd,
    id: newId("firmbanking"),
    fee: 500,
    bankCode: from.bankCode,
    status: "REQUESTED" as const,
    reason: null,
    createdAt,
    completedAt: null,
    checks: 0,
  };
  await insertRequested(kit.db, row, new Date(createdAt.getTime() + 30_000));
  await kit.banking.resolveDue();
  assert.equal(await teller.stored(cmd.requestId), undefined, "not stale yet: it may still be on its way");
  const later = { now: () => new Date(Date.now() + 60_000) };
  const replicas = [kit.another({ clock: later }), kit.another({ clock: later })];
  const claimed = await Promise.all(replicas.map((r) => r.resolveDue()));
  assert.equal(claimed[0]! + claimed[1]!, 1, "one replica took the row");
  assert.equal((await kit.api.outcome(cmd.requestId))?.status, "SUCCEEDED");
  assert.equal(await teller.balance(from), 40_000);
  assert.equal((await eventsFor(row.id)).length, 1);
});

test("item 3: voiding a request banking never stored makes it FAILED NOT_SENT; a late transfer never reaches the bank", async () => {
  const from = await memberAccount(50_000);
  const cmd = recharge(from, 10_000);
  const voided = await kit.api.voidUnsent(cmd);
  assert.deepEqual([voided.status, voided.reason], ["FAILED", firmbankingNotSent]);
  assert.deepEqual(
    (await eventsFor(voided.firmbankingId)).map((e) => e.status),
    ["FAILED"],
  );
  const calls = watchBankCalls(kit.config.bankUrl);
  try {
    // A runner that lost its saga's lease, sending late: it gets the stored FAILED.
    assert.deepEqual(value(await kit.api.transfer(cmd)), voided);
    assert.equal(calls.about(cmd.requestId).length, 0);
  } finally {
    calls.stop();
  }
  assert.equal(await teller.stored(cmd.requestId), undefined, "the bank never saw it");
  assert.equal(await teller.balance(from), 50_000);
  assert.deepEqual(await kit.api.voidUnsent(cmd), voided, "voiding again answers the same");
});

test("item 3: voiding a request banking already sent answers its outcome and changes nothing", async () => {
  const from = await memberAccount(50_000);
  const cmd = recharge(from, 10_000);
  const sent = value(await kit.api.transfer(cmd));
  assert.equal(sent.status, "SUCCEEDED");
  assert.deepEqual(await kit.api.voidUnsent(cmd), sent);
  assert.equal(await teller.balance(from), 40_000);
});

test("item 4: the resolver stops asking after its checks; a recheck gives the request a fresh look", async () => {
  const from = await memberAccount(50_000);
  await teller.setFaults({ timeoutRate: 1, timeoutHoldMs: 10 });
  dice.queue.push(0, 0.9); // answer lost; not carried out
  const cmd = recharge(from, 10_000);
  assert.equal(value(await kit.api.transfer(cmd)).status, "UNKNOWN");
  await teller.setFaults({});
  // Checks that get no answer (the bank cannot be reached) use up the budget of three.
  let hours = 0;
  const passing = { now: () => new Date(Date.now() + ++hours * 3_600_000) };
  const cutOff = kit.another({ clock: passing, bankBaseUrl: "http://127.0.0.1:1", resolverMaxChecks: 3 });
  for (let i = 0; i < 10; i++) await cutOff.resolveDue();
  const later = { now: () => new Date(Date.now() + (hours + 1) * 3_600_000) };
  const resolver = kit.another({ clock: later, resolverMaxChecks: 3 });
  assert.equal(await resolver.resolveDue(), 0, "out of checks: left alone");
  assert.equal((await kit.api.outcome(cmd.requestId))?.status, "UNKNOWN", "still UNKNOWN, never guessed");
  assert.equal(await resolver.api.recheck(cmd.requestId), true);
  assert.equal(await resolver.resolveDue(), 1);
  assert.equal((await kit.api.outcome(cmd.requestId))?.status, "SUCCEEDED");
  assert.equal(await teller.balance(from), 40_000);
  assert.equal(await resolver.api.recheck(cmd.requestId), false, "a finished request needs no check");
});
