import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { Cron } from "croner";
import type { Queryable } from "../../platform/db/db.js";
import type { SettlementDeps } from "./deps.js";
import { startRun } from "./settlement-run.js";

/**
 * The settlement schedule (MYPAY_SETTLEMENT_CRON, in the configured time zone). Every replica keeps
 * the cron; one scheduled run at a time is made across them by a lease row, and the run's identity
 * is its slot (UNIQUE scheduled_for), so two replicas firing the same slot make one run.
 */

export interface Schedule {
  start(): void;
  /** Stops the cron and waits for a run it is making. */
  stop(): Promise<void>;
  /** The run of one slot (cutoff = the slot); its id, or undefined when another replica has it or made it. */
  fire(slot: Date): Promise<string | undefined>;
}

/** Longer than claiming and recording a run takes; a holder that died frees the lease after it. */
const defaultLeaseMs = 5 * 60_000;

/** Takes the lease with one conditional UPDATE: free, run out, or already ours. */
async function takeLease(q: Queryable, holder: string, leaseMs: number): Promise<boolean> {
  const rows = await q.query(
    `UPDATE settlement.schedule_lease SET holder = $1, expires_at = now() + ($2::bigint * interval '1 millisecond')
     WHERE name = 'settlement-run' AND (holder = $1 OR expires_at < now()) RETURNING 1`,
    [holder, leaseMs],
  );
  return rows.length > 0;
}

async function releaseLease(q: Queryable, holder: string): Promise<void> {
  await q.query(
    `UPDATE settlement.schedule_lease SET holder = NULL, expires_at = '-infinity'
     WHERE name = 'settlement-run' AND holder = $1`,
    [holder],
  );
}

export function createSchedule(
  deps: SettlementDeps,
  options: { holder?: string; leaseMs?: number } = {},
): Schedule {
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const leaseMs = options.leaseMs ?? defaultLeaseMs;
  const log = deps.logger.child({ job: "settlement-schedule" });
  let job: Cron | undefined;
  let firing: Promise<void> = Promise.resolve();

  async function fire(slot: Date): Promise<string | undefined> {
    if (!(await takeLease(deps.db, holder, leaseMs))) return undefined;
    try {
      const cmd = { cutoff: slot, scheduledFor: slot, requestedBy: null, idempotency: null };
      const runId = await startRun(deps, cmd);
      if (runId === undefined) return undefined;
      log.info({ runId, slot: slot.toISOString() }, "scheduled settlement run started");
      await deps.engine.run(runId);
      deps.kickRelay();
      return runId;
    } finally {
      await releaseLease(deps.db, holder);
    }
  }

  // The slot is the pattern's time, not the moment the timer fired: every replica agrees on it.
  const tick = async (cron: Cron): Promise<void> => {
    const slot = cron.previousRuns(1, new Date())[0];
    if (!slot) return;
    firing = fire(slot).then(
      () => {},
      (err) => log.error({ err, slot }, "scheduled settlement run failed"),
    );
    await firing;
  };

  return {
    start() {
      job ??= new Cron(deps.config.settlementCron, { timezone: deps.config.timeZone, protect: true }, tick);
    },
    async stop() {
      job?.stop();
      job = undefined;
      await firing;
    },
    fire,
  };
}
