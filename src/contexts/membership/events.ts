import type { Member, MemberType } from "./domain.js";
import type { CommissionChange, Franchise } from "./domain-franchise.js";

/** The events membership publishes (through its outbox); payloads are versioned. */

export const membershipEventTypes = {
  registered: "MemberRegistered",
  modified: "MemberModified",
  withdrawn: "MemberWithdrawn",
  accessRevoked: "AccessRevoked",
  franchiseRegistered: "FranchiseRegistered",
  commissionChanged: "CommissionChanged",
} as const;

/** v1. `type` is "staff" only for the staff members created from configuration. */
export interface MemberRegistered {
  readonly membershipId: string;
  readonly name: string;
  readonly email: string;
  readonly region: string;
  readonly type: MemberType;
  readonly registeredAt: string;
}

/** v1. The member's name and region after the change; a password is never published. */
export interface MemberModified {
  readonly membershipId: string;
  readonly name: string;
  readonly region: string;
  readonly passwordChanged: boolean;
  readonly modifiedAt: string;
}

/** v1. The member can no longer sign in; consumers end what it still holds (points expire). */
export interface MemberWithdrawn {
  readonly membershipId: string;
  readonly withdrawnAt: string;
}

/**
 * v1. The access tokens of these refresh chains are refused from now on, by every process (a spent
 * refresh token was used again, or the password changed). A withdrawal says MemberWithdrawn instead.
 */
export interface AccessRevoked {
  readonly membershipId: string;
  readonly chainIds: readonly string[];
  readonly revokedAt: string;
}

export function memberRegistered(m: Member): MemberRegistered {
  return {
    membershipId: m.id,
    name: m.name,
    email: m.email,
    region: m.region,
    type: m.type,
    registeredAt: m.createdAt.toISOString(),
  };
}

/** v1. A merchant registered a franchise; money opens what it will owe the franchise. */
export interface FranchiseRegistered {
  readonly franchiseId: string;
  readonly ownerId: string;
  readonly name: string;
  readonly region: string;
  readonly commissionBps: number;
  readonly registeredAt: string;
}

/** v1. Staff changed a franchise's commission; it applies to payments made from `changedAt` on. */
export interface CommissionChanged {
  readonly franchiseId: string;
  readonly commissionBps: number;
  readonly previousBps: number;
  readonly changedBy: string;
  readonly changedAt: string;
}

export function franchiseRegistered(f: Franchise): FranchiseRegistered {
  return {
    franchiseId: f.id,
    ownerId: f.ownerId,
    name: f.name,
    region: f.region,
    commissionBps: f.commissionBps,
    registeredAt: f.createdAt.toISOString(),
  };
}

export function commissionChanged(c: CommissionChange & { previousBps: number }): CommissionChanged {
  return {
    franchiseId: c.franchiseId,
    commissionBps: c.commissionBps,
    previousBps: c.previousBps,
    changedBy: c.changedBy,
    changedAt: c.changedAt.toISOString(),
  };
}
