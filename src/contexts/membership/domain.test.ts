import assert from "node:assert/strict";
import { test } from "node:test";
import { lockedForSeconds, roleOf } from "./domain.js";

test("the role follows the member type", () => {
  assert.equal(roleOf("personal"), "customer");
  assert.equal(roleOf("merchant"), "merchant");
  assert.equal(roleOf("staff"), "staff");
});

test("an email is locked once 5 failures fall within 15 minutes, until the 5th newest leaves the window", () => {
  const now = new Date("2025-01-01T12:00:00Z");
  const ago = (s: number) => new Date(now.getTime() - s * 1000);
  assert.equal(lockedForSeconds([ago(1), ago(2), ago(3), ago(4)], now), undefined);
  assert.equal(lockedForSeconds([ago(1), ago(2), ago(3), ago(4), ago(100)], now), 800);
  assert.equal(lockedForSeconds([ago(1), ago(2), ago(3), ago(4), ago(900)], now), undefined);
  assert.equal(lockedForSeconds([ago(1), ago(2), ago(3), ago(4), ago(899.5)], now), 1);
});
