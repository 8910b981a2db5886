import { fail, ok, type Result } from "../../kernel/errors.js";
import { type Id, newId, parseId } from "../../kernel/ids.js";
import { canAccess } from "../../platform/auth/guard.js";
import type { Principal } from "../../platform/auth/tokens.js";
import { type EventContext, recordEvents } from "../../platform/outbox.js";
import {
  businessNumberDigits,
  businessNumberValid,
  type CommissionChange,
  changeCommission,
  defaultCommissionBps,
  type Franchise,
  type FranchiseView,
  initialCommission,
  toFranchiseView,
} from "./domain-franchise.js";
import { commissionChanged, franchiseRegistered, membershipEventTypes } from "./events.js";
import {
  findFranchise,
  insertCommissionChange,
  insertFranchise,
  listCommissionChanges,
  listFranchises,
  updateCommission,
} from "./franchise-store.js";
import type { MembershipDeps } from "./service.js";
import { findMember } from "./store.js";

/** Registering franchises, reading them, and staff changing their commission (modifyCommission). */

export type FranchiseDeps = Pick<MembershipDeps, "db" | "clock" | "banking" | "kickRelay">;

export interface FranchiseRegistration {
  readonly name: string;
  readonly businessNumber: string;
  readonly region: string;
  readonly settlementAccount: { readonly bankCode: string; readonly accountNumber: string };
}

const notFound = <T>(rawId: string): Result<T> => fail("NOT_FOUND", `no franchise ${rawId}`);

/**
 * Registers a franchise of the calling merchant once the bank confirms that the settlement account
 * is the merchant's own (as a linked account is checked). The rate at registration is the first line
 * of its commission history. Nothing is stored when a check fails.
 */
export async function registerFranchise(
  deps: FranchiseDeps,
  principal: Principal,
  command: FranchiseRegistration,
  context: EventContext,
): Promise<Result<Franchise>> {
  const businessNumber = businessNumberDigits(command.businessNumber);
  if (!businessNumberValid(businessNumber)) {
    return fail("VALIDATION_FAILED", "businessNumber: the check digit does not match");
  }
  const owner = await findMember(deps.db, principal.membershipId as Id<"membership">);
  if (owner?.status !== "ACTIVE") return fail("NOT_FOUND", `no membership ${principal.membershipId}`);
  const verified = await deps.banking.verifyAccount(command.settlementAccount, owner.name);
  if (!verified.ok) return verified;
  const franchise: Franchise = {
    id: newId("franchise"),
    ownerId: owner.id,
    name: command.name,
    businessNumber,
    region: command.region,
    commissionBps: defaultCommissionBps,
    settlementAccount: verified.value,
    status: "ACTIVE",
    createdAt: deps.clock.now(),
  };
  await deps.db.tx(async (tx) => {
    await insertFranchise(tx, franchise);
    await insertCommissionChange(tx, initialCommission(franchise));
    const event = { type: membershipEventTypes.franchiseRegistered, data: franchiseRegistered(franchise) };
    await recordEvents(tx, "membership", [event], context);
  });
  deps.kickRelay();
  return ok(franchise);
}

/** Any signed-in caller may see a franchise; its settlement account only its owner and staff. */
export async function readFranchise(
  deps: FranchiseDeps,
  principal: Principal,
  rawId: string,
): Promise<Result<FranchiseView>> {
  const id = parseId("franchise", rawId);
  const franchise = id && (await findFranchise(deps.db, id));
  if (!franchise) return notFound(rawId);
  return ok(toFranchiseView(franchise, canAccess(principal, franchise.ownerId)));
}

export interface FranchisePage {
  readonly items: FranchiseView[];
  readonly nextCursor: string | null;
}

/** A merchant's own franchises; staff's every franchise, or one owner's. Newest first. */
export async function listVisibleFranchises(
  deps: FranchiseDeps,
  principal: Principal,
  query: { ownerId?: string | undefined; cursor?: string | undefined; limit: number },
): Promise<Result<FranchisePage>> {
  const staff = principal.role === "staff";
  if (!staff && query.ownerId !== undefined && query.ownerId !== principal.membershipId) {
    return fail("FORBIDDEN", "only staff may list another member's franchises");
  }
  const ownerId = staff ? query.ownerId : principal.membershipId;
  const rows = await listFranchises(deps.db, { ownerId, before: query.cursor, limit: query.limit + 1 });
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return ok({
    items: items.map((f) => toFranchiseView(f, true)),
    nextCursor: rows.length > query.limit && last ? last.id : null,
  });
}

/**
 * Staff set a franchise's commission. The rate, its history line and CommissionChanged commit
 * together, under the franchise's row lock, so concurrent changes each record the rate they replaced.
 * Setting the rate in force changes and records nothing (a retried PATCH).
 */
export async function modifyCommission(
  deps: FranchiseDeps,
  command: { principal: Principal; id: string; commissionBps: number },
  context: EventContext,
): Promise<Result<FranchiseView>> {
  const id = parseId("franchise", command.id);
  if (!id) return notFound(command.id);
  const changedBy = command.principal.membershipId as Id<"membership">;
  const now = deps.clock.now();
  const result = await deps.db.tx(async (tx) => {
    const franchise = await findFranchise(tx, id, true);
    if (!franchise) return undefined;
    const changed = changeCommission(franchise, command.commissionBps, changedBy, now);
    if (!changed) return { franchise, recorded: false };
    await updateCommission(tx, changed.franchise, now);
    await insertCommissionChange(tx, changed.change);
    const data = commissionChanged({ ...changed.change, previousBps: franchise.commissionBps });
    await recordEvents(tx, "membership", [{ type: membershipEventTypes.commissionChanged, data }], context);
    return { franchise: changed.franchise, recorded: true };
  });
  if (!result) return notFound(command.id);
  if (result.recorded) deps.kickRelay();
  return ok(toFranchiseView(result.franchise, true));
}

export interface CommissionHistoryItem {
  readonly commissionBps: number;
  readonly previousBps: number | null;
  readonly changedBy: string;
  readonly changedAt: string;
}

const historyItem = (c: CommissionChange): CommissionHistoryItem => ({
  commissionBps: c.commissionBps,
  previousBps: c.previousBps,
  changedBy: c.changedBy,
  changedAt: c.changedAt.toISOString(),
});

/** A franchise's commission history for staff, newest first; the registration's rate is the last line. */
export async function commissionHistory(
  deps: FranchiseDeps,
  rawId: string,
  page: { cursor?: string | undefined; limit: number },
): Promise<Result<{ items: CommissionHistoryItem[]; nextCursor: string | null }>> {
  const id = parseId("franchise", rawId);
  if (!id || !(await findFranchise(deps.db, id))) return notFound(rawId);
  const rows = await listCommissionChanges(deps.db, id, { before: page.cursor, limit: page.limit + 1 });
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return ok({
    items: items.map(historyItem),
    nextCursor: rows.length > page.limit && last ? last.seq : null,
  });
}
