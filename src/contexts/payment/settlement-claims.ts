import { coalesceCalls } from "../../platform/coalesce.js";
import type { Db, Queryable } from "../../platform/db/db.js";
import { recordEventGroups } from "../../platform/outbox.js";
import { type ClaimedFranchise, type PaymentApi, type PaymentsSettled, paymentEvents } from "./api.js";
import { paymentSchema } from "./deps.js";
import { type ClaimLine, groupClaims } from "./domain.js";

/**
 * What settlement does with payment slips (PaymentApi): claim them for a run, mark them SETTLED, or free
 * them again. Set-based: one statement per step, whatever the number of slips; each call idempotent.
 * The claim only sets settlement_run_id, which no index holds, so it is a HOT update (002_settle_by_hot_claim.sql);
 * the franchise's claimed slips are found through the index of unsettled ones (payments_open).
 */
export function settlementClaims(db: Db, kickRelay: () => void): PaymentApi {
  return {
    claimForSettlement: (cmd) => db.tx((tx) => claim(tx, cmd)),
    markSettled: settleTogether(db, kickRelay),
    async releaseClaim({ runId, franchiseId }) {
      await db.query(
        `UPDATE payment.payments SET settlement_run_id = NULL
         WHERE franchise_id = $2 AND status = 'NORMAL' AND settlement_run_id = $1`,
        [runId, franchiseId],
      );
    },
    async claimedPaymentIds({ runId, franchiseId, settlementId }) {
      // SETTLED ones by their settlement; those still being paid among the franchise's unsettled ones.
      const rows = await db.query<{ id: string }>(
        `SELECT id FROM payment.payments WHERE settlement_id = $3
         UNION ALL
         SELECT id FROM payment.payments WHERE franchise_id = $2 AND status = 'NORMAL' AND settlement_run_id = $1
         ORDER BY id`,
        [runId, franchiseId, settlementId],
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

type Settle = Parameters<PaymentApi["markSettled"]>[0];

/**
 * markSettled calls that arrive together (payouts finishing at once) are marked in one transaction and
 * one UPDATE (platform/coalesce.ts).
 */
function settleTogether(db: Db, kickRelay: () => void): PaymentApi["markSettled"] {
  return coalesceCalls(async (cmds: Settle[]) => {
    if (await db.tx((tx) => markSettled(tx, cmds))) kickRelay();
    return cmds.map(() => undefined);
  });
}

/**
 * Each settlement's claimed slips become SETTLED, announced once per settlement (a repeat matches nothing).
 * Settlements are disjoint (one per run and franchise), so one statement marks them all.
 */
async function markSettled(tx: Queryable, cmds: readonly Settle[]): Promise<boolean> {
  const rows = await tx.query<{ settlementId: string; count: number }>(
    `WITH s AS (
       SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS s("runId" text, "franchiseId" text, "settlementId" text)),
     settled AS (
       UPDATE payment.payments p SET status = 'SETTLED', settlement_id = s."settlementId", settled_at = now()
       FROM s WHERE p.franchise_id = s."franchiseId" AND p.status = 'NORMAL' AND p.settlement_run_id = s."runId"
       RETURNING s."settlementId")
     SELECT "settlementId", count(*)::int AS count FROM settled GROUP BY "settlementId"`,
    [JSON.stringify(cmds)],
  );
  const counts = new Map(rows.map((r) => [r.settlementId, r.count]));
  const groups = cmds.flatMap((cmd) => {
    const paymentCount = counts.get(cmd.settlementId) ?? 0;
    counts.delete(cmd.settlementId);
    if (paymentCount === 0) return [];
    const data: PaymentsSettled = { ...cmd, paymentCount };
    const context = { correlationId: cmd.runId, causationId: cmd.settlementId };
    return [{ events: [{ type: paymentEvents.PaymentsSettled, data }], context }];
  });
  await recordEventGroups(tx, paymentSchema, groups);
  return groups.length > 0;
}
