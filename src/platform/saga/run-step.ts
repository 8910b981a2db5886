import type { Db, Queryable } from "../db/db.js";
import type { Logger } from "../logging.js";
import type { SagaRow, SagaStore, Transition } from "./store.js";
import {
  type AnySagaDefinition,
  type CheckedEffect,
  type CompensationOutcome,
  type Effect,
  type SagaContext,
  type SagaFaults,
  type SagaPhase,
  SimulatedCrash,
  type StepOutcome,
} from "./types.js";

export interface StepEnv {
  readonly db: Db;
  readonly store: SagaStore;
  readonly logger: Logger;
  readonly leaseMs: number;
  readonly retry: { readonly baseMs: number; readonly maxMs: number };
  /** Consecutive faults of one compensation after which the saga is FAILED (for a person to look at). */
  readonly compensationAttemptLimit: number;
  readonly faults: SagaFaults | undefined;
}

/** Another runner took the saga over (our lease ran out): what we did must not commit. */
class LeaseLost extends Error {}

/** An effect refused the step: roll its writes back, then record the failure. */
class Refused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

type Outcome = StepOutcome<unknown> | CompensationOutcome<unknown>;
type Commit = (tx: Queryable, data: unknown) => Promise<void>;

/** The greatest index below `below` whose step has a compensation; -1 when none is left. */
export function previousCompensable(def: AnySagaDefinition, below: number): number {
  for (let i = below - 1; i >= 0; i--) if (def.steps[i]?.compensate) return i;
  return -1;
}

/**
 * Runs the saga's current action or compensation once, outside any transaction, and commits what
 * it produced. Returns the saga as it now stands, or undefined if another runner has it.
 */
export async function runStep(
  env: StepEnv,
  def: AnySagaDefinition,
  row: SagaRow,
): Promise<SagaRow | undefined> {
  const phase: SagaPhase = row.status === "COMPENSATING" ? "compensation" : "action";
  const step = def.steps[row.step];
  const ctx: SagaContext = {
    sagaId: row.id,
    type: row.type,
    correlationId: row.correlation_id,
    step: step?.name ?? "(end)",
    attempts: row.attempts,
  };
  let outcome: Outcome;
  try {
    if (!step) outcome = { kind: "next" };
    else if (phase === "action") outcome = await step.action(row.data, ctx);
    else outcome = step.compensate ? await step.compensate(row.data, ctx) : { kind: "done" };
  } catch (error) {
    return backoff(env, row, error);
  }
  crash(env, "crashBeforeCommit", ctx.step, phase);
  let next: SagaRow | undefined;
  try {
    next = await commit(env, def, row, outcome, ctx);
  } catch (error) {
    if (error instanceof LeaseLost) {
      env.logger.warn({ sagaId: row.id, step: ctx.step }, "saga lease lost; another runner goes on");
      return undefined;
    }
    // The effect did not commit: the step is run again later, which actions allow.
    return backoff(env, row, error);
  }
  crash(env, "crashAfter", ctx.step, phase);
  return next;
}

function crash(env: StepEnv, hook: keyof SagaFaults, step: string, phase: SagaPhase): void {
  if (env.faults?.[hook]?.(step, phase)) throw new SimulatedCrash(step, phase, hook);
}

async function commit(
  env: StepEnv,
  def: AnySagaDefinition,
  row: SagaRow,
  outcome: Outcome,
  ctx: SagaContext,
) {
  const data = outcome.data === undefined ? row.data : outcome.data;
  const phase: SagaPhase = row.status === "COMPENSATING" ? "compensation" : "action";
  if (outcome.kind === "wait") {
    const status = phase === "action" ? "WAITING" : row.status;
    const to: Transition = { status, step: row.step, data, keepLease: false, waitMs: outcome.retryInMs };
    const log = {
      step: ctx.step,
      phase,
      outcome: "waiting" as const,
      detail: { retryInMs: outcome.retryInMs },
    };
    return transact(env, row, to, data, async (tx) => env.store.log(tx, row.id, log));
  }
  if (outcome.kind === "fail") return commitFailure(env, def, row, data, outcome.reason, ctx, outcome.effect);
  if (outcome.kind === "done") return commitCompensated(env, def, row, data, ctx, outcome.effect);
  try {
    return await commitDone(env, def, row, data, ctx, outcome.effect);
  } catch (error) {
    if (error instanceof Refused) return commitFailure(env, def, row, data, error.reason, ctx);
    throw error;
  }
}

