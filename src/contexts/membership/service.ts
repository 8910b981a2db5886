import type { Clock } from "../../kernel/clock.js";
import { fail, ok, type Result } from "../../kernel/errors.js";
import { newId, parseId } from "../../kernel/ids.js";
import { canAccess } from "../../platform/auth/guard.js";
import { hashPassword } from "../../platform/auth/passwords.js";
import type { Revocations } from "../../platform/auth/revocations.js";
import type { Principal, TokenSigner, TokenVerifier } from "../../platform/auth/tokens.js";
import { type Db, isUniqueViolation, type Queryable } from "../../platform/db/db.js";
import { pageOf } from "../../platform/http/shapes.js";
import { type EventContext, recordEvents } from "../../platform/outbox.js";
import type { BankingApi } from "../banking/api.js";
import type { MoneyWallets } from "../money/api.js";
import { type Member, toMemberView } from "./domain.js";
import { parsePhone, phoneKey } from "./domain-phone.js";
import {
  type AccessRevoked,
  type MemberModified,
  type MemberWithdrawn,
  memberRegistered,
  membershipEventTypes,
} from "./events.js";
import { revokeMemberTokens } from "./session-store.js";
import {
  emailUniqueIndex,
  findMember,
  insertMember,
  type MemberChanges,
  markWithdrawn,
  phoneUniqueIndex,
  searchMembers,
  updateActiveMember,
} from "./store.js";

export interface MembershipDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly signer: TokenSigner;
  readonly verifier: TokenVerifier;
  readonly refreshTokenTtlSeconds: number;
  /** What this process knows was revoked; the guard and validate refuse those tokens. */
  readonly revocations: Revocations;
  /** The money context: a member leaves only once money has closed its wallet, empty. */
  readonly money: MoneyWallets;
  /** Banking confirms a franchise's settlement account, as it confirms a linked account. */
  readonly banking: Pick<BankingApi, "verifyAccount">;
  /** Tells the outbox relay that events were committed. */
  readonly kickRelay: () => void;
}

export interface Registration {
  readonly name: string;
  readonly email: string;
  readonly password: string;
  readonly region: string;
  readonly type: "personal" | "merchant";
  /** A mobile number as typed; optional. */
  readonly phone?: string | undefined;
}

/** EMAIL_TAKEN or PHONE_TAKEN for a unique violation on either; anything else is thrown again. */
function takenFailure(error: unknown): Result<never> {
  if (isUniqueViolation(error, emailUniqueIndex))
    return fail("EMAIL_TAKEN", "this email is already registered");
  if (isUniqueViolation(error, phoneUniqueIndex))
    return fail("PHONE_TAKEN", "this mobile number belongs to another member");
  throw error;
}

export async function registerMember(
  deps: MembershipDeps,
  command: Registration,
  context: EventContext,
): Promise<Result<Member>> {
  const { password, phone: rawPhone, ...profile } = command;
  const phone = rawPhone === undefined ? ok(null) : parsePhone(rawPhone);
  if (!phone.ok) return phone;
  const passwordHash = await hashPassword(password);
  const member: Member = {
    ...profile,
    phone: phone.value,
    id: newId("membership"),
    status: "ACTIVE",
    createdAt: deps.clock.now(),
  };
  try {
    await deps.db.tx(async (tx) => {
      await insertMember(tx, { ...member, passwordHash });
      await recordEvents(
        tx,
        "membership",
        [{ type: membershipEventTypes.registered, data: memberRegistered(member) }],
        context,
      );
    });
  } catch (error) {
    return takenFailure(error);
  }
  deps.kickRelay();
  return ok(member);
}

/** The member the caller may see; others' and unknown or malformed ids alike are NOT_FOUND. */
export async function getMember(
  deps: MembershipDeps,
  principal: Principal,
  rawId: string,
): Promise<Result<Member>> {
  const id = parseId("membership", rawId);
  const member = id && canAccess(principal, id) ? await findMember(deps.db, id) : undefined;
  return member ? ok(member) : fail("NOT_FOUND", `no membership ${rawId}`);
}

/** Staff's search of every member, withdrawn ones included, newest first (the route lets only staff in). */
export async function listMembers(
  deps: MembershipDeps,
  page: { query?: string | undefined; cursor?: string | undefined; limit: number },
) {
  const rows = await searchMembers(deps.db, {
    query: page.query,
    phone: page.query === undefined ? undefined : phoneKey(page.query),
    before: page.cursor,
    limit: page.limit + 1,
  });
  return pageOf(rows, page.limit, toMemberView);
}

