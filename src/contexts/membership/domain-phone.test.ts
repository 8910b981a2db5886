import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { phoneInput, phoneKey } from "./domain-phone.js";

test("a mobile number is its digits in the domestic form, however it is written", () => {
  for (const typed of ["010-1234-5678", "01012345678", "010 1234 5678", "010.1234.5678", "(010) 1234-5678"])
    assert.equal(phoneKey(typed), "01012345678", typed);
  assert.equal(phoneKey("+82 10-1234-5678"), "01012345678");
  assert.equal(phoneKey("+82 (0)10 1234 5678"), "01012345678");
  assert.equal(phoneKey("+821012345678"), "01012345678");
  assert.equal(phoneKey("011-123-4567"), "0111234567", "the older numbers have seven or eight digits");
  assert.equal(phoneKey("019-1234-5678"), "01912345678");
});

test("what is not a Korean mobile number has no key", () => {
  for (const typed of [
    "02-123-4567", // a Seoul landline
    "010-123-4567", // 010 has eight digits
    "010-1234-56789",
    "012-1234-5678",
    "1012345678",
    "+1 010 1234 5678",
    "010-1234-567a",
    "",
  ])
    assert.equal(phoneKey(typed), undefined, typed);
});

const separator = fc.constantFrom("", "", "-", " ", ".");
/** A valid number's digits, and the same number typed with separators and perhaps +82. */
const typedNumber = fc
  .tuple(
    fc.constantFrom("010", "011", "016", "017", "018", "019"),
    fc.integer({ min: 7, max: 8 }),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 8, maxLength: 8 }),
    fc.array(separator, { minLength: 12, maxLength: 12 }),
    fc.boolean(),
  )
  .map(([prefix, length, digits, seps, international]) => {
    const rest = digits.slice(0, prefix === "010" ? 8 : length).join("");
    const key = prefix + rest;
    const national = international ? key.slice(1) : key;
    const spaced = Array.from(national, (c, i) => c + (i < national.length - 1 ? (seps[i] ?? "") : "")).join(
      "",
    );
    return { key, typed: international ? `+82 ${spaced}` : spaced };
  });

test("property: any valid number, typed with any separators or +82, has its digits as key, within the edge's limits", () => {
  fc.assert(
    fc.property(typedNumber, ({ key, typed }) => {
      assert.equal(phoneKey(typed), key);
      assert.ok(new RegExp(phoneInput.pattern).test(typed) && typed.length <= phoneInput.maxLength);
    }),
  );
});

test("property: a key is always a key of itself, and nothing else is ever a key", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }), (typed) => {
      const key = phoneKey(typed);
      if (key !== undefined) {
        assert.match(key, /^01[016-9]\d{7,8}$/);
        assert.equal(phoneKey(key), key);
      }
    }),
  );
});
