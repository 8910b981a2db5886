// Mobile numbers in the pages: how they are shown, and a first look at what was typed before it is
// sent (the server reads the number and decides; src/contexts/membership/domain-phone.ts).

/** A number's digits as people write them: 01012345678 → 010-1234-5678 (0111234567 → 011-123-4567). */
export const phoneText = (digits: string): string =>
  digits.length === 11
    ? `${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`
    : `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;

/** Whether what was typed could be a Korean mobile number: 010-1234-5678, 010 1234 5678, +82 10-…. */
export const looksLikePhone = (typed: string): boolean =>
  /^(\+82)?0?1\d{8,9}$/.test(typed.trim().replace(/[\s().-]/g, ""));
