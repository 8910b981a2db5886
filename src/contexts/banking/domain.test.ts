import assert from "node:assert/strict";
import { test } from "node:test";
import {
  accountProblem,
  canMove,
  contractBankOf,
  contractUsable,
  holderMatches,
  newContract,
  nextCheckDelayMs,
  resolverCapMs,
} from "./domain.js";

const now = new Date("2025-01-01T00:00:00Z");

test("a new contract is active for a year at 500 won per transfer", () => {
  const c = newContract({ bankCode: "004", name: "KB" }, now);
  assert.equal(c.status, "ACTIVE");
  assert.equal(c.feePerTransfer, 500);
  assert.equal(c.contractExpiresAt.toISOString(), "2026-01-01T00:00:00.000Z");
  assert.equal(contractUsable(c, now), true);
});

test("a suspended, expired or missing contract cannot be used", () => {
  const c = newContract({ bankCode: "004", name: "KB" }, now);
  assert.equal(contractUsable({ ...c, status: "SUSPENDED" }, now), false);
  assert.equal(contractUsable({ ...c, contractExpiresAt: now }, now), false);
  assert.equal(contractUsable(undefined, now), false);
});

test("holder names match whatever their case, spacing or Unicode composition", () => {
  assert.equal(holderMatches("홍 길동", "홍길동"), true);
  assert.equal(holderMatches("  KIM   Minsu ", "kim minsu"), true);
  // 가 as one code point (NFC) and as two jamo (NFD).
  assert.equal(holderMatches("\uAC00", "\u1100\u1161"), true);
  assert.equal(holderMatches("홍길동", "홍길순"), false);
  assert.equal(holderMatches("", "  "), false);
});

test("an account is linkable only when it exists, is active and is the member's", () => {
  assert.match(accountProblem(undefined, "A") ?? "", /no such account/);
  assert.match(accountProblem({ holderName: "A", status: "FROZEN" }, "A") ?? "", /frozen/);
  assert.match(accountProblem({ holderName: "B", status: "ACTIVE" }, "A") ?? "", /not held/);
  assert.equal(accountProblem({ holderName: "a", status: "ACTIVE" }, "A"), undefined);
});

test("a firmbanking request ends SUCCEEDED or FAILED and never moves again", () => {
  assert.equal(canMove("REQUESTED", "UNKNOWN"), true);
  assert.equal(canMove("UNKNOWN", "SUCCEEDED"), true);
  assert.equal(canMove("UNKNOWN", "FAILED"), true);
  assert.equal(canMove("SUCCEEDED", "FAILED"), false);
  assert.equal(canMove("FAILED", "UNKNOWN"), false);
  assert.equal(canMove("UNKNOWN", "REQUESTED"), false);
});

test("the contract that carries a transfer is the member's or payee's bank", () => {
  const member = { bankCode: "088" };
  const corporate = { bankCode: "004" };
  assert.equal(contractBankOf("RECHARGE", member, corporate), "088");
  assert.equal(contractBankOf("WITHDRAW", corporate, member), "088");
  assert.equal(contractBankOf("SETTLEMENT", corporate, { bankCode: "020" }), "020");
});

test("the resolver's backoff grows exponentially with jitter and stops at a minute", () => {
  assert.equal(nextCheckDelayMs(0, 1000, 0), 500);
  assert.equal(nextCheckDelayMs(0, 1000, 1), 1000);
  assert.equal(nextCheckDelayMs(3, 1000, 1), 8000);
  assert.equal(nextCheckDelayMs(50, 1000, 1), resolverCapMs);
  for (let checks = 0; checks < 40; checks++) {
    const d = nextCheckDelayMs(checks, 1000, Math.random());
    assert.ok(d >= 500 && d <= resolverCapMs, `${d}`);
  }
});
