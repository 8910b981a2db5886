import type { Db, Queryable } from "../db/db.js";
import type { Logger } from "../logging.js";
import { backoff, phaseOf, reportStuck, type SagaBudget } from "./budget.js";
import type { LogRow, SagaRow, SagaStore, Transition } from "./store.js";
import {
  type AnySagaDefinition,
  type CheckedEffect,
  type CommitVia,
  type CompensationOutcome,
  type Effect,
  type LiveStatus,
  type SagaContext,
  type SagaFaults,
  type SagaPhase,
  SimulatedCrash,
  type StepContext,
  type StepOutcome,
} from "./types.js";

export interface StepEnv {
  readonly db: Db;
  readonly store: SagaStore;
  readonly logger: Logger;
  readonly leaseMs: number;
  readonly retry: { readonly baseMs: number; readonly maxMs: number };
  readonly budget: SagaBudget;
  readonly faults: SagaFaults | undefined;
}

export type { SagaBudget };

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
  const phase = phaseOf(row);
  const step = def.steps[row.step];
  // The saga as this run last committed it: a checkpoint changes its data, not its fence.
  let current = row;
  const ctx: StepContext = {
    sagaId: row.id,
    type: row.type,
    correlationId: row.correlation_id,
    step: step?.name ?? "(end)",
    attempts: row.attempts,
    async checkpoint(data, note) {
      current = await checkpoint(env, current, data, { step: ctx.step, phase, note });
    },
  };
  let outcome: Outcome;
  try {
    if (!step) outcome = { kind: "next" };
    else if (phase === "action") outcome = await step.action(current.data, ctx);
    else outcome = step.compensate ? await step.compensate(current.data, ctx) : { kind: "done" };
  } catch (error) {
    if (error instanceof LeaseLost) return lost(env, row, ctx.step);
    return backoff(env, current, ctx.step, error);
  }
  crash(env, "crashBeforeCommit", ctx.step, phase);
  let next: SagaRow | undefined;
  try {
    next = await commit(env, def, current, outcome, ctx);
  } catch (error) {
    if (error instanceof LeaseLost) return lost(env, row, ctx.step);
    // The effect did not commit: the step is run again later, which actions allow.
    return backoff(env, current, ctx.step, error);
  }
  crash(env, "crashAfter", ctx.step, phase);
  return next;
}

function lost(env: StepEnv, row: SagaRow, step: string): undefined {
  env.logger.warn({ sagaId: row.id, step }, "saga lease lost; another runner goes on");
  return undefined;
}

async function checkpoint(
  env: StepEnv,
  row: SagaRow,
  data: unknown,
  at: { step: string; phase: SagaPhase; note: string },
): Promise<SagaRow> {
  const entry: LogRow = { step: at.step, phase: at.phase, outcome: "checkpoint", detail: { note: at.note } };
  if (!(await env.store.checkpoint(env.db, row, data, env.leaseMs, entry))) throw new LeaseLost();
  return { ...row, data };
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
  if (outcome.kind === "wait") return commitWait(env, row, data, outcome.retryInMs, ctx);
  if (outcome.kind === "fail") return commitFailure(env, def, row, data, outcome.reason, ctx, outcome.effect);
  if (outcome.kind === "done") return commitCompensated(env, def, row, data, ctx, outcome.effect);
  try {
    return await commitDone(env, def, row, data, ctx, outcome.effect, outcome.commitVia);
  } catch (error) {
    if (error instanceof Refused) return commitFailure(env, def, row, data, error.reason, ctx);
    throw error;
  }
}

