import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { Cron } from "croner";
import { createLease } from "../../platform/lease.js";
import { type SettlementDeps, settlementSchema } from "./deps.js";
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

export function createSchedule(
  deps: SettlementDeps,
  options: { holder?: string; leaseMs?: number } = {},
): Schedule {
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const leaseMs = options.leaseMs ?? defaultLeaseMs;
  const lease = createLease(deps.db, { schema: settlementSchema, name: "settlement-run", holder, leaseMs });
  const log = deps.logger.child({ job: "settlement-schedule" });
  let job: Cron | undefined;
  let firing: Promise<void> = Promise.resolve();

  async function fire(slot: Date): Promise<string | undefined> {
    if (!(await lease.take())) return undefined;
    try {
      const cmd = { cutoff: slot, scheduledFor: slot, requestedBy: null, idempotency: null };
      const runId = await startRun(deps, cmd);
      if (runId === undefined) return undefined;
      log.info({ runId, slot: slot.toISOString() }, "scheduled settlement run started");
      await deps.engine.run(runId);
      deps.kickRelay();
      return runId;
    } finally {
      await lease.release();
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
