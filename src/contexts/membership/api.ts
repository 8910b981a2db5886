import { parseId } from "../../kernel/ids.js";
import type { Db } from "../../platform/db/db.js";
import { type MemberView, toMemberView } from "./domain.js";
import { type FranchiseView, type SettlementAccount, toFranchiseView } from "./domain-franchise.js";
import { findFranchise } from "./franchise-store.js";
import { findMember } from "./store.js";

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

/** The in-process implementation, reading membership's own tables. */
export function createMembershipApi(db: Db): MembershipApi {
  return {
    async getMember(membershipId) {
      const id = parseId("membership", membershipId);
      const member = id && (await findMember(db, id));
      return member ? toMemberView(member) : undefined;
    },
    async getFranchise(franchiseId) {
      const id = parseId("franchise", franchiseId);
      const franchise = id && (await findFranchise(db, id));
      return franchise
        ? { ...toFranchiseView(franchise, true), settlementAccount: franchise.settlementAccount }
        : undefined;
    },
  };
}
