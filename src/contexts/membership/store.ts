import type { Id } from "../../kernel/ids.js";
import type { Queryable } from "../../platform/db/db.js";
import type { Member, MemberStatus, MemberType } from "./domain.js";

/** The name of the unique index that makes emails unique whatever their case. */
export const emailUniqueIndex = "members_email_key";
/** The name of the unique index that gives a mobile number to one active member at most. */
export const phoneUniqueIndex = "members_phone_key";

const memberColumns = "id, name, email, phone, region, type, status, created_at";

interface MemberRow {
  [column: string]: unknown;
  id: string;
  name: string;
  email: string;
  phone: string | null;
  region: string;
  type: MemberType;
  status: MemberStatus;
  created_at: Date;
}

function toMember(row: MemberRow): Member {
  return {
    id: row.id as Id<"membership">,
    name: row.name,
    email: row.email,
    phone: row.phone,
    region: row.region,
    type: row.type,
    status: row.status,
    createdAt: new Date(row.created_at),
  };
}

export interface NewMember extends Member {
  readonly passwordHash: string;
}

const insertColumns = `INSERT INTO membership.members
  (id, name, email, phone, password_hash, region, type, status, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`;
const insertValues = (m: NewMember) => [
  m.id,
  m.name,
  m.email,
  m.phone,
  m.passwordHash,
  m.region,
  m.type,
  m.status,
  m.createdAt,
];

/** Inserts a member; a taken email or phone raises a unique violation on its index. */
export async function insertMember(q: Queryable, m: NewMember): Promise<void> {
  await q.query(insertColumns, insertValues(m));
}

/** Like insertMember, but does nothing when the email (or a number it gives) is taken; true when it inserted. */
export async function insertMemberIfAbsent(q: Queryable, m: NewMember): Promise<boolean> {
  const rows = await q.query(`${insertColumns} ON CONFLICT DO NOTHING RETURNING id`, insertValues(m));
  return rows.length === 1;
}

export async function findMember(q: Queryable, id: Id<"membership">): Promise<Member | undefined> {
  const rows = await q.query<MemberRow>(`SELECT ${memberColumns} FROM membership.members WHERE id = $1`, [
    id,
  ]);
  return rows[0] && toMember(rows[0]);
}

/** The members of these ids that exist, in one statement. */
export async function findMembers(q: Queryable, ids: readonly Id<"membership">[]): Promise<Member[]> {
  const rows = await q.query<MemberRow>(
    `SELECT ${memberColumns} FROM membership.members WHERE id = ANY ($1::text[])`,
    [ids],
  );
  return rows.map(toMember);
}

/**
 * Members newest first (ids sort by creation time), from before the `before` id if given; with a
 * `query`, those whose email or name holds it, whatever its case, or whose id it is, or whose mobile
 * number is `phone` (the query read as one). strpos, not LIKE, so `%` and `_` in a query are plain
 * characters.
 */
export async function searchMembers(
  q: Queryable,
  page: {
    query?: string | undefined;
    phone?: string | undefined;
    before?: string | undefined;
    limit: number;
  },
): Promise<Member[]> {
  const rows = await q.query<MemberRow>(
    `SELECT ${memberColumns} FROM membership.members
     WHERE ($1::text IS NULL OR id = $1 OR strpos(lower(email), lower($1)) > 0
            OR strpos(lower(name), lower($1)) > 0 OR phone = $4::text)
       AND ($2::text IS NULL OR id < $2)
     ORDER BY id DESC LIMIT $3`,
    [page.query ?? null, page.before ?? null, page.limit, page.phone ?? null],
  );
  return rows.map(toMember);
}

/** The active member with this mobile number (its key), if any. */
export async function findActiveMemberByPhone(q: Queryable, phone: string): Promise<Member | undefined> {
  const rows = await q.query<MemberRow>(
    `SELECT ${memberColumns} FROM membership.members WHERE phone = $1 AND status = 'ACTIVE'`,
    [phone],
  );
  return rows[0] && toMember(rows[0]);
}

export async function findMemberByEmail(
  q: Queryable,
  email: string,
): Promise<(Member & { passwordHash: string }) | undefined> {
  const rows = await q.query<MemberRow & { password_hash: string }>(
    `SELECT ${memberColumns}, password_hash FROM membership.members WHERE lower(email) = lower($1)`,
    [email],
  );
  const row = rows[0];
  return row && { ...toMember(row), passwordHash: row.password_hash };
}

export interface MemberChanges {
  readonly name?: string | undefined;
  readonly region?: string | undefined;
  readonly passwordHash?: string | undefined;
  /** A new number's key, null to remove the number, undefined to leave it. */
  readonly phone?: string | null | undefined;
}

/** Changes an ACTIVE member; undefined when it is not (any longer) active. */
export async function updateActiveMember(
  q: Queryable,
  id: Id<"membership">,
  changes: MemberChanges,
  now: Date,
): Promise<Member | undefined> {
  const rows = await q.query<MemberRow>(
    `UPDATE membership.members
     SET name = COALESCE($2, name), region = COALESCE($3, region),
         password_hash = COALESCE($4, password_hash), updated_at = $5,
         phone = CASE WHEN $6::boolean THEN $7::text ELSE phone END
     WHERE id = $1 AND status = 'ACTIVE' RETURNING ${memberColumns}`,
    [
      id,
      changes.name ?? null,
      changes.region ?? null,
      changes.passwordHash ?? null,
      now,
      changes.phone !== undefined,
      changes.phone ?? null,
    ],
  );
  return rows[0] && toMember(rows[0]);
}

/** Marks an ACTIVE member WITHDRAWN; false when it already was. */
export async function markWithdrawn(q: Queryable, id: Id<"membership">, now: Date): Promise<boolean> {
  const rows = await q.query(
    `UPDATE membership.members SET status = 'WITHDRAWN', withdrawn_at = $2, updated_at = $2
     WHERE id = $1 AND status = 'ACTIVE' RETURNING id`,
    [id, now],
  );
  return rows.length === 1;
}

/** Members withdrawn after `since`: their access tokens may still be unexpired. */
export async function withdrawnSince(
  q: Queryable,
  since: Date,
): Promise<Array<{ membershipId: string; withdrawnAt: Date }>> {
  const rows = await q.query<{ id: string; withdrawn_at: Date }>(
    "SELECT id, withdrawn_at FROM membership.members WHERE withdrawn_at > $1",
    [since],
  );
  return rows.map((r) => ({ membershipId: r.id, withdrawnAt: new Date(r.withdrawn_at) }));
}

export interface SigningKeyRow {
  [column: string]: unknown;
  kid: string;
  private_jwk: Record<string, unknown>;
  public_jwk: Record<string, unknown>;
  retired_at: Date | null;
}

/** Stores a key unless another process stored one first (at most one key is current). */
export async function insertSigningKeyIfNone(
  q: Queryable,
  kid: string,
  privateJwk: object,
  publicJwk: object,
): Promise<void> {
  await q.query(
    `INSERT INTO membership.signing_keys (kid, private_jwk, public_jwk)
     VALUES ($1, $2::jsonb, $3::jsonb) ON CONFLICT DO NOTHING`,
    [kid, privateJwk, publicJwk],
  );
}

/** Every key, the current one first: tokens signed by a retired key verify until it is deleted. */
export function signingKeys(q: Queryable): Promise<SigningKeyRow[]> {
  return q.query<SigningKeyRow>(
    `SELECT kid, private_jwk, public_jwk, retired_at FROM membership.signing_keys
     ORDER BY retired_at DESC NULLS FIRST, created_at DESC`,
  );
}