/** Parks the saga until woken or retryInMs passed; STUCK once the step has waited its budget. */
async function commitWait(env: StepEnv, row: SagaRow, data: unknown, retryInMs: number, ctx: SagaContext) {
  const phase = phaseOf(row);
  const waiting: LiveStatus = phase === "action" ? "WAITING" : "COMPENSATING";
  const stuck = row.waits + 1 >= env.budget.waits;
  const to: Transition = stuck
    ? { status: "STUCK", stuckFrom: waiting, step: row.step, data, keepLease: false, waited: true }
    : { status: waiting, step: row.step, data, keepLease: false, waitMs: retryInMs, waited: true };
  const logs: LogRow[] = [{ step: ctx.step, phase, outcome: "waiting", detail: { retryInMs } }];
  if (stuck) logs.push({ step: ctx.step, phase, outcome: "stuck", detail: { waits: row.waits + 1 } });
  const next = await transact(env, row, to, logs);
  if (stuck) reportStuck(env, row, ctx.step, waiting, `no answer after ${row.waits + 1} waits`);
  return next;
}

async function commitDone(
  env: StepEnv,
  def: AnySagaDefinition,
  row: SagaRow,
  data: unknown,
  ctx: SagaContext,
  effect: CheckedEffect<unknown> | undefined,
  via?: CommitVia,
) {
  const last = row.step + 1 >= def.steps.length;
  const to: Transition = last
    ? { status: "COMPLETED", step: def.steps.length, data, keepLease: false }
    : { status: "RUNNING", step: row.step + 1, data, keepLease: true };
  const logs: LogRow[] =
    row.step < def.steps.length ? [{ step: ctx.step, phase: "action", outcome: "done" }] : [];
  const completed = last ? def.onCompleted : undefined;
  const writes: Commit | undefined =
    effect || completed
      ? async (tx, d) => {
          const refusal = await effect?.(tx, d, ctx);
          if (refusal) throw new Refused(refusal.fail);
          await completed?.(tx, d, ctx);
        }
      : undefined;
  return transact(env, row, to, logs, writes, via);
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
  const logs: LogRow[] = [{ step: ctx.step, phase: "action", outcome: "failed", detail: { reason } }];
  const compensated = target < 0 ? def.onCompensated : undefined;
  const writes: Commit | undefined =
    effect || compensated
      ? async (tx, d) => {
          await effect?.(tx, d, ctx);
          await compensated?.(tx, d, reason, ctx);
        }
      : undefined;
  return transact(env, row, to, logs, writes);
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
  const logs: LogRow[] = [{ step: ctx.step, phase: "compensation", outcome: "done" }];
  const compensated = target < 0 ? def.onCompensated : undefined;
  const writes: Commit | undefined =
    effect || compensated
      ? async (tx, d) => {
          await effect?.(tx, d, ctx);
          await compensated?.(tx, d, row.failure_reason ?? "unknown", ctx);
        }
      : undefined;
  return transact(env, row, towards(target, data), logs, writes);
}

/** Compensate the step at `target` next, or end COMPENSATED when there is none. */
function towards(target: number, data: unknown): Transition {
  return target < 0
    ? { status: "COMPENSATED", step: 0, data, keepLease: false }
    : { status: "COMPENSATING", step: target, data, keepLease: true };
}

/**
 * The saga row and its log first, so a runner that lost the lease writes nothing; then the step's
 * writes, in the same transaction. Without writes the one fenced statement is the commit: no
 * transaction (two round trips fewer). With `via`, in the transaction it gives (types.ts CommitVia).
 */
async function transact(
  env: StepEnv,
  row: SagaRow,
  to: Transition,
  logs: LogRow[],
  writes?: Commit,
  via?: CommitVia,
) {
  if (via) {
    let next: SagaRow | undefined;
    await via(async (tx) => {
      next = await env.store.advance(tx, row, to, env.leaseMs, logs);
      if (!next) throw new LeaseLost();
      await writes?.(tx, to.data);
    });
    if (!next) throw new Error("the step's commit did not run");
    return next;
  }
  if (!writes) {
    const next = await env.store.advance(env.db, row, to, env.leaseMs, logs);
    if (!next) throw new LeaseLost();
    return next;
  }
  return env.db.tx(async (tx) => {
    const next = await env.store.advance(tx, row, to, env.leaseMs, logs);
    if (!next) throw new LeaseLost();
    await writes(tx, to.data);
    return next;
  });
}
