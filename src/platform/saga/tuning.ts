import type { SagaBudget, SagaEngineOptions, SagaFaults } from "./engine.js";

/** How a context's saga engine is tuned: production defaults, shorter in tests. */
export interface SagaTuning {
  /**
   * How long a saga waits on an answer it cannot have yet (a bank's UNKNOWN, an auto-recharge in
   * flight) before it looks again (default 60 s; an event wakes it as soon as the answer is known).
   */
  readonly sagaWaitMs?: number;
  /** Faults and waits of a saga step in a row before the saga is STUCK; by default ~20 min of waits. */
  readonly sagaBudget?: Partial<SagaBudget>;
  /** How often the saga worker looks for due sagas (default 1 s). */
  readonly sagaPollMs?: number;
  /** Backoff after an infrastructure fault in a saga step. */
  readonly sagaRetry?: { baseMs: number; maxMs: number };
  /** How long a runner holds a saga; a crashed runner's sagas are resumed after it (default 30 s). */
  readonly sagaLeaseMs?: number;
  /** Test hooks that stop a saga as if the process died. */
  readonly sagaFaults?: SagaFaults;
  /** How many due sagas the worker drives per round (fewer on PGlite, which shares our thread). */
  readonly sagaBatchSize?: number;
}

export const defaultSagaWaitMs = 60_000;

/** The engine options a tuning gives (everything but the db, schema, definitions and logger). */
export function sagaEngineTuning(
  tuning: SagaTuning,
): Omit<SagaEngineOptions, "db" | "schema" | "definitions" | "logger"> {
  const waitMs = tuning.sagaWaitMs ?? defaultSagaWaitMs;
  // Twenty waits of the default 60 s: a shorter wait (tests) gets more of them, not a shorter patience.
  const waits = Math.max(20, Math.ceil((20 * defaultSagaWaitMs) / waitMs));
  return {
    pollMs: tuning.sagaPollMs ?? 1_000,
    ...(tuning.sagaRetry ? { retry: tuning.sagaRetry } : {}),
    ...(tuning.sagaLeaseMs ? { leaseMs: tuning.sagaLeaseMs } : {}),
    ...(tuning.sagaFaults ? { faults: tuning.sagaFaults } : {}),
    ...(tuning.sagaBatchSize ? { batchSize: tuning.sagaBatchSize } : {}),
    budget: { waits, ...tuning.sagaBudget },
  };
}
