import type { Id } from "../../kernel/ids.js";
import type { WindowLimit } from "./domain.js";

/** Looking a member up by email, so a sender can confirm whom they pay (API.md "Membership and auth"). */

/** What a lookup tells: enough to recognise the payee, not enough to learn their name. */
export interface MemberLookup {
  readonly membershipId: Id<"membership">;
  readonly maskedName: string;
}

/**
 * Lookups per caller: each answer confirms that an email is a member's, so a caller trying many emails
 * is slowed down. Every lookup counts, found or not; counted in the database, across replicas.
 */
export const lookupLimit: WindowLimit = { max: 10, windowSeconds: 60 };

/** One word: its first and last code point, the rest masked; short words reveal less. */
function maskWord(word: string): string {
  // Code points, not UTF-16 units, so that a surrogate pair is kept or masked whole.
  const chars = Array.from(word);
  if (chars.length <= 1) return "*".repeat(chars.length);
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${"*".repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/**
 * A name as a lookup shows it: each word keeps its first and last character ("김민지" → "김*지",
 * "Kim Minji" → "K*m M***i"); whitespace is kept, and the result has as many code points as the name.
 */
export function maskName(name: string): string {
  return name
    .split(/(\s+)/u)
    .map((part) => (/^\s*$/u.test(part) ? part : maskWord(part)))
    .join("");
}
