import type { SagaRow } from "./store.js";
import type { NewSaga } from "./types.js";

/**
 * The sagas an engine started reserved (for the request that started them), kept as they were
 * inserted until its run() takes them: driving a saga it just wrote needs no claim to read it back.
 * The row's lock token is the fence: if the starting transaction rolled back, or the reservation ran
 * out and the worker claimed the saga, the first step's fenced update matches nothing.
 */
export function createReservations(leaseMs: number) {
  const held = new Map<string, { readonly row: SagaRow; readonly until: number }>();

  // One never taken (its transaction rolled back) is dropped once its lease is over.
  function dropExpired(now: number) {
    for (const [id, entry] of held) {
      if (entry.until > now) return;
      held.delete(id);
    }
  }

  return {
    add(saga: NewSaga, lock: string): void {
      const now = Date.now();
      dropExpired(now);
      held.delete(saga.id);
      held.set(saga.id, { row: insertedRow(saga, lock, now), until: now + leaseMs });
    },
    /** The saga as inserted, once; undefined when it is not reserved here or its lease ran out. */
    take(id: string): SagaRow | undefined {
      const entry = held.get(id);
      held.delete(id);
      return entry && entry.until > Date.now() ? entry.row : undefined;
    },
  };
}

/** The row store.insert wrote; data as the database gives it back (JSON). */
function insertedRow(saga: NewSaga, lock: string, now: number): SagaRow {
  const at = new Date(now);
  return {
    id: saga.id,
    type: saga.type,
    status: "RUNNING",
    step: 0,
    data: saga.data === undefined ? null : JSON.parse(JSON.stringify(saga.data)),
    correlation_id: saga.correlationId,
    attempts: 0,
    next_run_at: at,
    lock_holder: lock,
    last_error: null,
    failure_reason: null,
    wakes: 0,
    waits: 0,
    stuck_from: null,
    created_at: at,
    updated_at: at,
  };
}
