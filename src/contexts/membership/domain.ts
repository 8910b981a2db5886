import type { Id } from "../../kernel/ids.js";
import type { Role } from "../../kernel/roles.js";

/** personal and merchant members register themselves; staff members come from configuration. */
export const memberTypes = ["personal", "merchant", "staff"] as const;
export type MemberType = (typeof memberTypes)[number];
export const registrableTypes = ["personal", "merchant"] as const;

export const memberStatuses = ["ACTIVE", "WITHDRAWN"] as const;
export type MemberStatus = (typeof memberStatuses)[number];

export interface Member {
  readonly id: Id<"membership">;
  readonly name: string;
  readonly email: string;
  /** The mobile number's key (domain-phone.ts), or null when the member gave none. */
  readonly phone: string | null;
  readonly region: string;
  readonly type: MemberType;
  readonly status: MemberStatus;
  readonly createdAt: Date;
}

const roleByType: Record<MemberType, Role> = { personal: "customer", merchant: "merchant", staff: "staff" };

export function roleOf(type: MemberType): Role {
  return roleByType[type];
}

/** Text people see (names, regions): no control characters or lone surrogates, and not blank. */
export const visibleText = {
  minLength: 1,
  maxLength: 100,
  pattern: "^[^\\p{Cc}\\p{Cs}]*[^\\p{Cc}\\p{Cs}\\s][^\\p{Cc}\\p{Cs}]*$",
} as const;

/** Lone surrogates cannot be encoded as UTF-8, so two different passwords would hash alike. */
export const passwordRule = { minLength: 8, maxLength: 128, pattern: "^[^\\p{Cs}]*$" } as const;

export const emailMaxLength = 254;

/** Emails are unique and matched whatever their case. */
export function emailKey(email: string): string {
  return email.toLowerCase();
}

/** Repeated failed logins for one email lock it for a while (counted per email, across replicas). */
export const loginLockout = { maxFailures: 5, windowSeconds: 15 * 60 } as const;

/** At most `max` counted attempts within any `windowSeconds`. */
export interface WindowLimit {
  readonly max: number;
  readonly windowSeconds: number;
}

/**
 * Seconds until another attempt may be made, given the recent counted ones (newest first), or
 * undefined when one may be made now.
 */
export function waitSeconds(attempts: readonly Date[], now: Date, limit: WindowLimit): number | undefined {
  const { max, windowSeconds } = limit;
  const inWindow = attempts.filter((at) => now.getTime() - at.getTime() < windowSeconds * 1000);
  if (inWindow.length < max) return undefined;
  // Once the attempt that makes the count reach the limit leaves the window, one is allowed again.
  const pivot = inWindow[max - 1] as Date;
  return Math.max(1, Math.ceil((pivot.getTime() + windowSeconds * 1000 - now.getTime()) / 1000));
}

/**
 * Seconds until another login for the email may be tried, given its recent failures (newest first),
 * or undefined when it may be tried now.
 */
export function lockedForSeconds(failures: readonly Date[], now: Date): number | undefined {
  return waitSeconds(failures, now, {
    max: loginLockout.maxFailures,
    windowSeconds: loginLockout.windowSeconds,
  });
}

/** A member as others see it: HTTP answers and other contexts (no credentials). */
export interface MemberView {
  readonly membershipId: Id<"membership">;
  readonly name: string;
  readonly email: string;
  /** Absent only in an answer from a membership service older than the phone. */
  readonly phone?: string | null;
  readonly region: string;
  readonly type: MemberType;
  /** Derived from the type; lets a client tell staff from personal members. */
  readonly role: Role;
  readonly status: MemberStatus;
  readonly createdAt: string;
}

export function toMemberView(m: Member): MemberView {
  return {
    membershipId: m.id,
    name: m.name,
    email: m.email,
    phone: m.phone,
    region: m.region,
    type: m.type,
    role: roleOf(m.type),
    status: m.status,
    createdAt: m.createdAt.toISOString(),
  };
}
