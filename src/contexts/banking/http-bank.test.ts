import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import pino from "pino";
import { unwrap } from "../../kernel/errors.js";
import { newId } from "../../kernel/ids.js";
import type { Db } from "../../platform/db/db.js";
import { type BankCallError, isNoAnswer, type TransferOrder } from "./bank-port.js";
import { createHttpBank, type Resilience } from "./http-bank.js";
import { type OddBank, startOddBank } from "./odd-bank.js";
import { type Kit, openKit, openTestDb, testLogger } from "./test-kit.js";

let bank: OddBank;
let db: Db;
let kit: Kit;

before(async () => {
  bank = await startOddBank();
  db = await openTestDb();
  kit = await openKit(db, bank.url, { bankTimeoutMs: 300 });
});

after(async () => {
  await kit.close();
  await bank.close();
  await db.close();
});

const order = (prefix: string): TransferOrder => ({
  requestId: `${prefix}-${newId("withdrawal")}`,
  from: { bankCode: "081", accountNumber: "1000-0001" },
  to: { bankCode: "088", accountNumber: "2000-0002" },
  amount: 10_000,
});

// Long enough that a busy machine pausing this process now and then does not look like our stall.
const resilience: Resilience = {
  timeoutMs: 600,
  retries: 1,
  retryBaseMs: 5,
  breakerThreshold: 3,
  halfOpenAfterMs: 60_000,
};

const noAnswerKind = (error: unknown) => {
  assert.ok(isNoAnswer(error), `no answer, not ${String(error)}`);
  return (error as BankCallError).kind;
};

const notProof = ["c409", "c429", "c400", "c422", "garbage", "shape", "other"];

test("item 2: a 409, 429, 400, 422, garbled body or another requestId's outcome is no answer, never FAILED", async () => {
  const http = createHttpBank(bank.url, { ...resilience, breakerThreshold: 100 }, testLogger);
  for (const prefix of notProof) {
    const sent = order(prefix);
    await assert.rejects(http.transfer(sent), (error) => {
      noAnswerKind(error);
      return true;
    });
    await assert.rejects(http.getTransfer(sent.requestId), (error) => {
      noAnswerKind(error);
      return true;
    });
  }
});

test("item 2: only the bank's explicit FAILED for this requestId is FAILED; a 404 is never received", async () => {
  const http = createHttpBank(bank.url, resilience, testLogger);
  const refused = order("failed");
  assert.deepEqual(await http.transfer(refused), { status: "FAILED", reason: "ACCOUNT_CLOSED" });
  assert.deepEqual(await http.getTransfer(refused.requestId), { status: "FAILED", reason: "ACCOUNT_CLOSED" });
  assert.equal(await http.getTransfer(order("missing").requestId), undefined);
  assert.deepEqual(await http.transfer(order("fine")), { status: "SUCCEEDED" });
});

test("item 2: a transfer the bank answers 409, even on the resolver's re-send after a 404, stays UNKNOWN", async () => {
  const command = (prefix: string) => {
    const { requestId, from, to, amount } = order(prefix);
    return {
      requestId,
      from,
      to,
      amount,
      purpose: "WITHDRAW" as const,
      membershipId: null,
      reference: requestId,
      correlationId: requestId,
    };
  };
  const conflicted = command("c409");
  assert.equal(unwrap(await kit.api.transfer(conflicted)).status, "UNKNOWN");
  const resent = command("gone409");
  assert.equal(unwrap(await kit.api.transfer(resent)).status, "UNKNOWN");
  await delay(100);
  // The resolver asks GET /transfers/{id} (404: never received) and sends it again (409).
  assert.ok((await kit.banking.resolveDue()) >= 2);
  for (const c of [conflicted, resent]) {
    assert.equal((await kit.api.outcome(c.requestId))?.status, "UNKNOWN", c.requestId);
  }
  assert.deepEqual(await kit.completedEvents(), [], "no outcome was announced");
});

/** Keeps this thread busy, as a PGlite backlog did: nothing else runs, timers included. */
function blockEventLoop(ms: number) {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

test("item 17: timeouts caused by our own stalled event loop do not open the breaker; genuine ones do", async () => {
  const http = createHttpBank(bank.url, resilience, testLogger);
  for (let i = 0; i <= resilience.breakerThreshold; i++) {
    const call = http.transfer(order("slow"));
    await delay(20);
    blockEventLoop(resilience.timeoutMs * 2);
    await assert.rejects(call, (error) => noAnswerKind(error) === "stalled");
  }
  assert.equal(http.available(), true, "the bank was never at fault");
  const kinds: string[] = [];
  // A loaded machine may pause us long enough to make one of these a stall too: go on until open.
  while (http.available() && kinds.length < resilience.breakerThreshold * 3) {
    await assert.rejects(http.transfer(order("slow")), (error) => {
      kinds.push(noAnswerKind(error));
      return true;
    });
  }
  assert.equal(http.available(), false, "genuine timeouts open the breaker");
  assert.equal(kinds.filter((k) => k === "timeout").length, resilience.breakerThreshold, kinds.join());
});

test("item 17: when the breaker opens, the log names the failures that opened it", async () => {
  const lines: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
  const http = createHttpBank(bank.url, resilience, logger);
  for (let i = 0; http.available() && i < resilience.breakerThreshold * 3; i++) {
    await assert.rejects(http.transfer(order("slow")), isNoAnswer);
  }
  assert.equal(http.available(), false);
  const opened = lines
    .map((l) => JSON.parse(l) as { msg: string; failures?: Record<string, unknown>[] })
    .find((l) => l.msg.startsWith("bank circuit breaker opened"));
  assert.ok(opened, `no breaker line in ${lines.join("")}`);
  assert.match(opened.msg, /POST \/transfers timeout after \d+ ms/);
  assert.equal(opened.failures?.length, resilience.breakerThreshold);
  for (const f of opened.failures ?? []) {
    assert.equal(f.method, "POST");
    assert.equal(f.path, "/transfers");
    assert.equal(f.kind, "timeout");
    assert.match(String(f.message), /no answer in time/);
    assert.ok(Number(f.ms) >= resilience.timeoutMs - 5, `took ${f.ms} ms`);
  }
});
