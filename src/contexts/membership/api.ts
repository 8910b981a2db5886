import { type Static, Type } from "@sinclair/typebox";
import { type Id, parseId } from "../../kernel/ids.js";
import { roles } from "../../kernel/roles.js";
import { coalesceCalls } from "../../platform/coalesce.js";
import { defineContract, type Implementation, maybe, shaped } from "../../platform/contract.js";
import type { Db } from "../../platform/db/db.js";
import type { Member } from "./domain.js";
import { type MemberView, memberStatuses, memberTypes, toMemberView } from "./domain.js";
import type { Franchise } from "./domain-franchise.js";
import {
  type FranchiseView,
  franchiseStatuses,
  type SettlementAccount,
  toFranchiseView,
} from "./domain-franchise.js";
import {
  type AccessRevoked,
  type CommissionChanged,
  type FranchiseRegistered,
  type MemberModified,
  type MemberRegistered,
  type MemberWithdrawn,
  membershipEventTypes,
} from "./events.js";
import { findFranchises } from "./franchise-store.js";
import { chainsRevokedSince } from "./session-store.js";
import { findMembers, withdrawnSince } from "./store.js";

/** What other contexts may use of membership: its events, its types and the functions below. */

export { type AuthKeys, loadAuthKeys } from "./auth-keys.js";
export type { MemberStatus, MemberType, MemberView } from "./domain.js";
export type { FranchiseStatus, FranchiseView, SettlementAccount } from "./domain-franchise.js";
export { ensureAdmin } from "./ensure-admin.js";
export * from "./events.js";
export { followRevocations, loadRevocations, subscribeRevocations } from "./revocation-feed.js";

/** A franchise with what paying and settling it need: owner, status, rate in force, settlement account. */
export type FranchiseDetails = FranchiseView & { readonly settlementAccount: SettlementAccount };

const iso = Type.String({ format: "date-time" });
const account = Type.Object({
  bankCode: Type.String(),
  accountNumber: Type.String(),
  holderName: Type.String(),
});

const memberView = shaped<MemberView>(
  Type.Object({
    membershipId: Type.String(),
    name: Type.String(),
    email: Type.String(),
    // Optional: a membership service from before the phone answers without it during a rollout.
    phone: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    region: Type.String(),
    type: Type.Union(memberTypes.map((t) => Type.Literal(t))),
    role: Type.Union(roles.map((r) => Type.Literal(r))),
    status: Type.Union(memberStatuses.map((s) => Type.Literal(s))),
    createdAt: iso,
  }),
);

const franchiseDetails = shaped<FranchiseDetails>(
  Type.Object({
    franchiseId: Type.String(),
    ownerId: Type.String(),
    name: Type.String(),
    businessNumber: Type.String(),
    region: Type.String(),
    commissionBps: Type.Integer({ minimum: 0, maximum: 10_000 }),
    settlementAccount: account,
    status: Type.Union(franchiseStatuses.map((s) => Type.Literal(s))),
    createdAt: iso,
  }),
);

const revoked = Type.Object({
  members: Type.Array(Type.Object({ membershipId: Type.String(), withdrawnAt: iso })),
  chains: Type.Array(Type.Object({ chainId: Type.String(), revokedAt: iso })),
});
/** The members who left and the refresh chains revoked after a moment (for a new process's view). */
export type Revoked = Static<typeof revoked>;

const memberType = Type.Union(memberTypes.map((t) => Type.Literal(t)));

