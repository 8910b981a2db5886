import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { activityCursor, parseActivityCursor } from "./activity-cursor.js";
import { type ActivityEvent, type ActivityItem, activityEventTypes, activityOf } from "./activity-items.js";

const at = "2025-03-01T09:30:00.123Z";
const event = (type: string, data: unknown) => ({ type, occurredAt: at, data });
const only = (e: ActivityEvent) => {
  const items = activityOf(e);
  assert.equal(items.length, 1, `one item for ${e.type}`);
  return items[0]!;
};

const remittance = (over: Record<string, unknown> = {}) =>
  event("RemittanceCompleted", {
    remittanceId: "rem_1",
    type: "MEMBER",
    membershipId: "mem_kim",
    toMembershipId: "mem_lee",
    toAccount: null,
    amount: 25_000,
    fee: 0,
    status: "SUCCEEDED",
    reason: null,
    ...over,
  });

describe("activity items (what each event adds)", () => {
  test("a balance change is a MONEY item keyed by its ledger entry, with the signed change and the balance after", () => {
    const item = only(
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
      details: null,
      occurredAt: at,
    });
  });

  test("a points change is a POINTS item: the signed change, the points after, why, and the payment it was for", () => {
    const item = only(
      event("PointsBalanceChanged", {
        membershipId: "mem_1",
        points: 900,
        change: -100,
        kind: "PAYMENT",
        reference: "pay_1",
        entryId: "ent_2",
        version: 9,
      }),
    );
    assert.deepEqual(item, {
      membershipId: "mem_1",
      itemId: "ent_2",
      kind: "POINTS",
      ledgerKind: "PAYMENT",
      amount: -100,
      balanceAfter: 900,
      reference: "pay_1",
      status: null,
      details: null,
      occurredAt: at,
    });
  });

  test("a completed recharge adds won, a completed withdrawal takes them, each with its status", () => {
    const recharge = only(
      event("RechargeCompleted", {
        rechargeId: "rch_1",
        membershipId: "mem_1",
        amount: 10_000,
        status: "FAILED",
        auto: false,
      }),
    );
    assert.deepEqual(
      [recharge.itemId, recharge.kind, recharge.amount, recharge.status],
      ["rch_1", "RECHARGE_COMPLETED", 10_000, "FAILED"],
    );
    const withdrawal = only(
      event("WithdrawalCompleted", {
        withdrawalId: "wdr_1",
        membershipId: "mem_1",
        amount: 20_000,
        status: "SUCCEEDED",
      }),
    );
    assert.deepEqual(
      [withdrawal.kind, withdrawal.amount, withdrawal.balanceAfter],
      ["WITHDRAWAL_COMPLETED", -20_000, null],
    );
  });

  test("a payment is the payer's PAYMENT item with how it was paid; its cancel is a second item with the refund", () => {
    const paid = only(
      event("PaymentMade", {
        paymentId: "pay_1",
        membershipId: "mem_1",
        franchiseId: "fra_1",
        amount: 100_000,
        paidWithMoney: 99_900,
        paidWithPoints: 100,
        pointsEarned: 999,
        commissionBps: 200,
      }),
    );
    assert.deepEqual(
      [paid.membershipId, paid.itemId, paid.kind, paid.amount, paid.reference, paid.status],
      ["mem_1", "pay_1", "PAYMENT", -100_000, "pay_1", "NORMAL"],
    );
    assert.deepEqual(paid.details, {
      franchiseId: "fra_1",
      paidWithMoney: 99_900,
      paidWithPoints: 100,
      pointsEarned: 999,
      commissionBps: 200,
    });
    const refund = { money: 99_600, points: 100, pointsTakenBack: 699, takenFromMoney: 300 };
    const cancelled = only(
      event("PaymentCancelled", {
        paymentId: "pay_1",
        membershipId: "mem_1",
        franchiseId: "fra_1",
        amount: 100_000,
        refund,
      }),
    );
    assert.notEqual(cancelled.itemId, paid.itemId);
    assert.deepEqual(
      [cancelled.kind, cancelled.amount, cancelled.reference, cancelled.status],
      ["PAYMENT_CANCELLED", 100_000, "pay_1", "CANCELLED"],
    );
    assert.deepEqual(cancelled.details, { franchiseId: "fra_1", refund });
  });

  test("a remittance between members that arrived is two items: sent by one member, received by the other", () => {
    const [sent, received, ...more] = activityOf(remittance());
    assert.equal(more.length, 0);
    assert.deepEqual(
      [sent?.membershipId, sent?.itemId, sent?.kind, sent?.amount, sent?.status, sent?.reference],
      ["mem_kim", "rem_1:sent", "REMITTANCE", -25_000, "SUCCEEDED", "rem_1"],
    );
    assert.deepEqual(sent?.details, {
      direction: "SENT",
      remittanceType: "MEMBER",
      fee: 0,
      toMembershipId: "mem_lee",
      toAccount: null,
      reason: null,
    });
    assert.deepEqual(
      [received?.membershipId, received?.itemId, received?.amount, received?.status, received?.reference],
      ["mem_lee", "rem_1:received", 25_000, "SUCCEEDED", "rem_1"],
    );
    assert.deepEqual(received?.details, {
      direction: "RECEIVED",
      remittanceType: "MEMBER",
      fromMembershipId: "mem_kim",
    });
  });

  test("a failed remittance, and one to a bank account, are the sender's item only", () => {
    const failed = only(remittance({ status: "FAILED", reason: "INSUFFICIENT_BALANCE" }));
    assert.deepEqual([failed.membershipId, failed.status], ["mem_kim", "FAILED"]);
    assert.equal((failed.details as { reason: string }).reason, "INSUFFICIENT_BALANCE");
    const toAccount = { bankCode: "004", accountNumber: "123-456" };
    const toBank = only(remittance({ type: "BANK", toMembershipId: null, toAccount, fee: 500 }));
    assert.deepEqual([toBank.membershipId, toBank.amount], ["mem_kim", -25_000]);
    assert.deepEqual(toBank.details, {
      direction: "SENT",
      remittanceType: "BANK",
      fee: 500,
      toMembershipId: null,
      toAccount,
      reason: null,
    });
  });

  test("registering and leaving are two items of the member, at the times membership says", () => {
    const joined = only(
      event("MemberRegistered", {
        membershipId: "mem_1",
        name: "Kim",
        email: "k@example.com",
        region: "Seoul",
        type: "personal",
        registeredAt: "2025-01-01T00:00:00.000Z",
      }),
    );
    const left = only(event("MemberWithdrawn", { membershipId: "mem_1", withdrawnAt: at }));
    assert.equal(joined.kind, "MEMBER_REGISTERED");
    assert.equal(joined.occurredAt, "2025-01-01T00:00:00.000Z");
    assert.equal(left.kind, "MEMBER_WITHDRAWN");
    assert.notEqual(joined.itemId, left.itemId);
  });

  test("an event that is not activity adds nothing, and is not subscribed to", () => {
    assert.deepEqual(activityOf(event("AccessRevoked", { membershipId: "mem_1" })), []);
    assert.deepEqual(activityOf(event("PaymentsSettled", { runId: "stl_1" })), []);
    assert.ok(!activityEventTypes.includes("AccessRevoked"));
    for (const type of ["MoneyBalanceChanged", "PointsBalanceChanged", "PaymentMade", "RemittanceCompleted"])
      assert.ok(activityEventTypes.includes(type), type);
  });

  test("a cursor gives back the item's time and id; anything else is no cursor", () => {
    const cursor = activityCursor({ occurredAt: at, itemId: "rem_1:received" });
    assert.deepEqual(parseActivityCursor(cursor), { occurredAt: at, itemId: "rem_1:received" });
    assert.equal(parseActivityCursor("1'; DROP TABLE x"), undefined);
    assert.equal(parseActivityCursor("ent_1"), undefined);
  });
});

