import { createHash, randomBytes, randomUUID } from "node:crypto";
import { fail, ok, type Result } from "../../kernel/errors.js";
import type { Id } from "../../kernel/ids.js";
import { checkToken } from "../../platform/auth/guard.js";
import { verifyPassword } from "../../platform/auth/passwords.js";
import type { Role } from "../../platform/auth/tokens.js";
import type { Queryable } from "../../platform/db/db.js";
import { type EventContext, recordEvents } from "../../platform/outbox.js";
import { clearAttempts, lockKey, loginFailures, recentAttempts, recordAttempt } from "./attempt-window.js";
import { emailKey, lockedForSeconds, loginLockout, type MemberType, roleOf } from "./domain.js";
import { type AccessRevoked, membershipEventTypes } from "./events.js";
import type { MembershipDeps } from "./service.js";
import {
  deleteExpiredTokens,
  insertRefreshToken,
  lockTokenHolder,
  revokeChainOf,
  revokeChainOfSpent,
  spendRefreshToken,
  type TokenHolder,
} from "./session-store.js";
import { findMemberByEmail } from "./store.js";

/** Sign-in use cases: login, refresh-token rotation, logout and token validation. */

export interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Seconds the access token lives. */
  readonly expiresIn: number;
}

/** An opaque random refresh token; only its SHA-256 hash is stored, so a database leak reveals none. */
function newRefreshToken() {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashRefreshToken(token) };
}

function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

async function issueSession(
  deps: MembershipDeps,
  member: { membershipId: Id<"membership">; type: MemberType },
  refresh: { token: string; chainId: string },
): Promise<Session> {
  // The chain id goes into the access token (sid): revoking the chain refuses the token too.
  const accessToken = await deps.signer.sign({
    membershipId: member.membershipId,
    role: roleOf(member.type),
    chainId: refresh.chainId,
  });
  const refreshToken = refresh.token;
  return { accessToken, refreshToken, expiresIn: deps.signer.ttlSeconds };
}

function refreshTokenRow(deps: MembershipDeps, membershipId: Id<"membership">, chainId: string, now: Date) {
  const next = newRefreshToken();
  const expiresAt = new Date(now.getTime() + deps.refreshTokenTtlSeconds * 1000);
  return {
    token: next.token,
    row: { tokenHash: next.hash, chainId, membershipId, issuedAt: now, expiresAt },
  };
}

/**
 * Checks the lockout and, when the email may try, records this attempt as a failure up front; the
 * member (if any) comes back for the password check.
 */
async function admitAttempt(deps: MembershipDeps, email: string, now: Date) {
  const key = emailKey(email);
  const since = new Date(now.getTime() - loginLockout.windowSeconds * 1000);
  return deps.db.tx(async (tx) => {
    await lockKey(tx, loginFailures, key);
    const failures = await recentAttempts(tx, loginFailures, key, since, loginLockout.maxFailures);
    const waitSeconds = lockedForSeconds(failures, now);
    if (waitSeconds !== undefined) return { waitSeconds };
    await recordAttempt(tx, loginFailures, key, now, since);
    return { member: await findMemberByEmail(tx, email) };
  });
}

export async function login(
  deps: MembershipDeps,
  command: { email: string; password: string },
): Promise<Result<Session>> {
  const now = deps.clock.now();
  const attempt = await admitAttempt(deps, command.email, now);
  if (attempt.waitSeconds !== undefined) {
    const detail = `too many failed logins for this email; try again in ${attempt.waitSeconds} seconds`;
    return fail("RATE_LIMITED", detail, { retryAfterSeconds: attempt.waitSeconds });
  }
  const { member } = attempt;
  // Checked even for an unknown or withdrawn member, so the answer's timing tells nothing.
  const matches = await verifyPassword(command.password, member?.passwordHash);
  if (!member || !matches || member.status !== "ACTIVE") {
    return fail("INVALID_CREDENTIALS", "the email or password is wrong");
  }
  const { token, row } = refreshTokenRow(deps, member.id, randomUUID(), now);
  await deps.db.tx(async (tx) => {
    await clearAttempts(tx, loginFailures, emailKey(command.email));
    await deleteExpiredTokens(tx, member.id, now);
    await insertRefreshToken(tx, row);
  });
  const session = { token, chainId: row.chainId };
  return ok(await issueSession(deps, { membershipId: member.id, type: member.type }, session));
}

