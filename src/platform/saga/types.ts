import type { Queryable } from "../db/db.js";

/** STUCK: out of its retry budget, left alone until staff retry it (back to the status it was stuck from). */
export type SagaStatus = "RUNNING" | "WAITING" | "COMPENSATING" | "COMPLETED" | "COMPENSATED" | "STUCK";
export type LiveStatus = "RUNNING" | "WAITING" | "COMPENSATING";
export type SagaPhase = "action" | "compensation";

/** What every action, compensation and effect is told about the saga it serves. */
export interface SagaContext {
  readonly sagaId: string;
  readonly type: string;
  readonly correlationId: string;
  /** The step being run or compensated. */
  readonly step: string;
  /** Infrastructure faults of this step so far in a row (0 on a first try). */
  readonly attempts: number;
}

/** What an action or compensation is also given: a way to record progress before an external call. */
export interface StepContext extends SagaContext {
  /**
   * Commits `data` as the saga's data now, fenced like a step (only the lease holder, at the state it
   * read) and renewing the lease; `note` goes to the step log. Throws if the lease is lost: the
   * action must then stop, another runner has the saga. Call it right before a call that must not
   * be made by a runner that lost the saga (sending money).
   */
  checkpoint(data: unknown, note: string): Promise<void>;
}

/** A step's local writes: SQL only, committed in the transaction that records the step. */
export type Effect<D> = (tx: Queryable, data: D, ctx: SagaContext) => Promise<void>;

/** The step cannot finish: the reason is logged and handed to onCompensated. */
export interface Refusal {
  readonly fail: string;
}

/**
 * Like Effect, but may refuse (a conditional UPDATE that matched nothing, say): its writes are then
 * rolled back and the step fails as if the action had answered `fail`.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: an effect that returns nothing accepted the step
export type CheckedEffect<D> = (tx: Queryable, data: D, ctx: SagaContext) => Promise<Refusal | void>;

/**
 * Runs the step's commit (the saga's advance and its writes, `commit`) inside a transaction of the
 * step's own choosing, e.g. a group commit batch that posts the step's money with others' (issue 8).
 * It must run `commit` once in that transaction and fail if that transaction does not commit.
 */
export type CommitVia = (commit: (tx: Queryable) => Promise<void>) => Promise<void>;

export type StepOutcome<D> =
  /**
   * Done: `data` replaces the saga's data; `effect` commits with the step, in the engine's own
   * transaction or, with `commitVia`, in the one it gives.
   */
  | {
      readonly kind: "next";
      readonly data?: D;
      readonly effect?: CheckedEffect<D>;
      readonly commitVia?: CommitVia;
    }
  /** Not known yet (a bank answer UNKNOWN): try the action again after retryInMs, or when woken. */
  | { readonly kind: "wait"; readonly data?: D; readonly retryInMs: number }
  /** Cannot finish: compensate the completed steps in reverse. */
  | { readonly kind: "fail"; readonly reason: string; readonly data?: D; readonly effect?: Effect<D> };

export type CompensationOutcome<D> =
  | { readonly kind: "done"; readonly data?: D; readonly effect?: Effect<D> }
  | { readonly kind: "wait"; readonly data?: D; readonly retryInMs: number };

/**
 * One step. Both functions run outside any transaction and may be run again after a crash, so
 * an external call carries a request id that an earlier, committed step put in `data`.
 */
export interface SagaStep<D> {
  readonly name: string;
  action(data: D, ctx: StepContext): Promise<StepOutcome<D>>;
  compensate?(data: D, ctx: StepContext): Promise<CompensationOutcome<D>>;
}

export interface SagaDefinition<D> {
  /** Stored with each saga: give a changed list of steps a new type while old sagas are in flight. */
  readonly type: string;
  readonly steps: readonly SagaStep<D>[];
  /** Runs in the transaction of the last step. */
  onCompleted?(tx: Queryable, data: D, ctx: SagaContext): Promise<void>;
  /** Runs in the transaction of the last compensation (or of the failure, if nothing needed undoing). */
  onCompensated?(tx: Queryable, data: D, reason: string, ctx: SagaContext): Promise<void>;
  /** Runs when staff retry the STUCK saga, before it is due again (ask again about what it waits on). */
  onRetry?(data: D, ctx: SagaContext): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: one engine runs sagas of different data types
export type AnySagaDefinition = SagaDefinition<any>;

export interface NewSaga<D = unknown> {
  readonly id: string;
  readonly type: string;
  /** JSON: it is stored as JSONB and read back before every step. */
  readonly data: D;
  readonly correlationId: string;
}

export interface SagaLogEntry {
  readonly seq: number;
  readonly step: string;
  readonly phase: SagaPhase;
  readonly outcome: "done" | "waiting" | "failed" | "checkpoint" | "stuck" | "retried";
  readonly detail: unknown;
  readonly at: Date;
}

export interface SagaView<D = unknown> {
  readonly id: string;
  readonly type: string;
  readonly status: SagaStatus;
  /** The step that runs (or is compensated) next; undefined once the saga is over. */
  readonly step: string | undefined;
  /** The status a STUCK saga goes back to when retried; null otherwise. */
  readonly stuckFrom: LiveStatus | null;
  readonly data: D;
  readonly correlationId: string;
  readonly attempts: number;
  /** Waits of the current step so far in a row that ended without the answer. */
  readonly waits: number;
  readonly nextRunAt: Date;
  readonly lastError: string | null;
  readonly failureReason: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly log: readonly SagaLogEntry[];
}

export interface SagaFaults {
  /** Throw SimulatedCrash after the step's transaction commits, as if the process died there. */
  crashAfter?(step: string, phase: SagaPhase): boolean;
  /** Throw SimulatedCrash after the action (its external call) returned but before its commit. */
  crashBeforeCommit?(step: string, phase: SagaPhase): boolean;
}

/** Thrown by the `faults` hooks; the lease is left to run out, as a dead process would leave it. */
export class SimulatedCrash extends Error {
  constructor(step: string, phase: SagaPhase, when: string) {
    super(`simulated crash ${when} ${step} (${phase})`);
    this.name = "SimulatedCrash";
  }
}
