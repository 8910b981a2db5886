import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { fail, ok, type Result } from "../../kernel/errors.js";
import { createBackgroundLoop } from "../background-loop.js";
import type { Db, Queryable } from "../db/db.js";
import type { Logger } from "../logging.js";
import { createReservations } from "./reservations.js";
import { runStep, type SagaBudget, type StepEnv } from "./run-step.js";
import { liveStatuses, type SagaRow, sagaStore } from "./store.js";
import type { AnySagaDefinition, NewSaga, SagaContext, SagaFaults, SagaStatus, SagaView } from "./types.js";
import { type SagaCursor, type SagaFilter, sagaViews, toView } from "./views.js";

export * from "./types.js";
export type { SagaBudget, SagaCursor, SagaFilter };

/** Eight faults in a row (about four minutes of backoff from 1 s), or twenty unanswered waits. */
export const defaultSagaBudget: SagaBudget = { attempts: 8, waits: 20 };

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
  /** Faults and waits of one step in a row after which the saga is STUCK (defaultSagaBudget). */
  readonly budget?: Partial<SagaBudget>;
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
  /**
   * Like run(), without reading the saga back: the status this process's run of it left it at, as
   * committed; undefined when it did not run it (not due, held elsewhere, unknown, or lost its lease).
   */
  drive(id: string): Promise<SagaStatus | undefined>;
  /** Makes a waiting (or backing-off) saga due now, e.g. when an event brings the bank's answer. */
  wake(id: string): Promise<void>;
  get<D = unknown>(id: string): Promise<SagaView<D> | undefined>;
  /** One worker round: drives the sagas that are due; returns how many it took. */
  runDue(): Promise<number>;
  /** Resumes due sagas in the background: after a crash or restart, or when a wait runs out. */
  startWorker(): void;
  /** Stops the worker; runs in flight stop after their current step and hand their sagas back. */
  stop(): Promise<void>;
  /**
   * Staff's retry of a STUCK saga: back to the status it was stuck from with a fresh budget, due now.
   * NOT_FOUND if unknown; CONFLICT if it is not STUCK.
   */
  retry<D = unknown>(id: string): Promise<Result<SagaView<D>>>;
  /** Sagas with their step log, newest first. */
  list(filter: SagaFilter): Promise<SagaView[]>;
  /** Where a saga sorts in list(); undefined if unknown. */
  cursor(id: string): Promise<SagaCursor | undefined>;
  /** How many sagas of each of this engine's types are STUCK (0 included). */
  stuckCounts(): Promise<Map<string, number>>;
}

const isLive = (row: SagaRow) => liveStatuses.includes(row.status);

/** The one durable saga engine of a context's schema (DESIGN.md "Bounded contexts"; STYLE.md rule 8). */
export function createSagaEngine(options: SagaEngineOptions): SagaEngine {
  const { db, logger } = options;
  const definitions = new Map(options.definitions.map((d) => [d.type, d]));
  const types = [...definitions.keys()];
  const store = sagaStore(options.schema);
  const views = sagaViews(options.schema);
  const env: StepEnv = {
    db,
    store,
    logger: logger.child({ sagas: options.schema }),
    leaseMs: options.leaseMs ?? 30_000,
    retry: options.retry ?? { baseMs: 1_000, maxMs: 5 * 60_000 },
    budget: { ...defaultSagaBudget, ...options.budget },
    faults: options.faults,
  };
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const running = new Map<string, Promise<SagaStatus | undefined>>();
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
  // Sagas started here reserved, with their own token: run() drives them as inserted, with no claim.
  const reserved = createReservations(env.leaseMs);

  function definition(type: string): AnySagaDefinition {
    const def = definitions.get(type);
    if (!def) throw new Error(`no saga definition for type ${type}`);
    return def;
  }

  /** Drives the saga as far as it goes now: one this engine reserved as inserted, else if it can claim it. */
  function drive(id: string): Promise<SagaStatus | undefined> {
    return (
      running.get(id) ??
      track(id, async () => {
        // A reservation whose transaction rolled back meets no row: its first step's fence fails.
        const row = reserved.take(id) ?? (await store.claim(db, id, token(), env.leaseMs));
        return row && driveClaimed(row);
      })
    );
  }

  /** Runs steps while this runner holds the lease and the saga can go on now; the status it left. */
  async function driveClaimed(claimed: SagaRow): Promise<SagaStatus | undefined> {
    const holderToken = claimed.lock_holder ?? "";
    let row: SagaRow | undefined = claimed;
    while (row && isLive(row) && row.lock_holder === holderToken) {
      if (stopping) {
        await store.release(db, row.id, holderToken);
        return undefined;
      }
      row = await runStep(env, definition(row.type), row);
    }
    return row?.status;
  }

  function track(id: string, work: () => Promise<SagaStatus | undefined>): Promise<SagaStatus | undefined> {
    const promise = work().finally(() => {
      if (running.get(id) === promise) running.delete(id);
    });
    running.set(id, promise);
    return promise;
  }

  async function runDue(): Promise<number> {
    if (types.length === 0) return 0;
    const rows = await store.claimDue(db, token(), env.leaseMs, options.batchSize ?? 8, types);
    const drives = rows.map((row) =>
      track(row.id, () => driveClaimed(row)).catch((err) =>
        env.logger.error({ err, sagaId: row.id }, "saga run stopped"),
      ),
    );
    await Promise.all(drives);
    return rows.length;
  }

  async function get<D>(id: string): Promise<SagaView<D> | undefined> {
    const row = await views.view(db, id);
    return row && toView<D>(row, definitions.get(row.type));
  }

  async function retry<D>(id: string): Promise<Result<SagaView<D>>> {
    const stuck = await views.view(db, id);
    if (!stuck) return fail("NOT_FOUND", "there is no such saga");
    if (stuck.status !== "STUCK")
      return fail("CONFLICT", `the saga is ${stuck.status}: only a STUCK saga can be retried`);
    const def = definition(stuck.type);
    const step = def.steps[stuck.step]?.name ?? "(end)";
    const ctx: SagaContext = {
      sagaId: id,
      type: stuck.type,
      correlationId: stuck.correlation_id,
      step,
      attempts: 0,
    };
    // Before the saga is due again, so that its next run finds what was asked afresh.
    await def.onRetry?.(stuck.data, ctx);
    const resumed = await db.tx(async (tx) => {
      const row = await store.resume(tx, id);
      const phase = row?.status === "COMPENSATING" ? "compensation" : "action";
      if (row) await store.log(tx, id, { step, phase, outcome: "retried" });
      return row;
    });
    if (!resumed) return fail("CONFLICT", "the saga was retried meanwhile");
    env.logger.info({ sagaId: id, type: stuck.type, step, status: resumed.status }, "STUCK saga retried");
    worker.kick();
    return ok((await get<D>(id))!);
  }

  return {
    async start(tx, saga, options) {
      definition(saga.type);
      const lock = options?.reserve ? token() : null;
      await store.insert(tx, saga, lock, env.leaseMs);
      if (lock) reserved.add(saga, lock);
    },
    async run(id) {
      await drive(id);
      return get(id);
    },
    drive,
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
    retry,
    async list(filter) {
      const rows = await views.list(db, filter);
      return rows.map((row) => toView(row, definitions.get(row.type)));
    },
    cursor: (id) => views.cursor(db, id),
    async stuckCounts() {
      const counts = await views.stuckCounts(db);
      return new Map(types.map((type) => [type, counts.get(type) ?? 0]));
    },
  };
}