/** A rotation's outcome: the next session, or refused (with the chains a replay revoked). */
type Rotation = { holder: TokenHolder; session: { token: string; chainId: string } } | { revoked: string[] };

/**
 * Spends a refresh token and issues the next one of its chain. A token that was already spent is a
 * replay (one of the two holders is not the member): the whole chain is revoked, and its access
 * tokens with it (AccessRevoked tells every process).
 */
export async function refresh(
  deps: MembershipDeps,
  command: { refreshToken: string },
  context: EventContext,
): Promise<Result<Session>> {
  const hash = hashRefreshToken(command.refreshToken);
  const now = deps.clock.now();
  const rotated = await deps.db.tx(async (tx): Promise<Rotation> => {
    const holder = await lockTokenHolder(tx, hash);
    if (!holder) return { revoked: [] };
    const chainId = await spendRefreshToken(tx, hash, now);
    if (!chainId) {
      const revoked = await revokeChainOfSpent(tx, hash, now);
      if (revoked.length > 0)
        await recordRevocation(tx, { membershipId: holder.membershipId, revoked, now }, context);
      return { revoked };
    }
    if (holder.status !== "ACTIVE") return { revoked: [] };
    const { token, row } = refreshTokenRow(deps, holder.membershipId, chainId, now);
    await insertRefreshToken(tx, row);
    return { holder, session: { token, chainId } };
  });
  if ("session" in rotated) return ok(await issueSession(deps, rotated.holder, rotated.session));
  if (rotated.revoked.length > 0) {
    // This process refuses the chain's access tokens at once; the others on AccessRevoked.
    deps.revocations.revokeChains(rotated.revoked, now);
    deps.kickRelay();
  }
  return fail("UNAUTHENTICATED", "the refresh token is invalid, expired or already used; sign in again");
}

/**
 * Ends the session a refresh token belongs to, whether the token is its current one or a spent one:
 * the chain is revoked as a replay revokes it, access tokens included. An unknown or already revoked
 * token changes nothing, and the caller is not told which it was.
 */
export async function logout(
  deps: MembershipDeps,
  command: { refreshToken: string },
  context: EventContext,
): Promise<void> {
  const hash = hashRefreshToken(command.refreshToken);
  const now = deps.clock.now();
  const revoked = await deps.db.tx(async (tx) => {
    // FOR UPDATE: a rotation of this chain under way commits first, so its new token is revoked too.
    const holder = await lockTokenHolder(tx, hash, "logout");
    if (!holder) return [];
    const chainIds = await revokeChainOf(tx, hash, now);
    if (chainIds.length > 0)
      await recordRevocation(tx, { membershipId: holder.membershipId, revoked: chainIds, now }, context);
    return chainIds;
  });
  if (revoked.length === 0) return;
  deps.revocations.revokeChains(revoked, now);
  deps.kickRelay();
}

export type Validation =
  | { readonly valid: false }
  | { readonly valid: true; readonly membershipId: Id<"membership">; readonly role: Role };

async function recordRevocation(
  tx: Queryable,
  r: { membershipId: string; revoked: string[]; now: Date },
  context: EventContext,
) {
  const data: AccessRevoked = {
    membershipId: r.membershipId,
    chainIds: r.revoked,
    revokedAt: r.now.toISOString(),
  };
  await recordEvents(tx, "membership", [{ type: membershipEventTypes.accessRevoked, data }], context);
}

/**
 * Whether an access token is good now: well signed, unexpired, and neither its member withdrawn
 * nor its chain revoked. The same check as the guard's, without the database.
 */
export async function validateToken(deps: MembershipDeps, command: { token: string }): Promise<Validation> {
  const principal = await checkToken(deps, command.token);
  if (!principal) return { valid: false };
  return { valid: true, membershipId: principal.membershipId, role: principal.role };
}