async function commitDone(
  env: StepEnv,
  def: AnySagaDefinition,
  row: SagaRow,
  data: unknown,
  ctx: SagaContext,
  effect: CheckedEffect<unknown> | undefined,
) {
  const last = row.step + 1 >= def.steps.length;
  const to: Transition = last
    ? { status: "COMPLETED", step: def.steps.length, data, keepLease: false }
    : { status: "RUNNING", step: row.step + 1, data, keepLease: true };
  return transact(env, row, to, data, async (tx, d) => {
    const refusal = await effect?.(tx, d, ctx);
    if (refusal) throw new Refused(refusal.fail);
    if (row.step < def.steps.length)
      await env.store.log(tx, row.id, { step: ctx.step, phase: "action", outcome: "done" });
    if (last) await def.onCompleted?.(tx, d, ctx);
  });
}

async function commitFailure(
  env: StepEnv,
  def: AnySagaDefinition,
  row: SagaRow,
  data: unknown,
  reason: string,
  ctx: SagaContext,
  effect?: Effect<unknown>,
) {
  const target = previousCompensable(def, row.step);
  const to: Transition = { ...towards(target, data), failureReason: reason };
  return transact(env, row, to, data, async (tx, d) => {
    await effect?.(tx, d, ctx);
    await env.store.log(tx, row.id, {
      step: ctx.step,
      phase: "action",
      outcome: "failed",
      detail: { reason },
    });
    if (target < 0) await def.onCompensated?.(tx, d, reason, ctx);
  });
}

async function commitCompensated(
  env: StepEnv,
  def: AnySagaDefinition,
  row: SagaRow,
  data: unknown,
  ctx: SagaContext,
  effect?: Effect<unknown>,
) {
  const target = previousCompensable(def, row.step);
  return transact(env, row, towards(target, data), data, async (tx, d) => {
    await effect?.(tx, d, ctx);
    await env.store.log(tx, row.id, { step: ctx.step, phase: "compensation", outcome: "done" });
    if (target < 0) await def.onCompensated?.(tx, d, row.failure_reason ?? "unknown", ctx);
  });
}

/** Compensate the step at `target` next, or end COMPENSATED when there is none. */
function towards(target: number, data: unknown): Transition {
  return target < 0
    ? { status: "COMPENSATED", step: 0, data, keepLease: false }
    : { status: "COMPENSATING", step: target, data, keepLease: true };
}

/** The saga row first, so a runner that lost the lease writes nothing; then the step's writes. */
async function transact(env: StepEnv, row: SagaRow, to: Transition, data: unknown, writes: Commit) {
  return env.db.tx(async (tx) => {
    const next = await env.store.advance(tx, row, to, env.leaseMs);
    if (!next) throw new LeaseLost();
    await writes(tx, data);
    return next;
  });
}

async function backoff(env: StepEnv, row: SagaRow, error: unknown): Promise<SagaRow | undefined> {
  const attempts = row.attempts + 1;
  const ceiling = Math.min(env.retry.maxMs, env.retry.baseMs * 2 ** (attempts - 1));
  // Jitter keeps sagas that failed together (a bank outage) from retrying together.
  const delayMs = Math.round(ceiling * (0.5 + Math.random() / 2));
  const giveUp = row.status === "COMPENSATING" && attempts >= env.compensationAttemptLimit;
  const message = error instanceof Error ? error.message : String(error);
  const log = giveUp ? env.logger.error.bind(env.logger) : env.logger.warn.bind(env.logger);
  log({ sagaId: row.id, type: row.type, step: row.step, attempts, delayMs, err: error }, "saga step faulted");
  return env.store.backoff(env.db, row, delayMs, message, giveUp);
}
