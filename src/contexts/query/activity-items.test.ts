import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { activityCursor, activityEventTypes, activityOf, parseActivityCursor } from "./activity-items.js";

const at = "2025-03-01T09:30:00.123Z";
const event = (type: string, data: unknown) => ({ type, occurredAt: at, data });

describe("activity items (one per event)", () => {
  test("a balance change is a MONEY item keyed by its ledger entry, with the signed change and the balance after", () => {
    const item = activityOf(
      event("MoneyBalanceChanged", {
        membershipId: "mem_1",
        balance: 70_000,
        change: -30_000,
        kind: "WITHDRAW",
        reference: "wdr_1",
        entryId: "ent_1",
        version: 7,
      }),
    );
    assert.deepEqual(item, {
      membershipId: "mem_1",
      itemId: "ent_1",
      kind: "MONEY",
      ledgerKind: "WITHDRAW",
      amount: -30_000,
      balanceAfter: 70_000,
      reference: "wdr_1",
      status: null,
      occurredAt: at,
    });
  });

  test("a completed recharge adds won, a completed withdrawal takes them, each with its status", () => {
    const recharge = activityOf(
      event("RechargeCompleted", {
        rechargeId: "rch_1",
        membershipId: "mem_1",
        amount: 10_000,
        status: "FAILED",
        auto: false,
      }),
    );
    assert.equal(recharge?.itemId, "rch_1");
    assert.equal(recharge?.kind, "RECHARGE_COMPLETED");
    assert.equal(recharge?.amount, 10_000);
    assert.equal(recharge?.status, "FAILED");
    const withdrawal = activityOf(
      event("WithdrawalCompleted", {
        withdrawalId: "wdr_1",
        membershipId: "mem_1",
        amount: 20_000,
        status: "SUCCEEDED",
      }),
    );
    assert.equal(withdrawal?.kind, "WITHDRAWAL_COMPLETED");
    assert.equal(withdrawal?.amount, -20_000);
    assert.equal(withdrawal?.balanceAfter, null);
  });

  test("registering and leaving are two items of the member, at the times membership says", () => {
    const joined = activityOf(
      event("MemberRegistered", {
        membershipId: "mem_1",
        name: "Kim",
        email: "k@example.com",
        region: "Seoul",
        type: "personal",
        registeredAt: "2025-01-01T00:00:00.000Z",
      }),
    );
    const left = activityOf(event("MemberWithdrawn", { membershipId: "mem_1", withdrawnAt: at }));
    assert.equal(joined?.kind, "MEMBER_REGISTERED");
    assert.equal(joined?.occurredAt, "2025-01-01T00:00:00.000Z");
    assert.equal(left?.kind, "MEMBER_WITHDRAWN");
    assert.notEqual(joined?.itemId, left?.itemId);
  });

  test("an event that is not activity adds nothing, and is not subscribed to", () => {
    assert.equal(activityOf(event("AccessRevoked", { membershipId: "mem_1" })), undefined);
    assert.ok(!activityEventTypes.includes("AccessRevoked"));
    assert.ok(activityEventTypes.includes("MoneyBalanceChanged"));
  });

  test("a cursor gives back the item's time and id; anything else is no cursor", () => {
    const cursor = activityCursor({ occurredAt: at, itemId: "mem_1:registered" });
    assert.deepEqual(parseActivityCursor(cursor), { occurredAt: at, itemId: "mem_1:registered" });
    assert.equal(parseActivityCursor("1'; DROP TABLE x"), undefined);
    assert.equal(parseActivityCursor("ent_1"), undefined);
  });
});