/** What other contexts may ask of membership, and the events it publishes (payloads v1). */
export const membershipContract = defineContract({
  context: "membership",
  operations: {
    /** The member, withdrawn ones included; undefined when no member has that id. */
    getMember: { args: [Type.String()], returns: maybe(memberView), errors: [], retry: true },
    /** The franchise as it is now (its commission rate in force); undefined when there is none. */
    getFranchise: { args: [Type.String()], returns: maybe(franchiseDetails), errors: [], retry: true },
    /** Withdrawals and revoked chains after `since` (ISO time): what a starting process must refuse. */
    revokedSince: { args: [iso], returns: revoked, errors: [], retry: true },
  },
  events: {
    [membershipEventTypes.registered]: shaped<MemberRegistered>(
      Type.Object({
        membershipId: Type.String(),
        name: Type.String(),
        email: Type.String(),
        region: Type.String(),
        type: memberType,
        registeredAt: iso,
      }),
    ),
    [membershipEventTypes.modified]: shaped<MemberModified>(
      Type.Object({
        membershipId: Type.String(),
        name: Type.String(),
        region: Type.String(),
        passwordChanged: Type.Boolean(),
        modifiedAt: iso,
      }),
    ),
    [membershipEventTypes.withdrawn]: shaped<MemberWithdrawn>(
      Type.Object({ membershipId: Type.String(), withdrawnAt: iso }),
    ),
    [membershipEventTypes.accessRevoked]: shaped<AccessRevoked>(
      Type.Object({ membershipId: Type.String(), chainIds: Type.Array(Type.String()), revokedAt: iso }),
    ),
    [membershipEventTypes.franchiseRegistered]: shaped<FranchiseRegistered>(
      Type.Object({
        franchiseId: Type.String(),
        ownerId: Type.String(),
        name: Type.String(),
        region: Type.String(),
        commissionBps: Type.Integer(),
        registeredAt: iso,
      }),
    ),
    [membershipEventTypes.commissionChanged]: shaped<CommissionChanged>(
      Type.Object({
        franchiseId: Type.String(),
        commissionBps: Type.Integer(),
        previousBps: Type.Integer(),
        changedBy: Type.String(),
        changedAt: iso,
      }),
    ),
  },
});

/** The calls other contexts make; in the distributed deployment the HTTP client implements it. */
export type MembershipApi = Implementation<typeof membershipContract>;

// Bounds one statement's array; the rest wait for the next.
const maxIdsPerStatement = 500;

/**
 * Lookups by id that arrive together share one statement (platform/coalesce.ts): a burst of
 * remittances or payments reads its members or franchises once, not once per request. Each answer
 * comes from a statement begun after its request: never cached.
 */
function batchedLookup<K extends string, V extends { readonly id: string }>(
  find: (ids: readonly K[]) => Promise<V[]>,
): (id: K) => Promise<V | undefined> {
  return coalesceCalls(async (ids: K[]) => {
    const found = new Map((await find([...new Set(ids)])).map((v) => [v.id, v]));
    return ids.map((id) => found.get(id));
  }, maxIdsPerStatement);
}

/** The in-process implementation, reading membership's own tables. */
export function createMembershipApi(db: Db): MembershipApi {
  const member = batchedLookup<Id<"membership">, Member>((ids) => findMembers(db, ids));
  const franchise = batchedLookup<Id<"franchise">, Franchise>((ids) => findFranchises(db, ids));
  return {
    async revokedSince(since) {
      const at = new Date(since);
      const [members, chains] = await Promise.all([withdrawnSince(db, at), chainsRevokedSince(db, at)]);
      return {
        members: members.map((m) => ({
          membershipId: m.membershipId,
          withdrawnAt: m.withdrawnAt.toISOString(),
        })),
        chains: chains.map((c) => ({ chainId: c.chainId, revokedAt: c.revokedAt.toISOString() })),
      };
    },
    async getMember(membershipId) {
      const id = parseId("membership", membershipId);
      const found = id && (await member(id));
      return found ? toMemberView(found) : undefined;
    },
    async getFranchise(franchiseId) {
      const id = parseId("franchise", franchiseId);
      const found = id && (await franchise(id));
      return found
        ? { ...toFranchiseView(found, true), settlementAccount: found.settlementAccount }
        : undefined;
    },
  };
}
