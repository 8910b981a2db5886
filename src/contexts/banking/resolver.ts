import type { BankingDeps } from "./deps.js";
import { settle } from "./firmbanking.js";
import { claimDue } from "./firmbanking-store.js";

/**
 * The resolver: finishes firmbanking whose answer did not come (UNKNOWN) or that a dead process
 * never sent (REQUESTED, stale), by asking the bank about the same requestId.
 */

const batchSize = 20;

/** One round: settles the open requests that are due; returns how many it looked at. */
export async function resolveDue(deps: BankingDeps): Promise<number> {
  const now = deps.clock.now();
  // Outlives any one settle (a GET and a POST, each with its timeout and retries).
  const leaseUntil = new Date(now.getTime() + deps.staleRequestMs);
  const due = await claimDue(deps.db, now, leaseUntil, batchSize);
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

export interface BackgroundJob {
  stop(): Promise<void>;
}

/**
 * Runs `round` every pollMs (sooner while rounds come back full) until stopped; stop waits for the
 * round in progress.
 */
export function startLoop(
  round: () => Promise<boolean>,
  pollMs: number,
  onError: (error: unknown) => void,
): BackgroundJob {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      running = run();
    }, ms);
  };
  const run = async () => {
    let more = false;
    try {
      more = await round();
    } catch (error) {
      onError(error);
    }
    if (!stopped) schedule(more ? 0 : pollMs);
  };
  schedule(0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

export { batchSize as resolverBatchSize };
