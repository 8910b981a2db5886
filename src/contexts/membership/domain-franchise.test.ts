import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Id } from "../../kernel/ids.js";
import {
  businessNumberCheckDigit,
  businessNumberDigits,
  businessNumberPattern,
  businessNumberValid,
  changeCommission,
  type Franchise,
  formatBusinessNumber,
} from "./domain-franchise.js";

const nineDigits = fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 9, maxLength: 9 });
const validNumber = nineDigits.map((d) => `${d}${businessNumberCheckDigit(d)}`);

test("real business registration numbers pass the check; a changed digit fails it", () => {
  assert.equal(businessNumberValid(businessNumberDigits("124-81-00998")), true, "Samsung Electronics");
  assert.equal(businessNumberValid("1234567891"), true);
  assert.equal(businessNumberValid("1234567890"), false);
  assert.equal(businessNumberValid("123456789"), false, "nine digits");
  assert.equal(businessNumberValid("12345678a1"), false);
});

test("property: of the ten possible last digits, exactly the check digit makes a number valid", () => {
  fc.assert(
    fc.property(nineDigits, (first) => {
      const valid = [..."0123456789"].filter((d) => businessNumberValid(first + d));
      assert.deepEqual(valid, [String(businessNumberCheckDigit(first))]);
    }),
  );
});

test("property: a typo in any one digit of a valid number is caught", () => {
  fc.assert(
    fc.property(validNumber, fc.nat(9), fc.integer({ min: 1, max: 9 }), (number, at, shift) => {
      const typo = (Number(number[at]) + shift) % 10;
      const changed = number.slice(0, at) + typo + number.slice(at + 1);
      assert.equal(businessNumberValid(changed), false, `${number} → ${changed}`);
    }),
  );
});

test("property: a number is shown as 123-45-67891, which the request schema accepts and reads back", () => {
  const pattern = new RegExp(businessNumberPattern);
  fc.assert(
    fc.property(validNumber, (number) => {
      const shown = formatBusinessNumber(number);
      assert.match(shown, /^[0-9]{3}-[0-9]{2}-[0-9]{5}$/);
      assert.ok(pattern.test(shown) && pattern.test(number));
      assert.equal(businessNumberDigits(shown), number);
    }),
  );
});

test("a commission change records the rate it replaced; setting the rate in force records nothing", () => {
  const franchise = { id: "fra_1" as Id<"franchise">, commissionBps: 200 } as Franchise;
  const staff = "mem_staff" as Id<"membership">;
  const now = new Date("2025-03-01T00:00:00Z");
  const changed = changeCommission(franchise, 150, staff, now);
  assert.equal(changed?.franchise.commissionBps, 150);
  assert.deepEqual(changed?.change, {
    franchiseId: "fra_1",
    commissionBps: 150,
    previousBps: 200,
    changedBy: staff,
    changedAt: now,
  });
  assert.equal(changeCommission(franchise, 200, staff, now), undefined);
  assert.throws(() => changeCommission(franchise, 10_001, staff, now), /not a commission rate/);
  assert.throws(() => changeCommission(franchise, 1.5, staff, now), /not a commission rate/);
});
