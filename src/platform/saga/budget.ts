// The retry budget: how a saga stops retrying (STUCK) instead of retrying forever.
import type { StepEnv } from "./run-step.js";
import type { SagaRow } from "./store.js";
import type { SagaPhase, SagaStatus } from "./types.js";

/** What a saga in this status runs next: an action, or a compensation. */
export const phaseOf = (row: SagaRow): SagaPhase =>
  row.status === "COMPENSATING" ? "compensation" : "action";

/** How much a step may fault or wait in a row before the saga is STUCK (for a person to look at). */
export interface SagaBudget {
  /** Consecutive infrastructure faults of a step's action or compensation. */
  readonly attempts: number;
  /** Consecutive waits of a step that ended without its answer. */
  readonly waits: number;
}

/** Leaves the saga at its step after a fault, due again after a jittered backoff; STUCK out of budget. */
export async function backoff(
  env: StepEnv,
  row: SagaRow,
  step: string,
  error: unknown,
): Promise<SagaRow | undefined> {
  const attempts = row.attempts + 1;
  const ceiling = Math.min(env.retry.maxMs, env.retry.baseMs * 2 ** (attempts - 1));
  // Jitter keeps sagas that failed together (a bank outage) from retrying together.
  const delayMs = Math.round(ceiling * (0.5 + Math.random() / 2));
  const stuck = attempts >= env.budget.attempts;
  const message = error instanceof Error ? error.message : String(error);
  env.logger.warn(
    { sagaId: row.id, type: row.type, step, attempts, delayMs, err: error },
    "saga step faulted",
  );
  if (!stuck) return env.store.backoff(env.db, row, delayMs, message, false);
  const next = await env.db.tx(async (tx) => {
    const stopped = await env.store.backoff(tx, row, delayMs, message, true);
    const detail = { attempts, lastError: message };
    if (stopped) await env.store.log(tx, row.id, { step, phase: phaseOf(row), outcome: "stuck", detail });
    return stopped;
  });
  if (next) reportStuck(env, row, step, row.status, message);
  return next;
}

/** A saga out of budget needs a person: say so loudly, with what they need to look at. */
export function reportStuck(env: StepEnv, row: SagaRow, step: string, from: SagaStatus, lastError: string) {
  env.logger.error(
    { sagaId: row.id, type: row.type, step, lastError, stuckFrom: from },
    "saga STUCK: out of its retry budget; staff can retry it (POST /v1/admin/sagas/{id}/retry)",
  );
}
