import type { Db, Queryable } from "../../platform/db/db.js";
import { recordEvents } from "../../platform/outbox.js";
import { type ClaimedFranchise, type PaymentApi, type PaymentsSettled, paymentEvents } from "./api.js";
import { paymentSchema } from "./deps.js";
import { type ClaimLine, groupClaims } from "./domain.js";

/**
 * What settlement does with payment slips (PaymentApi): claim them for a run, mark them SETTLED, or free
 * them again. Set-based: one statement per step, whatever the number of slips; each call idempotent.
 */
export function settlementClaims(db: Db, kickRelay: () => void): PaymentApi {
  return {
    claimForSettlement: (cmd) => db.tx((tx) => claim(tx, cmd)),
    async markSettled(cmd) {
      const settled = await db.tx((tx) => markSettled(tx, cmd));
      if (settled) kickRelay();
    },
    async releaseClaim({ runId, franchiseId }) {
      await db.query(
        `UPDATE payment.payments SET settlement_run_id = NULL
         WHERE settlement_run_id = $1 AND franchise_id = $2 AND status = 'NORMAL'`,
        [runId, franchiseId],
      );
    },
    async claimedPaymentIds({ runId, franchiseId }) {
      const rows = await db.query<{ id: string }>(
        "SELECT id FROM payment.payments WHERE settlement_run_id = $1 AND franchise_id = $2 ORDER BY id",
        [runId, franchiseId],
      );
      return rows.map((r) => r.id);
    },
  };
}

/**
 * The run's row first: a second call (or one racing the first) finds it and answers the groups the first
 * recorded. Then ONE conditional UPDATE claims every NORMAL, unclaimed slip made before the cutoff (a slip
 * being cancelled is not NORMAL: the cancel won), summed per franchise and stamped rate in the same
 * statement.
 */
async function claim(tx: Queryable, cmd: { runId: string; cutoff: string }): Promise<ClaimedFranchise[]> {
  const fresh = await tx.query(
    `INSERT INTO payment.settlement_claims (run_id, cutoff) VALUES ($1, $2::timestamptz)
     ON CONFLICT (run_id) DO NOTHING RETURNING run_id`,
    [cmd.runId, cmd.cutoff],
  );
  if (fresh.length === 0) {
    const [earlier] = await tx.query<{ groups: ClaimedFranchise[] }>(
      "SELECT groups FROM payment.settlement_claims WHERE run_id = $1",
      [cmd.runId],
    );
    return earlier?.groups ?? [];
  }
  const lines = await tx.query<ClaimLine>(
    `WITH claimed AS (
       UPDATE payment.payments SET settlement_run_id = $1
       WHERE status = 'NORMAL' AND settlement_run_id IS NULL AND created_at < $2::timestamptz
       RETURNING franchise_id, commission_bps, amount)
     SELECT franchise_id AS "franchiseId", commission_bps AS "commissionBps", count(*)::int AS count,
            sum(amount)::bigint AS gross
     FROM claimed GROUP BY franchise_id, commission_bps`,
    [cmd.runId, cmd.cutoff],
  );
  const groups = groupClaims(lines);
  await tx.query("UPDATE payment.settlement_claims SET groups = $2::text::jsonb WHERE run_id = $1", [
    cmd.runId,
    JSON.stringify(groups),
  ]);
  return groups;
}

/** The run's claimed slips of the franchise become SETTLED, announced once (a repeat matches nothing). */
async function markSettled(
  tx: Queryable,
  cmd: { runId: string; franchiseId: string; settlementId: string },
): Promise<boolean> {
  const [row] = await tx.query<{ count: number }>(
    `WITH settled AS (
       UPDATE payment.payments SET status = 'SETTLED', settlement_id = $3, settled_at = now()
       WHERE settlement_run_id = $1 AND franchise_id = $2 AND status = 'NORMAL' RETURNING id)
     SELECT count(*)::int AS count FROM settled`,
    [cmd.runId, cmd.franchiseId, cmd.settlementId],
  );
  const paymentCount = row?.count ?? 0;
  if (paymentCount === 0) return false;
  const data: PaymentsSettled = { ...cmd, paymentCount };
  await recordEvents(tx, paymentSchema, [{ type: paymentEvents.PaymentsSettled, data }], {
    correlationId: cmd.runId,
    causationId: cmd.settlementId,
  });
  return true;
}
