import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { createBackgroundLoop } from "../background-loop.js";
import type { Db, Queryable } from "../db/db.js";
import type { Logger } from "../logging.js";
import { runStep, type StepEnv } from "./run-step.js";
import { liveStatuses, type SagaRow, sagaStore } from "./store.js";
import type { AnySagaDefinition, NewSaga, SagaFaults, SagaLogEntry, SagaView } from "./types.js";

export * from "./types.js";

export interface SagaEngineOptions {
  readonly db: Db;
  /** The owning context's schema: the saga rows and the step effects live there. */
  readonly schema: string;
  readonly definitions: readonly AnySagaDefinition[];
  readonly logger: Logger;
  /** Names this engine in lease rows; unique per instance by default. */
  readonly holder?: string;
  /** How often the worker looks for due sagas when nobody wakes it. */
  readonly pollMs?: number;
  /** How long one runner may hold a saga without committing a step; longer than any action takes. */
  readonly leaseMs?: number;
  /** Backoff after an infrastructure fault: jittered, doubling from baseMs up to maxMs. */
  readonly retry?: { readonly baseMs: number; readonly maxMs: number };
  readonly compensationAttemptLimit?: number;
  /** How many due sagas the worker drives at once. */
  readonly batchSize?: number;
  readonly faults?: SagaFaults;
}

export interface SagaEngine {
  /**
   * Inserts the saga inside the caller's transaction, with the business row it serves. With `reserve`
   * it is this engine's to run: call run(id) after the commit (a request that answers with the
   * outcome); the worker takes it only if that never happens (the process died), once the lease ran out.
   */
  start<D>(tx: Queryable, saga: NewSaga<D>, options?: { reserve?: boolean }): Promise<void>;
  /** Drives the saga as far as it can go now (if due and not held elsewhere); undefined if unknown. */
  run<D = unknown>(id: string): Promise<SagaView<D> | undefined>;
  /** Makes a waiting (or backing-off) saga due now, e.g. when an event brings the bank's answer. */
  wake(id: string): Promise<void>;
  get<D = unknown>(id: string): Promise<SagaView<D> | undefined>;
  /** One worker round: drives the sagas that are due; returns how many it took. */
  runDue(): Promise<number>;
  /** Resumes due sagas in the background: after a crash or restart, or when a wait runs out. */
  startWorker(): void;
  /** Stops the worker; runs in flight stop after their current step and hand their sagas back. */
  stop(): Promise<void>;
}

const isLive = (row: SagaRow) => liveStatuses.includes(row.status);

/** The one durable saga engine of a context's schema (DESIGN.md "Bounded contexts"; STYLE.md rule 8). */
export function createSagaEngine(options: SagaEngineOptions): SagaEngine {
  const { db, logger } = options;
  const definitions = new Map(options.definitions.map((d) => [d.type, d]));
  const types = [...definitions.keys()];
  const store = sagaStore(options.schema);
  const env: StepEnv = {
    db,
    store,
    logger: logger.child({ sagas: options.schema }),
    leaseMs: options.leaseMs ?? 30_000,
    retry: options.retry ?? { baseMs: 1_000, maxMs: 5 * 60_000 },
    compensationAttemptLimit: options.compensationAttemptLimit ?? Number.POSITIVE_INFINITY,
    faults: options.faults,
  };
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const running = new Map<string, Promise<void>>();
  const pollMs = options.pollMs ?? 1_000;
  // Polls, or goes again at once while there was work; a wake() cuts the wait short.
  const worker = createBackgroundLoop({
    round: async () => ((await runDue()) > 0 ? 0 : pollMs),
    onError(err) {
      env.logger.error({ err }, "saga worker round failed");
      return pollMs;
    },
  });
  let claims = 0;
  let stopping = false;

  // Each claim gets its own token, so two runs in one process never both pass the fence.
  const token = () => `${holder}#${++claims}`;
  // What a saga started here is reserved for until this engine's run() takes it (see store.insert).
  const starter = `${holder}#start`;

  function definition(type: string): AnySagaDefinition {
    const def = definitions.get(type);
    if (!def) throw new Error(`no saga definition for type ${type}`);
    return def;
  }

  /** Runs steps while this runner holds the lease and the saga can go on now. */
  async function drive(claimed: SagaRow): Promise<void> {
    const holderToken = claimed.lock_holder ?? "";
    let row: SagaRow | undefined = claimed;
    while (row && isLive(row) && row.lock_holder === holderToken) {
      if (stopping) return store.release(db, row.id, holderToken);
      row = await runStep(env, definition(row.type), row);
    }
  }

  function track(id: string, work: () => Promise<void>): Promise<void> {
    const promise: Promise<void> = work().finally(() => {
      if (running.get(id) === promise) running.delete(id);
    });
    running.set(id, promise);
    return promise;
  }

  async function runDue(): Promise<number> {
    if (types.length === 0) return 0;
    const rows = await store.claimDue(db, token(), env.leaseMs, options.batchSize ?? 8, types);
    const drives = rows.map((row) =>
      track(row.id, () => drive(row)).catch((err) =>
        env.logger.error({ err, sagaId: row.id }, "saga run stopped"),
      ),
    );
    await Promise.all(drives);
    return rows.length;
  }

  async function get<D>(id: string): Promise<SagaView<D> | undefined> {
    const row = await store.view(db, id);
    return row && toView<D>(row, definitions.get(row.type));
  }

  return {
    start: (tx, saga, options) => {
      definition(saga.type);
      return store.insert(tx, saga, options?.reserve ? starter : null, env.leaseMs);
    },
    async run(id) {
      await (running.get(id) ??
        track(id, async () => {
          const row = await store.claim(db, id, token(), env.leaseMs, starter);
          if (row) await drive(row);
        }));
      return get(id);
    },
    async wake(id) {
      if (await store.wake(db, id)) worker.kick();
    },
    get,
    runDue,
    startWorker() {
      stopping = false;
      worker.start();
    },
    async stop() {
      stopping = true;
      await worker.stop();
      await Promise.allSettled([...running.values()]);
    },
  };
}

function toView<D>(row: SagaRow & { log: unknown[] }, def: AnySagaDefinition | undefined): SagaView<D> {
  const log = row.log as (Omit<SagaLogEntry, "at"> & { at: string })[];
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    step: isLive(row) ? def?.steps[row.step]?.name : undefined,
    data: row.data as D,
    correlationId: row.correlation_id,
    attempts: row.attempts,
    nextRunAt: new Date(row.next_run_at),
    lastError: row.last_error,
    failureReason: row.failure_reason,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    log: log.map((entry) => ({ ...entry, at: new Date(entry.at) })),
  };
}