export interface MemberUpdate {
  readonly name?: string | undefined;
  readonly region?: string | undefined;
  readonly password?: string | undefined;
  /** A new mobile number as typed, or null to remove it. */
  readonly phone?: string | null | undefined;
}

export async function modifyMember(
  deps: MembershipDeps,
  command: { principal: Principal; id: string; changes: MemberUpdate },
  context: EventContext,
): Promise<Result<Member>> {
  const found = await getMember(deps, command.principal, command.id);
  if (!found.ok) return found;
  const { name, region, password } = command.changes;
  const raw = command.changes.phone;
  const phone = raw === undefined || raw === null ? ok(raw) : parsePhone(raw);
  if (!phone.ok) return phone;
  const passwordHash = password === undefined ? undefined : await hashPassword(password);
  const now = deps.clock.now();
  const changes = { name, region, passwordHash, phone: phone.value };
  let updated: Awaited<ReturnType<typeof applyChanges>>;
  try {
    updated = await deps.db.tx((tx) => applyChanges(tx, found.value.id, changes, now, context));
  } catch (error) {
    return takenFailure(error);
  }
  if (!updated) return fail("CONFLICT", "a withdrawn membership cannot be changed");
  // This process refuses them at once; the others when AccessRevoked reaches them.
  deps.revocations.revokeChains(updated.chainIds, now);
  deps.kickRelay();
  return ok(updated.member);
}

/** The change and its events in one transaction; undefined when the member is no longer active. */
async function applyChanges(
  tx: Queryable,
  id: Member["id"],
  changes: MemberChanges,
  now: Date,
  context: EventContext,
) {
  const member = await updateActiveMember(tx, id, changes, now);
  if (!member) return undefined;
  // A new password ends every session that the old one opened, access tokens included.
  const chainIds = changes.passwordHash ? await revokeMemberTokens(tx, member.id, now) : [];
  if (chainIds.length > 0) {
    const revoked: AccessRevoked = { membershipId: member.id, chainIds, revokedAt: now.toISOString() };
    await recordEvents(
      tx,
      "membership",
      [{ type: membershipEventTypes.accessRevoked, data: revoked }],
      context,
    );
  }
  const modified: MemberModified = {
    membershipId: member.id,
    name: member.name,
    region: member.region,
    passwordChanged: changes.passwordHash !== undefined,
    modifiedAt: now.toISOString(),
  };
  await recordEvents(tx, "membership", [{ type: membershipEventTypes.modified, data: modified }], context);
  return { member, chainIds };
}

/**
 * Withdraws a member whose wallet is empty. Money first closes the wallet for leaving (refusing new
 * money from then on, so no recharge can slip in), then the withdrawal commits; if it cannot, the
 * wallet is reopened (or, after a crash, money's sweep reopens it). Withdrawing again answers as
 * the first time did (a retried DELETE), without a second event.
 */
export async function withdrawMember(
  deps: MembershipDeps,
  command: { principal: Principal; id: string },
  context: EventContext,
): Promise<Result<void>> {
  const found = await getMember(deps, command.principal, command.id);
  if (!found.ok) return found;
  const member = found.value;
  if (member.status === "WITHDRAWN") return ok(undefined);
  const closed = await deps.money.closeWalletForLeaving(member.id);
  if (!closed.ok) return closed;
  const now = deps.clock.now();
  let withdrawn: boolean;
  try {
    withdrawn = await deps.db.tx(async (tx) => {
      if (!(await markWithdrawn(tx, member.id, now))) return false;
      await revokeMemberTokens(tx, member.id, now);
      const data: MemberWithdrawn = { membershipId: member.id, withdrawnAt: now.toISOString() };
      await recordEvents(tx, "membership", [{ type: membershipEventTypes.withdrawn, data }], context);
      return true;
    });
  } catch (error) {
    // Best effort: if this fails too, money's sweep reopens the wallet of a member still ACTIVE.
    await deps.money.reopenWallet(member.id).catch(() => undefined);
    throw error;
  }
  // This process refuses its tokens at once; the others when MemberWithdrawn reaches them.
  deps.revocations.revokeMember(member.id, now);
  if (withdrawn) deps.kickRelay();
  return ok(undefined);
}
