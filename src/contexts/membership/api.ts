import { type Id, parseId } from "../../kernel/ids.js";
import { coalesceCalls } from "../../platform/coalesce.js";
import type { Db } from "../../platform/db/db.js";
import type { Member } from "./domain.js";
import { type MemberView, toMemberView } from "./domain.js";
import type { Franchise } from "./domain-franchise.js";
import { type FranchiseView, type SettlementAccount, toFranchiseView } from "./domain-franchise.js";
import { findFranchises } from "./franchise-store.js";
import { findMembers } from "./store.js";

/** What other contexts may use of membership: its events, its types and the functions below. */

export { type AuthKeys, loadAuthKeys } from "./auth-keys.js";
export type { MemberStatus, MemberType, MemberView } from "./domain.js";
export type { FranchiseStatus, FranchiseView, SettlementAccount } from "./domain-franchise.js";
export { ensureAdmin } from "./ensure-admin.js";
export * from "./events.js";

/** A franchise with what paying and settling it need: owner, status, rate in force, settlement account. */
export type FranchiseDetails = FranchiseView & { readonly settlementAccount: SettlementAccount };

/** The calls other contexts make; in the distributed deployment an HTTP client implements it. */
export interface MembershipApi {
  /** The member, withdrawn ones included; undefined when no member has that id. */
  getMember(membershipId: string): Promise<MemberView | undefined>;
  /** The franchise as it is now (its commission rate in force); undefined when there is none. */
  getFranchise(franchiseId: string): Promise<FranchiseDetails | undefined>;
}

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
