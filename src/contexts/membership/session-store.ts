import type { Id } from "../../kernel/ids.js";
import type { Queryable } from "../../platform/db/db.js";
import type { MemberStatus, MemberType } from "./domain.js";

/** SQL for refresh-token chains (the login lockout counts attempts in attempt-window.ts). */

export interface NewRefreshToken {
  readonly tokenHash: string;
  readonly chainId: string;
  readonly membershipId: Id<"membership">;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export async function insertRefreshToken(q: Queryable, t: NewRefreshToken): Promise<void> {
  await q.query(
    `INSERT INTO membership.refresh_tokens (token_hash, chain_id, membership_id, issued_at, expires_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [t.tokenHash, t.chainId, t.membershipId, t.issuedAt, t.expiresAt],
  );
}

export interface TokenHolder {
  readonly membershipId: Id<"membership">;
  readonly type: MemberType;
  readonly status: MemberStatus;
}

const holderLocks = { rotate: "FOR SHARE", logout: "FOR UPDATE" } as const;

/**
 * The member a refresh token belongs to, locked FOR SHARE to rotate: a password change or a
 * withdrawal (which update the member row, then revoke its tokens) waits for this rotation, or this
 * rotation for them, so a token issued during either is revoked too. A logout locks it FOR UPDATE for
 * the same reason. All take the member row first: no deadlock.
 */
export async function lockTokenHolder(
  q: Queryable,
  tokenHash: string,
  purpose: keyof typeof holderLocks = "rotate",
): Promise<TokenHolder | undefined> {
  const rows = await q.query<{ id: string; type: MemberType; status: MemberStatus }>(
    `SELECT id, type, status FROM membership.members
     WHERE id = (SELECT membership_id FROM membership.refresh_tokens WHERE token_hash = $1) ${holderLocks[purpose]}`,
    [tokenHash],
  );
  const row = rows[0];
  return row && { membershipId: row.id as Id<"membership">, type: row.type, status: row.status };
}

/** Spends a live token in one conditional UPDATE; its chain id, or undefined when it was not live. */
export async function spendRefreshToken(
  q: Queryable,
  tokenHash: string,
  now: Date,
): Promise<string | undefined> {
  const rows = await q.query<{ chain_id: string }>(
    `UPDATE membership.refresh_tokens SET spent_at = $2
     WHERE token_hash = $1 AND spent_at IS NULL AND revoked_at IS NULL AND expires_at > $2
     RETURNING chain_id`,
    [tokenHash, now],
  );
  return rows[0]?.chain_id;
}

const distinctChains = (rows: readonly { chain_id: string }[]) => [...new Set(rows.map((r) => r.chain_id))];

/** Revokes the chain of a token that was already spent (a replay); the chain ids it revoked now. */
export function revokeChainOfSpent(q: Queryable, tokenHash: string, now: Date): Promise<string[]> {
  return revokeChain(q, tokenHash, now, true);
}

/** Revokes the chain of a token, live or spent (a logout); the chain ids it revoked now. */
export function revokeChainOf(q: Queryable, tokenHash: string, now: Date): Promise<string[]> {
  return revokeChain(q, tokenHash, now, false);
}

async function revokeChain(q: Queryable, tokenHash: string, now: Date, onlySpent: boolean) {
  const rows = await q.query<{ chain_id: string }>(
    `UPDATE membership.refresh_tokens SET revoked_at = $2
     WHERE chain_id = (SELECT chain_id FROM membership.refresh_tokens
                       WHERE token_hash = $1 AND (NOT $3::boolean OR spent_at IS NOT NULL))
       AND revoked_at IS NULL
     RETURNING chain_id`,
    [tokenHash, now, onlySpent],
  );
  return distinctChains(rows);
}

/** Ends every session of a member (password change, withdrawal); the chain ids it revoked now. */
export async function revokeMemberTokens(
  q: Queryable,
  membershipId: Id<"membership">,
  now: Date,
): Promise<string[]> {
  const rows = await q.query<{ chain_id: string }>(
    `UPDATE membership.refresh_tokens SET revoked_at = $2 WHERE membership_id = $1 AND revoked_at IS NULL
     RETURNING chain_id`,
    [membershipId, now],
  );
  return distinctChains(rows);
}

/** Chains revoked after `since`, with when: their access tokens may still be unexpired. */
export async function chainsRevokedSince(
  q: Queryable,
  since: Date,
): Promise<Array<{ chainId: string; revokedAt: Date }>> {
  const rows = await q.query<{ chain_id: string; revoked_at: Date }>(
    `SELECT chain_id, max(revoked_at) AS revoked_at FROM membership.refresh_tokens
     WHERE revoked_at > $1 GROUP BY chain_id`,
    [since],
  );
  return rows.map((r) => ({ chainId: r.chain_id, revokedAt: new Date(r.revoked_at) }));
}

/** Expired tokens can no longer be replayed, so they are no longer needed for reuse detection. */
export async function deleteExpiredTokens(
  q: Queryable,
  membershipId: Id<"membership">,
  now: Date,
): Promise<void> {
  await q.query(`DELETE FROM membership.refresh_tokens WHERE membership_id = $1 AND expires_at <= $2`, [
    membershipId,
    now,
  ]);
}
