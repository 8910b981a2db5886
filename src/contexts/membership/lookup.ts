import { fail, ok, type Result } from "../../kernel/errors.js";
import type { Principal } from "../../platform/auth/tokens.js";
import type { Queryable } from "../../platform/db/db.js";
import { lockKey, lookups, recentAttempts, recordAttempt } from "./attempt-window.js";
import { waitSeconds } from "./domain.js";
import { lookupLimit, type MemberLookup, maskName } from "./domain-lookup.js";
import { parsePhone } from "./domain-phone.js";
import type { MembershipDeps } from "./service.js";
import { findActiveMemberByPhone, findMemberByEmail } from "./store.js";

/** Whom to look up: by email, or by mobile number (as typed). */
export type LookupBy = { readonly email?: string | undefined; readonly phone?: string | undefined };

/**
 * Whom an email or a mobile number belongs to, masked: any signed-in member may ask, a limited number
 * of times per window (emails and numbers alike). The lookup is counted before the answer is known,
 * so unknown ones count too.
 */
export async function lookupMember(
  deps: Pick<MembershipDeps, "db" | "clock">,
  principal: Principal,
  by: LookupBy,
): Promise<Result<MemberLookup>> {
  // The schema lets exactly one of the two through; a missing number is refused like a malformed one.
  const phone = by.email === undefined ? parsePhone(by.phone ?? "") : undefined;
  if (phone && !phone.ok) return phone;
  const find = (tx: Queryable) =>
    phone ? findActiveMemberByPhone(tx, phone.value) : findMemberByEmail(tx, by.email as string);
  const now = deps.clock.now();
  const since = new Date(now.getTime() - lookupLimit.windowSeconds * 1000);
  const caller = principal.membershipId;
  const outcome = await deps.db.tx(async (tx) => {
    await lockKey(tx, lookups, caller);
    const recent = await recentAttempts(tx, lookups, caller, since, lookupLimit.max);
    const wait = waitSeconds(recent, now, lookupLimit);
    if (wait !== undefined) return { wait };
    await recordAttempt(tx, lookups, caller, now, since);
    return { member: await find(tx) };
  });
  if (outcome.wait !== undefined) {
    const detail = `too many lookups; try again in ${outcome.wait} seconds`;
    return fail("RATE_LIMITED", detail, { retryAfterSeconds: outcome.wait });
  }
  const { member } = outcome;
  // A withdrawn member cannot be paid: answered as an unknown email or number.
  if (member?.status !== "ACTIVE")
    return fail("NOT_FOUND", `no member has this ${phone ? "number" : "email"}`);
  return ok({ membershipId: member.id, maskedName: maskName(member.name) });
}
