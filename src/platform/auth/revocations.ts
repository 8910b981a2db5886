import { type Clock, systemClock } from "../../kernel/clock.js";
import { clockToleranceSeconds, type Principal } from "./tokens.js";

/**
 * What this process knows was revoked before its access tokens expire: withdrawn members and
 * revoked refresh chains. Held in memory so the guard decides without the database; whoever owns
 * the sessions (membership) fills it at start and keeps it current from its events.
 */
export interface Revocations {
  /** Whether a verified token must be refused: its member withdrew, or its chain was revoked. */
  refuses(principal: Principal): boolean;
  /** Every token of the member, issued at or before `at`, is refused from now on. */
  revokeMember(membershipId: string, at: Date): void;
  /** Every access token of these refresh chains is refused from now on. */
  revokeChains(chainIds: readonly string[], at: Date): void;
  /** Revocations before this time refuse nothing any more (every token they could refuse expired). */
  horizon(): Date;
}

export interface RevocationOptions {
  /** The access tokens' lifetime: a revocation older than it (and the skew allowed) refuses nothing more. */
  readonly accessTokenTtlSeconds: number;
  readonly clock?: Clock;
}

// Beyond the token lifetime and clock tolerance: a login racing a withdrawal may sign a token a
// moment after it (sessions refuse the member from then on, so nothing later is signed).
const marginSeconds = 60;

/** Entries by time of revocation, oldest first (Map keeps insertion order), pruned from the front. */
function expiringSet(keepMs: number, clock: Clock) {
  const entries = new Map<string, number>();
  function prune() {
    const cutoff = clock.now().getTime() - keepMs;
    for (const [key, at] of entries) {
      if (at > cutoff) break;
      entries.delete(key);
    }
  }
  return {
    add(key: string, at: Date) {
      if (at.getTime() <= clock.now().getTime() - keepMs) return;
      // Re-inserted, so that the order stays by latest revocation.
      entries.delete(key);
      entries.set(key, at.getTime());
      prune();
    },
    has(key: string) {
      const at = entries.get(key);
      return at !== undefined && at > clock.now().getTime() - keepMs;
    },
  };
}

export function createRevocations(options: RevocationOptions): Revocations {
  const clock = options.clock ?? systemClock;
  const keepMs = (options.accessTokenTtlSeconds + clockToleranceSeconds + marginSeconds) * 1000;
  const members = expiringSet(keepMs, clock);
  const chains = expiringSet(keepMs, clock);
  return {
    refuses(principal) {
      return members.has(principal.membershipId) || (!!principal.chainId && chains.has(principal.chainId));
    },
    revokeMember(membershipId, at) {
      members.add(membershipId, at);
    },
    revokeChains(chainIds, at) {
      for (const id of chainIds) chains.add(id, at);
    },
    horizon() {
      return new Date(clock.now().getTime() - keepMs);
    },
  };
}
