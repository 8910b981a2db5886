import type { Clock } from "../../kernel/clock.js";
import type { Principal } from "./tokens.js";

/**
 * Access tokens whose signature and claims were verified, each kept until it expires, so that a
 * signed-in member's next requests skip the Ed25519 check. The key is the whole token string: a
 * token altered in any byte is another key and is verified afresh. Only what the signature proves
 * is kept; whether the member or the chain was revoked since is the guard's question on every request.
 */
export interface VerifiedTokens {
  /** The principal of a token verified before and not yet expired. */
  get(token: string): Principal | undefined;
  /** Remembers a verified token until `validUntilMs` (its `exp` plus the clock tolerance). */
  set(token: string, principal: Principal, validUntilMs: number): void;
  readonly size: number;
}

interface Entry {
  readonly principal: Principal;
  readonly validUntilMs: number;
}

/** Bounded: past `capacity` the least recently used token is forgotten (and verified again if it returns). */
export function verifiedTokens(capacity: number, clock: Clock): VerifiedTokens {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, Entry>();
  return {
    get(token) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      entries.delete(token);
      if (clock.now().getTime() >= entry.validUntilMs) return undefined;
      entries.set(token, entry);
      return entry.principal;
    },
    set(token, principal, validUntilMs) {
      if (capacity <= 0) return;
      entries.delete(token);
      entries.set(token, { principal, validUntilMs });
      if (entries.size > capacity) entries.delete(entries.keys().next().value as string);
    },
    get size() {
      return entries.size;
    },
  };
}
