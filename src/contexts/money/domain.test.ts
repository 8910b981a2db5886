import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { autoRechargeAmount, cancelRefund, pointsEarned, rechargeUnit } from "./domain.js";

const cap = 2_000_000;
const amount = (r: ReturnType<typeof autoRechargeAmount>) => (r.ok ? r.value : r.error.code);

test("auto-recharge: nothing when the balance covers the price, 10,000 for a small shortfall, else the shortfall", () => {
  assert.equal(amount(autoRechargeAmount(50_000, 30_000, cap)), 0);
  assert.equal(amount(autoRechargeAmount(30_000, 30_000, cap)), 0);
  assert.equal(amount(autoRechargeAmount(29_999, 30_000, cap)), 10_000);
  assert.equal(amount(autoRechargeAmount(20_000, 30_000, cap)), 10_000);
  assert.equal(amount(autoRechargeAmount(19_999, 30_000, cap)), 10_001);
  assert.equal(amount(autoRechargeAmount(0, 123_456, cap)), 123_456);
});

test("auto-recharge never passes the cap, counting won already promised to the balance", () => {
  assert.equal(amount(autoRechargeAmount(1_995_000, 2_000_000, cap)), "BALANCE_LIMIT_EXCEEDED");
  assert.equal(amount(autoRechargeAmount(1_000_000, 1_500_000, cap, 600_000)), "BALANCE_LIMIT_EXCEEDED");
  assert.equal(amount(autoRechargeAmount(1_000_000, 1_500_000, cap, 500_000)), 500_000);
});

test("property: an auto-recharge covers the price with the least it may, and stays within the cap", () => {
  fc.assert(
    fc.property(fc.nat(cap), fc.integer({ min: 1, max: cap }), fc.nat(cap), (balance, price, reserved) => {
      const r = autoRechargeAmount(balance, price, cap, reserved);
      if (!r.ok) return balance + reserved + Math.max(rechargeUnit, price - balance) > cap;
      const topUp = r.value;
      if (balance >= price) return topUp === 0;
      return (
        balance + topUp >= price &&
        topUp === Math.max(rechargeUnit, price - balance) &&
        balance + reserved + topUp <= cap
      );
    }),
  );
});

test("points earned: 1% of 100,000 paid with money is 1,000; points paid earn nothing; fractions round down", () => {
  assert.equal(pointsEarned(100_000, 100), 1_000);
  assert.equal(pointsEarned(0, 100), 0);
  assert.equal(pointsEarned(99, 100), 0);
  assert.equal(pointsEarned(12_345, 250), 308);
  assert.throws(() => pointsEarned(1_000, 10_001), RangeError);
  assert.throws(() => pointsEarned(-1, 100));
});

test("cancel: money and used points go back, earned points are taken back", () => {
  const paid = { paidWithMoney: 99_900, paidWithPoints: 100, pointsEarned: 999 };
  assert.deepEqual(cancelRefund(paid, 5_000), {
    money: 99_900,
    points: 100,
    pointsTakenBack: 999,
    takenFromMoney: 0,
  });
});

test("cancel after the earned points were spent: points stop at zero, the rest comes out of the money refund", () => {
  // Earned 1,000, spent 700 of them: 300 left, plus the 0 used points back.
  const paid = { paidWithMoney: 100_000, paidWithPoints: 0, pointsEarned: 1_000 };
  assert.deepEqual(cancelRefund(paid, 300), {
    money: 99_300,
    points: 0,
    pointsTakenBack: 300,
    takenFromMoney: 700,
  });
  // Used points given back count before the earned ones are taken.
  const mixed = { paidWithMoney: 50_000, paidWithPoints: 200, pointsEarned: 500 };
  assert.deepEqual(cancelRefund(mixed, 100), {
    money: 49_800,
    points: 200,
    pointsTakenBack: 300,
    takenFromMoney: 200,
  });
});

test("property: a cancel returns exactly what was paid, less the earned points the member no longer has", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2_000_000 }),
      fc.integer({ min: 0, max: 2_000_000 }),
      fc.integer({ min: 0, max: 10_000 }),
      fc.nat(3_000_000),
      (paidWithMoney, paidWithPoints, bps, pointsNow) => {
        const earned = pointsEarned(paidWithMoney, bps);
        const r = cancelRefund({ paidWithMoney, paidWithPoints, pointsEarned: earned }, pointsNow);
        const pointsAfter = pointsNow + r.points - r.pointsTakenBack;
        return (
          r.money + r.takenFromMoney === paidWithMoney &&
          r.pointsTakenBack + r.takenFromMoney === earned &&
          r.points === paidWithPoints &&
          pointsAfter >= 0 &&
          // only points the member does not have come out of the money
          (r.takenFromMoney === 0 || pointsAfter === 0) &&
          r.money >= 0
        );
      },
    ),
  );
});
