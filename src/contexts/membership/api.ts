import { parseId } from "../../kernel/ids.js";
import type { Db } from "../../platform/db/db.js";
import { type MemberView, toMemberView } from "./domain.js";
import { findMember } from "./store.js";

/** What other contexts may use of membership: its events, its types and the functions below. */

export { type AuthKeys, loadAuthKeys } from "./auth-keys.js";
export type { MemberStatus, MemberType, MemberView } from "./domain.js";
export { ensureAdmin } from "./ensure-admin.js";
export * from "./events.js";

/** The calls other contexts make; in the distributed deployment an HTTP client implements it. */
export interface MembershipApi {
  /** The member, withdrawn ones included; undefined when no member has that id. */
  getMember(membershipId: string): Promise<MemberView | undefined>;
}

/** The in-process implementation, reading membership's own tables. */
export function createMembershipApi(db: Db): MembershipApi {
  return {
    async getMember(membershipId) {
      const id = parseId("membership", membershipId);
      const member = id && (await findMember(db, id));
      return member ? toMemberView(member) : undefined;
    },
  };
}
