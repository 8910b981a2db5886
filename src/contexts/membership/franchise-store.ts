import type { Id } from "../../kernel/ids.js";
import type { Queryable } from "../../platform/db/db.js";
import type { CommissionChange, Franchise, FranchiseStatus } from "./domain-franchise.js";

/** Membership's franchise tables: the franchises and their commission history. */

interface FranchiseRow {
  [column: string]: unknown;
  id: string;
  owner_id: string;
  name: string;
  business_number: string;
  region: string;
  commission_bps: number;
  settlement_bank_code: string;
  settlement_account_number: string;
  settlement_holder_name: string;
  status: FranchiseStatus;
  created_at: Date;
}

function toFranchise(row: FranchiseRow): Franchise {
  return {
    id: row.id as Id<"franchise">,
    ownerId: row.owner_id as Id<"membership">,
    name: row.name,
    businessNumber: row.business_number,
    region: row.region,
    commissionBps: row.commission_bps,
    settlementAccount: {
      bankCode: row.settlement_bank_code,
      accountNumber: row.settlement_account_number,
      holderName: row.settlement_holder_name,
    },
    status: row.status,
    createdAt: new Date(row.created_at),
  };
}

export async function insertFranchise(q: Queryable, f: Franchise): Promise<void> {
  const a = f.settlementAccount;
  await q.query(
    `INSERT INTO membership.franchises (id, owner_id, name, business_number, region, commission_bps,
       settlement_bank_code, settlement_account_number, settlement_holder_name, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
    [
      f.id,
      f.ownerId,
      f.name,
      f.businessNumber,
      f.region,
      f.commissionBps,
      a.bankCode,
      a.accountNumber,
      a.holderName,
      f.status,
      f.createdAt,
    ],
  );
}

/** The franchise; `forUpdate` locks its row until the transaction ends (one rate change at a time). */
export async function findFranchise(
  q: Queryable,
  id: Id<"franchise">,
  forUpdate = false,
): Promise<Franchise | undefined> {
  const lock = forUpdate ? " FOR UPDATE" : "";
  const rows = await q.query<FranchiseRow>(`SELECT * FROM membership.franchises WHERE id = $1${lock}`, [id]);
  return rows[0] && toFranchise(rows[0]);
}

/** The franchises of these ids that exist, in one statement. */
export async function findFranchises(q: Queryable, ids: readonly Id<"franchise">[]): Promise<Franchise[]> {
  const rows = await q.query<FranchiseRow>(
    "SELECT * FROM membership.franchises WHERE id = ANY ($1::text[])",
    [ids],
  );
  return rows.map(toFranchise);
}

/** Newest first; every owner's when `ownerId` is undefined. Ask for one more row than a page holds. */
export async function listFranchises(
  q: Queryable,
  page: { ownerId?: string | undefined; before?: string | undefined; limit: number },
): Promise<Franchise[]> {
  const rows = await q.query<FranchiseRow>(
    `SELECT * FROM membership.franchises
     WHERE ($1::text IS NULL OR owner_id = $1) AND ($2::text IS NULL OR id < $2)
     ORDER BY id DESC LIMIT $3`,
    [page.ownerId ?? null, page.before ?? null, page.limit],
  );
  return rows.map(toFranchise);
}

export async function updateCommission(q: Queryable, f: Franchise, now: Date): Promise<void> {
  await q.query("UPDATE membership.franchises SET commission_bps = $2, updated_at = $3 WHERE id = $1", [
    f.id,
    f.commissionBps,
    now,
  ]);
}

export async function insertCommissionChange(q: Queryable, c: CommissionChange): Promise<void> {
  await q.query(
    `INSERT INTO membership.commission_changes (franchise_id, commission_bps, previous_bps, changed_by, changed_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [c.franchiseId, c.commissionBps, c.previousBps, c.changedBy, c.changedAt],
  );
}

interface ChangeRow {
  [column: string]: unknown;
  seq: string;
  franchise_id: string;
  commission_bps: number;
  previous_bps: number | null;
  changed_by: string;
  changed_at: Date;
}

/** A franchise's rate changes, newest first, from before the `before` line (its seq) if given. */
export async function listCommissionChanges(
  q: Queryable,
  franchiseId: Id<"franchise">,
  page: { before?: string | undefined; limit: number },
): Promise<Array<CommissionChange & { seq: string }>> {
  // Ordered by the column, not by its text alias ("10" < "9").
  const rows = await q.query<ChangeRow>(
    `SELECT seq::text AS seq, franchise_id, commission_bps, previous_bps, changed_by, changed_at
     FROM membership.commission_changes
     WHERE franchise_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
     ORDER BY commission_changes.seq DESC LIMIT $3`,
    [franchiseId, page.before ?? null, page.limit],
  );
  return rows.map((r) => ({
    seq: r.seq,
    franchiseId: r.franchise_id as Id<"franchise">,
    commissionBps: r.commission_bps,
    previousBps: r.previous_bps,
    changedBy: r.changed_by as Id<"membership">,
    changedAt: new Date(r.changed_at),
  }));
}
