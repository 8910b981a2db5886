import { fail, ok, type Result } from "../../kernel/errors.js";
import type { Principal } from "../../platform/auth/tokens.js";
import { lockKey, lookups, recentAttempts, recordAttempt } from "./attempt-window.js";
import { waitSeconds } from "./domain.js";
import { lookupLimit, type MemberLookup, maskName } from "./domain-lookup.js";
import type { MembershipDeps } from "./service.js";
import { findMemberByEmail } from "./store.js";

/**
 * Whom an email belongs to, masked: any signed-in member may ask, a limited number of times per
 * window. The lookup is counted before the answer is known, so unknown emails count too.
 */
export async function lookupMember(
  deps: Pick<MembershipDeps, "db" | "clock">,
  principal: Principal,
  email: string,
): Promise<Result<MemberLookup>> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - lookupLimit.windowSeconds * 1000);
  const caller = principal.membershipId;
  const outcome = await deps.db.tx(async (tx) => {
    await lockKey(tx, lookups, caller);
    const recent = await recentAttempts(tx, lookups, caller, since, lookupLimit.max);
    const wait = waitSeconds(recent, now, lookupLimit);
    if (wait !== undefined) return { wait };
    await recordAttempt(tx, lookups, caller, now, since);
    return { member: await findMemberByEmail(tx, email) };
  });
  if (outcome.wait !== undefined) {
    const detail = `too many lookups; try again in ${outcome.wait} seconds`;
    return fail("RATE_LIMITED", detail, { retryAfterSeconds: outcome.wait });
  }
  const { member } = outcome;
  // A withdrawn member cannot be paid: answered as an unknown email.
  if (member?.status !== "ACTIVE") return fail("NOT_FOUND", "no member has this email");
  return ok({ membershipId: member.id, maskedName: maskName(member.name) });
}
