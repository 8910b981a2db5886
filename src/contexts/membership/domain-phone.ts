import { fail, ok, type Result } from "../../kernel/errors.js";

/**
 * A member's mobile number: optional, so that others can find them to send money by it (the way
 * Korean wallets send to a contact). Kept as its digits in the domestic form, "01012345678", however
 * it was typed: "010-1234-5678", "010 1234 5678", "+82 10-1234-5678" and "+82 (0)10.1234.5678" are
 * one number.
 */

/** What the edge lets through before the number is read: digits, "+", and the usual separators. */
export const phoneInput = { minLength: 9, maxLength: 30, pattern: "^[0-9+ ().-]+$" } as const;

/** Korean mobile numbers: 010 and eight digits, or the older 011, 016–019 with seven or eight. */
const mobile = /^(010\d{8}|01[16-9]\d{7,8})$/;

/** The number's key (its digits, domestic form), or undefined when it is not a Korean mobile number. */
export function phoneKey(raw: string): string | undefined {
  let digits = raw.trim().replace(/[\s().-]/g, "");
  if (digits.startsWith("+82")) digits = `0${digits.slice(3).replace(/^0/, "")}`;
  return mobile.test(digits) ? digits : undefined;
}

/** The key of a number as typed, or the failure that says it is not a mobile number. */
export function parsePhone(raw: string): Result<string> {
  const key = phoneKey(raw);
  return key ? ok(key) : fail("VALIDATION_FAILED", "phone: not a Korean mobile number (010-1234-5678)");
}
