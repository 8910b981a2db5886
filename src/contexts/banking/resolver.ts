import type { BankingDeps } from "./deps.js";
import { settle } from "./firmbanking.js";
import { claimDue } from "./firmbanking-store.js";

/**
 * The resolver: finishes firmbanking whose answer did not come (UNKNOWN) or that a dead process
 * never sent (REQUESTED, stale), by asking the bank about the same requestId. It is the only code
 * that asks the bank again; callers learn the outcome from its FirmbankingCompleted event. After
 * resolverMaxChecks unanswered checks it stops (the saga waiting on it ends STUCK, for staff).
 */

const batchSize = 20;

/** One round: settles the open requests that are due; returns how many it looked at. */
export async function resolveDue(deps: BankingDeps): Promise<number> {
  const now = deps.clock.now();
  // Outlives any one settle (a GET and a POST, each with its timeout and retries).
  const leaseUntil = new Date(now.getTime() + deps.staleRequestMs);
  const due = await claimDue(deps.db, now, leaseUntil, batchSize, deps.resolverMaxChecks);
  await Promise.all(
    due.map((f) =>
      settle(deps, f).catch((error: unknown) => {
        // The lease expires and another round tries again.
        deps.logger.error({ err: error, requestId: f.requestId }, "resolving firmbanking failed");
      }),
    ),
  );
  return due.length;
}

export { batchSize as resolverBatchSize };
