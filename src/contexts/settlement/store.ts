import type { Queryable } from "../../platform/db/db.js";
import type { AccountRef } from "../banking/api.js";
import type { Figures, RunTotals } from "./domain.js";

/** The SQL of the settlement schema: runs and their per-franchise settlements. */

/** A settlement as the run plans it in its claim step, before its row exists. */
export interface PlannedSettlement extends Figures {
  readonly settlementId: string;
  readonly franchiseId: string;
  readonly ownerId: string;
  /** The franchise's settlement account, read when the run claimed its payments. */
  readonly account: AccountRef;
}

export interface NewRun {
  readonly id: string;
  readonly cutoff: Date;
  readonly scheduledFor: Date | null;
  readonly requestedBy: string | null;
  readonly idempotencyKey: string | null;
}

/** Inserts the run; false when a run already holds its schedule slot (another replica made it). */
export async function insertRun(tx: Queryable, run: NewRun): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO settlement.runs (id, cutoff, scheduled_for, requested_by, idempotency_key, status)
     VALUES ($1, $2, $3, $4, $5, 'CLAIMING')
     ON CONFLICT (scheduled_for) DO NOTHING RETURNING 1`,
    [run.id, run.cutoff, run.scheduledFor, run.requestedBy, run.idempotencyKey],
  );
  return rows.length > 0;
}

/** The run an earlier attempt with this idempotency key created. */
export async function runByKey(q: Queryable, requestedBy: string, key: string): Promise<string | undefined> {
  const [row] = await q.query<{ id: string }>(
    "SELECT id FROM settlement.runs WHERE requested_by = $1 AND idempotency_key = $2",
    [requestedBy, key],
  );
  return row?.id;
}

/** Every settlement of the run in one statement, and the run's totals; a repeat inserts nothing. */
export async function recordSettlements(
  tx: Queryable,
  runId: string,
  settlements: readonly PlannedSettlement[],
  totals: RunTotals,
): Promise<void> {
  const rows = settlements.map((s) => ({
    id: s.settlementId,
    franchise_id: s.franchiseId,
    owner_id: s.ownerId,
    payment_count: s.paymentCount,
    gross: s.gross,
    commission: s.commission,
    net: s.net,
    bank_code: s.account.bankCode,
    account_number: s.account.accountNumber,
  }));
  await tx.query(
    `INSERT INTO settlement.settlements
       (id, run_id, franchise_id, owner_id, payment_count, gross, commission, net, status, bank_code, account_number)
     SELECT s.id, $1, s.franchise_id, s.owner_id, s.payment_count, s.gross, s.commission, s.net, 'PENDING',
            s.bank_code, s.account_number
     FROM jsonb_to_recordset($2::text::jsonb) AS s(id text, franchise_id text, owner_id text, payment_count int,
          gross bigint, commission bigint, net bigint, bank_code text, account_number text)
     ON CONFLICT (id) DO NOTHING`,
    [runId, JSON.stringify(rows)],
  );
  await tx.query(
    `UPDATE settlement.runs SET status = 'RECORDED', recorded_at = now(), franchises = $2, payment_count = $3,
       gross = $4, commission = $5, net = $6
     WHERE id = $1 AND status = 'CLAIMING'`,
    [runId, totals.franchises, totals.paymentCount, totals.gross, totals.commission, totals.net],
  );
}

/** A payout's end: PAID (with the bank's transfer, if one was needed) or FAILED with the reason. */
export async function finishSettlement(
  tx: Queryable,
  id: string,
  outcome: { status: "PAID" | "FAILED"; reason: string | null; firmbankingId: string | null },
): Promise<void> {
  await tx.query(
    `UPDATE settlement.settlements
     SET status = $2, failure_reason = $3, firmbanking_id = $4, completed_at = now(),
         paid_at = CASE WHEN $2 = 'PAID' THEN now() END
     WHERE id = $1 AND status = 'PENDING'`,
    [id, outcome.status, outcome.reason, outcome.firmbankingId],
  );
}

export type RunRow = {
  id: string;
  cutoff: Date;
  scheduled_for: Date | null;
  status: "CLAIMING" | "RECORDED";
  franchises: number | null;
  payment_count: number | null;
  gross: number | null;
  commission: number | null;
  net: number | null;
  pending: number;
  paid: number;
  failed: number;
  created_at: Date;
};

/** Runs with how many of their settlements are still PENDING, PAID and FAILED; `where` filters `r`. */
const runsWith = (where: string) =>
  `SELECT r.id, r.cutoff, r.scheduled_for, r.status, r.franchises, r.payment_count, r.gross, r.commission,
          r.net, r.created_at,
          count(*) FILTER (WHERE s.status = 'PENDING')::int AS pending,
          count(*) FILTER (WHERE s.status = 'PAID')::int AS paid,
          count(*) FILTER (WHERE s.status = 'FAILED')::int AS failed
   FROM settlement.runs r LEFT JOIN settlement.settlements s ON s.run_id = r.id
   WHERE ${where} GROUP BY r.id`;

export async function findRun(q: Queryable, id: string): Promise<RunRow | undefined> {
  const [row] = await q.query<RunRow>(runsWith("r.id = $1"), [id]);
  return row;
}

/** Runs newest first (ids sort by creation time), from before the `before` id if given. */
export async function listRuns(
  q: Queryable,
  page: { before?: string | undefined; limit: number },
): Promise<RunRow[]> {
  return q.query<RunRow>(`${runsWith("($1::text IS NULL OR r.id < $1)")} ORDER BY r.id DESC LIMIT $2`, [
    page.before ?? null,
    page.limit,
  ]);
}

export type SettlementRow = {
  id: string;
  run_id: string;
  franchise_id: string;
  owner_id: string;
  payment_count: number;
  gross: number;
  commission: number;
  net: number;
  status: "PENDING" | "PAID" | "FAILED";
  firmbanking_id: string | null;
  failure_reason: string | null;
  created_at: Date;
  paid_at: Date | null;
};

const columns = `id, run_id, franchise_id, owner_id, payment_count, gross, commission, net, status,
  firmbanking_id, failure_reason, created_at, paid_at`;

export async function findSettlement(q: Queryable, id: string): Promise<SettlementRow | undefined> {
  const [row] = await q.query<SettlementRow>(`SELECT ${columns} FROM settlement.settlements WHERE id = $1`, [
    id,
  ]);
  return row;
}

export interface SettlementFilter {
  /** A merchant's own: the owner stamped on each settlement. */
  readonly ownerId?: string | undefined;
  readonly franchiseId?: string | undefined;
  readonly runId?: string | undefined;
  /** The nextCursor of the page before: ids sort by creation time. */
  readonly before?: string | undefined;
  readonly limit: number;
}

/** Settlements newest first, `limit` of them. */
export async function listSettlements(q: Queryable, f: SettlementFilter): Promise<SettlementRow[]> {
  return q.query<SettlementRow>(
    `SELECT ${columns} FROM settlement.settlements
     WHERE ($1::text IS NULL OR owner_id = $1) AND ($2::text IS NULL OR franchise_id = $2)
       AND ($3::text IS NULL OR run_id = $3) AND ($4::text IS NULL OR id < $4)
     ORDER BY id DESC LIMIT $5`,
    [f.ownerId ?? null, f.franchiseId ?? null, f.runId ?? null, f.before ?? null, f.limit],
  );
}
