import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  type ClaimLine,
  cancelFailure,
  cancelRefusal,
  canSee,
  failureProblem,
  groupClaims,
  type PaymentStatus,
  paymentStatuses,
  splitPayment,
} from "./domain.js";

const limit = 2_000_000;

test("property: a payment splits into a money part and a points part that add up to the amount", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: limit }), fc.nat(limit), (amount, usePoints) => {
      const split = splitPayment(amount, usePoints);
      if (usePoints > amount) return !split.ok && split.error.code === "VALIDATION_FAILED";
      if (!split.ok) return false;
      const { paidWithMoney, paidWithPoints } = split.value;
      return paidWithPoints === usePoints && paidWithMoney >= 0 && paidWithMoney + paidWithPoints === amount;
    }),
  );
  assert.deepEqual(splitPayment(10_000), { ok: true, value: { paidWithMoney: 10_000, paidWithPoints: 0 } });
});

test("property: a slip can be cancelled exactly when it is NORMAL and no settlement claimed it", () => {
  fc.assert(
    fc.property(fc.constantFrom(...paymentStatuses), fc.boolean(), (status: PaymentStatus, claimed) => {
      const refusal = cancelRefusal({ status, claimed });
      if (status === "NORMAL" && !claimed) return refusal === undefined;
      const settled = status === "SETTLED" || status === "NORMAL";
      return refusal?.ok === false && refusal.error.code === (settled ? "ALREADY_SETTLED" : "CONFLICT");
    }),
  );
});

test("the payer, the franchise's owner and staff see a slip; nobody else does", () => {
  const slip = { membershipId: "mem_payer", ownerId: "mem_owner" };
  assert.equal(canSee({ membershipId: "mem_payer", role: "customer" }, slip), true);
  assert.equal(canSee({ membershipId: "mem_owner", role: "merchant" }, slip), true);
  assert.equal(canSee({ membershipId: "mem_staff", role: "staff" }, slip), true);
  assert.equal(canSee({ membershipId: "mem_other", role: "merchant" }, slip), false);
  assert.equal(canSee({ membershipId: "mem_other", role: "customer" }, slip), false);
});

test("a failed payment answers the failure's own code; a recharge the bank refused is INSUFFICIENT_BALANCE", () => {
  assert.equal(failureProblem("RECHARGE_FAILED", true).code, "INSUFFICIENT_BALANCE");
  for (const code of [
    "INSUFFICIENT_BALANCE",
    "INSUFFICIENT_POINTS",
    "NO_LINKED_ACCOUNT",
    "BALANCE_LIMIT_EXCEEDED",
  ]) {
    assert.equal(failureProblem(code, false).code, code);
  }
  assert.equal(failureProblem("something odd", false).code, "INTERNAL_ERROR");
  assert.equal(cancelFailure("CONFLICT").code, "CONFLICT");
  assert.equal(cancelFailure("??").code, "INTERNAL_ERROR");
});

const lines = fc
  .uniqueArray(
    fc.record({
      franchiseId: fc.constantFrom("fra_a", "fra_b", "fra_c", "fra_d"),
      commissionBps: fc.integer({ min: 0, max: 10_000 }),
      count: fc.integer({ min: 1, max: 1_000 }),
      gross: fc.integer({ min: 1, max: 1_000_000_000 }),
    }),
    { selector: (l) => `${l.franchiseId}@${l.commissionBps}` },
  )
  .map((ls) => ls as ClaimLine[]);

test("property: grouping a claim keeps every won and slip, once per franchise, rates in order", () => {
  fc.assert(
    fc.property(lines, (ls) => {
      const groups = groupClaims(ls);
      const ids = groups.map((g) => g.franchiseId);
      assert.deepEqual(ids, [...new Set(ls.map((l) => l.franchiseId))].sort());
      for (const g of groups) {
        const mine = ls.filter((l) => l.franchiseId === g.franchiseId);
        assert.equal(
          g.gross,
          mine.reduce((s, l) => s + l.gross, 0),
        );
        assert.equal(
          g.paymentCount,
          mine.reduce((s, l) => s + l.count, 0),
        );
        assert.equal(
          g.gross,
          g.byRate.reduce((s, r) => s + r.gross, 0),
        );
        const rates = g.byRate.map((r) => r.commissionBps);
        assert.deepEqual(
          rates,
          rates.toSorted((a, b) => a - b),
        );
      }
      return groups.reduce((s, g) => s + g.gross, 0) === ls.reduce((s, l) => s + l.gross, 0);
    }),
  );
});
