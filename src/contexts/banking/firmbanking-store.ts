import type { Queryable } from "../../platform/db/db.js";
import type { AccountRef, FirmbankingPurpose, FirmbankingStatus } from "./api.js";
import { openStatusesSql, type TerminalStatus } from "./domain.js";

/** SQL for firmbanking requests. Status changes are conditional, so a terminal row never moves again. */

export interface Firmbanking {
  readonly id: string;
  readonly requestId: string;
  readonly purpose: FirmbankingPurpose;
  readonly membershipId: string | null;
  readonly from: AccountRef;
  readonly to: AccountRef;
  readonly amount: number;
  readonly fee: number;
  /** The bank whose contract carries the transfer (and whose fee it is). */
  readonly bankCode: string;
  readonly status: FirmbankingStatus;
  readonly reason: string | null;
  readonly reference: string;
  readonly correlationId: string;
  readonly createdAt: Date;
  readonly completedAt: Date | null;
  /** How many checks got no answer: drives the backoff. */
  readonly checks: number;
}

type Row = {
  id: string;
  request_id: string;
  purpose: FirmbankingPurpose;
  membership_id: string | null;
  from_bank_code: string;
  from_account_number: string;
  to_bank_code: string;
  to_account_number: string;
  amount: number;
  fee: number;
  bank_code: string;
  status: FirmbankingStatus;
  reason: string | null;
  reference: string;
  correlation_id: string;
  created_at: Date | string;
  completed_at: Date | string | null;
  checks: number;
};

const toFirmbanking = (r: Row): Firmbanking => ({
  id: r.id,
  requestId: r.request_id,
  purpose: r.purpose,
  membershipId: r.membership_id,
  from: { bankCode: r.from_bank_code, accountNumber: r.from_account_number },
  to: { bankCode: r.to_bank_code, accountNumber: r.to_account_number },
  amount: r.amount,
  fee: r.fee,
  bankCode: r.bank_code,
  status: r.status,
  reason: r.reason,
  reference: r.reference,
  correlationId: r.correlation_id,
  createdAt: new Date(r.created_at),
  completedAt: r.completed_at === null ? null : new Date(r.completed_at),
  checks: r.checks,
});

/** Inserts the row unless one with its requestId exists (the one atomic point per requestId). */
async function insertNew(q: Queryable, f: Firmbanking, nextCheckAt: Date): Promise<Row | undefined> {
  const rows = await q.query<Row>(
    `INSERT INTO banking.firmbanking (id, request_id, purpose, membership_id, from_bank_code, from_account_number,
       to_bank_code, to_account_number, amount, fee, bank_code, status, reason, reference, correlation_id,
       created_at, completed_at, next_check_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
     ON CONFLICT (request_id) DO NOTHING RETURNING *`,
    [
      f.id,
      f.requestId,
      f.purpose,
      f.membershipId,
      f.from.bankCode,
      f.from.accountNumber,
      f.to.bankCode,
      f.to.accountNumber,
      f.amount,
      f.fee,
      f.bankCode,
      f.status,
      f.reason,
      f.reference,
      f.correlationId,
      f.createdAt,
      f.completedAt,
      nextCheckAt,
    ],
  );
  return rows[0];
}

/** Stores a REQUESTED row; false when a row with that requestId exists already. */
export async function insertRequested(q: Queryable, f: Firmbanking, nextCheckAt: Date): Promise<boolean> {
  return (
    (await insertNew(q, { ...f, status: "REQUESTED", reason: null, completedAt: null }, nextCheckAt)) !==
    undefined
  );
}

/**
 * Stores the request as FAILED `reason` (never sent) unless a row with its requestId exists: a
 * transfer() that comes later finds it and never calls the bank. Undefined when a row existed.
 */
export async function insertVoided(
  q: Queryable,
  f: Firmbanking,
  reason: string,
  now: Date,
): Promise<Firmbanking | undefined> {
  const row = await insertNew(q, { ...f, status: "FAILED", reason, completedAt: now }, now);
  return row && toFirmbanking(row);
}

/** An open request checked afresh: due now, with a new budget of checks. False when it is not open. */
export async function scheduleCheck(q: Queryable, requestId: string, now: Date): Promise<boolean> {
  const rows = await q.query(
    `UPDATE banking.firmbanking SET checks = 0, next_check_at = $2
     WHERE request_id = $1 AND status IN ${openStatusesSql} RETURNING id`,
    [requestId, now],
  );
  return rows.length > 0;
}

export async function findByRequestId(q: Queryable, requestId: string): Promise<Firmbanking | undefined> {
  const rows = await q.query<Row>("SELECT * FROM banking.firmbanking WHERE request_id = $1", [requestId]);
  return rows[0] && toFirmbanking(rows[0]);
}

/** Makes an open row terminal; undefined when it was terminal already (someone else got the answer first). */
export async function completeRow(
  q: Queryable,
  id: string,
  answer: { status: TerminalStatus; reason?: string | undefined },
  now: Date,
): Promise<Firmbanking | undefined> {
  const rows = await q.query<Row>(
    `UPDATE banking.firmbanking SET status = $2, reason = $3, completed_at = $4, lease_until = NULL
     WHERE id = $1 AND status IN ${openStatusesSql} RETURNING *`,
    [id, answer.status, answer.reason ?? null, now],
  );
  return rows[0] && toFirmbanking(rows[0]);
}

/** An open row whose answer did not come: UNKNOWN, checked again at nextCheckAt. */
export async function markUnknown(
  q: Queryable,
  id: string,
  nextCheckAt: Date,
): Promise<Firmbanking | undefined> {
  const rows = await q.query<Row>(
    `UPDATE banking.firmbanking SET status = 'UNKNOWN', checks = checks + 1, next_check_at = $2, lease_until = NULL
     WHERE id = $1 AND status IN ${openStatusesSql} RETURNING *`,
    [id, nextCheckAt],
  );
  return rows[0] && toFirmbanking(rows[0]);
}

/**
 * Leases up to `limit` open rows whose check is due. One statement with SKIP LOCKED, and a lease
 * instead of a transaction held across the bank call, so two replicas never work on the same row.
 * A row that had `maxChecks` unanswered checks is left alone until scheduleCheck gives it more.
 */
export async function claimDue(
  q: Queryable,
  now: Date,
  leaseUntil: Date,
  limit: number,
  maxChecks: number,
): Promise<Firmbanking[]> {
  const rows = await q.query<Row>(
    `UPDATE banking.firmbanking SET lease_until = $2
     WHERE id IN (
       SELECT id FROM banking.firmbanking
       WHERE status IN ${openStatusesSql} AND next_check_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
         AND checks < $4
       ORDER BY next_check_at LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [now, leaseUntil, limit, maxChecks],
  );
  return rows.map(toFirmbanking);
}

export async function countOpen(q: Queryable): Promise<number> {
  const rows = await q.query<{ n: number }>(
    `SELECT count(*)::bigint AS n FROM banking.firmbanking WHERE status IN ${openStatusesSql}`,
  );
  return rows[0]?.n ?? 0;
}

/** Newest first; all members' when membershipId is undefined. */
export async function listFirmbanking(
  q: Queryable,
  page: { membershipId?: string | undefined; before?: string | undefined; limit: number },
): Promise<Firmbanking[]> {
  const rows = await q.query<Row>(
    `SELECT * FROM banking.firmbanking
     WHERE ($1::text IS NULL OR membership_id = $1) AND ($2::text IS NULL OR id < $2)
     ORDER BY id DESC LIMIT $3`,
    [page.membershipId ?? null, page.before ?? null, page.limit],
  );
  return rows.map(toFirmbanking);
}