const member = fc.constantFrom("mem_a", "mem_b", "mem_c");
const won = fc.integer({ min: 1, max: 2_000_000 });
const time = fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }).map((ms) => new Date(ms));

/** Any activity event; `n` makes its business ids unique within a run. */
const anyEvent = (n: number): fc.Arbitrary<ActivityEvent> => {
  const ledger = (type: string, after: string) =>
    fc
      .record({ membershipId: member, [after]: fc.nat(), change: fc.integer(), kind: fc.string() })
      .map((d) => ({
        type,
        data: { ...d, reference: `pay_${n}`, entryId: `ent_${n}`, version: n },
      }));
  const kinds = [
    ledger("MoneyBalanceChanged", "balance"),
    ledger("PointsBalanceChanged", "points"),
    fc
      .record({ membershipId: member, amount: won, paidWithMoney: fc.nat(), paidWithPoints: fc.nat() })
      .map((d) => ({
        type: "PaymentMade",
        data: { ...d, paymentId: `pay_${n}`, franchiseId: "fra_1", pointsEarned: 1, commissionBps: 200 },
      })),
    fc.record({ membershipId: member, amount: won, money: fc.nat() }).map(({ money, ...d }) => ({
      type: "PaymentCancelled",
      data: {
        ...d,
        paymentId: `pay_${n}`,
        franchiseId: "fra_1",
        refund: { money, points: 0, pointsTakenBack: 0, takenFromMoney: 0 },
      },
    })),
    fc
      .record({
        membershipId: member,
        toMembershipId: member,
        type: fc.constantFrom("MEMBER", "BANK"),
        status: fc.constantFrom("SUCCEEDED", "FAILED"),
        amount: won,
      })
      .map((d) => ({
        type: "RemittanceCompleted",
        data: { ...d, remittanceId: `rem_${n}`, toAccount: null, fee: 0, reason: null },
      })),
  ];
  return fc.tuple(fc.oneof(...kinds), time).map(([e, when]) => ({ ...e, occurredAt: when.toISOString() }));
};

/** The store's rule, as a model: an item id already there keeps its first row. */
function deliver(events: readonly ActivityEvent[]): ActivityItem[] {
  const rows = new Map<string, ActivityItem>();
  for (const item of events.flatMap(activityOf)) if (!rows.has(item.itemId)) rows.set(item.itemId, item);
  return [...rows.values()].sort((a, b) => a.itemId.localeCompare(b.itemId));
}

test("property: redelivering any events, any number of times, in any order, yields the same items", () => {
  const run = fc
    .integer({ min: 1, max: 30 })
    .chain((count) => fc.tuple(...Array.from({ length: count }, (_, n) => anyEvent(n))))
    .chain((events) =>
      fc.tuple(
        fc.constant(events),
        fc.array(fc.nat(events.length - 1), { maxLength: 30 }).chain((again) => {
          const all = [...events.keys(), ...again];
          return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
        }),
      ),
    );
  fc.assert(
    fc.property(run, ([events, order]) => {
      const once = deliver(events);
      // No two events share an item: every item an event adds is there, exactly once.
      assert.equal(once.length, events.flatMap(activityOf).length);
      assert.deepEqual(deliver(order.map((i) => events[i]!)), once);
    }),
  );
});
