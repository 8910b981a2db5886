import { Counter, type Registry } from "prom-client";
import { ok, type Result } from "../../kernel/errors.js";
import { coalesce } from "../../platform/coalesce.js";
import type { Db, Queryable } from "../../platform/db/db.js";
import { type EventContext, recordEventGroups } from "../../platform/outbox.js";
import { balanceEvents } from "./announce.js";
import { moneySchema } from "./deps.js";
import { type GroupItem, type Posted, postGroup } from "./ledger.js";

/**
 * Group commit (DESIGN.md "Money and the ledger"): money-moving requests that arrive together are
 * posted together, in one database transaction with one ledger call, one outbox insert and one
 * commit, and each gets its own result (a refused one never fails the others). Batches form as
 * platform/coalesce.ts says: a lone request waits for no timer.
 */

export interface GroupRequest<T> {
  readonly item: GroupItem;
  /** The correlation of the request's balance events. */
  readonly context: EventContext;
  /** Its own rows, in the batch's transaction, only when its postings were accepted. */
  readonly finish?: (tx: Queryable, posted: readonly Posted[]) => Promise<void>;
  /** Its answer from its postings (replayed ones carry the first posting's entries). */
  readonly answer: (posted: readonly Posted[]) => T;
}

export interface GroupCommitStats {
  readonly batches: number;
  readonly requests: number;
  readonly largest: number;
}

export interface GroupCommit {
  submit<T>(request: GroupRequest<T>): Promise<Result<T>>;
  stats(): GroupCommitStats;
}

export interface GroupCommitOptions {
  /** The most requests in one batch; the rest wait for the next. */
  readonly maxBatch?: number;
  /** Tests only: called after a batch committed, before its requests hear back (a crash there). */
  readonly afterCommit?: (size: number) => void;
}

interface Pending {
  readonly request: GroupRequest<unknown>;
  readonly resolve: (result: Result<unknown>) => void;
  readonly reject: (error: unknown) => void;
}

export function createGroupCommit(db: Db, options: GroupCommitOptions = {}): GroupCommit {
  let batches = 0;
  let requests = 0;
  let largest = 0;
  const enqueue = coalesce<Pending>(async (batch) => {
    batches += 1;
    requests += batch.length;
    largest = Math.max(largest, batch.length);
    await runBatch(batch);
  }, options.maxBatch ?? 256);

  async function runBatch(batch: readonly Pending[]) {
    let results: Result<unknown>[];
    try {
      results = await db.tx((tx) => commitBatch(tx, batch));
    } catch (error) {
      // A bug in one request (or a lost connection) must not fail the others: each is tried alone.
      if (batch.length === 1) return batch[0]!.reject(error);
      for (const one of batch) await runBatch([one]);
      return;
    }
    try {
      options.afterCommit?.(batch.length);
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    for (const [i, p] of batch.entries()) p.resolve(results[i]!);
  }

  return {
    submit<T>(request: GroupRequest<T>) {
      return new Promise<Result<T>>((resolve, reject) => {
        enqueue({ request, resolve: resolve as Pending["resolve"], reject });
      });
    },
    stats: () => ({ batches, requests, largest }),
  };
}

async function commitBatch(tx: Queryable, batch: readonly Pending[]): Promise<Result<unknown>[]> {
  const posted = await postGroup(
    tx,
    batch.map((p) => p.request.item),
  );
  const events = batch.flatMap((p, i) => {
    const result = posted[i]!;
    if (!result.ok) return [];
    const txns = p.request.item.transactions;
    return [
      { events: result.value.flatMap((one, j) => balanceEvents(txns[j]!, one)), context: p.request.context },
    ];
  });
  await recordEventGroups(tx, moneySchema, events);
  for (const [i, p] of batch.entries()) {
    const result = posted[i]!;
    if (result.ok && p.request.finish) await p.request.finish(tx, result.value);
  }
  return batch.map((p, i) => {
    const result = posted[i]!;
    return result.ok ? ok(p.request.answer(result.value)) : result;
  });
}

/** The group's counts as Prometheus counters: requests ÷ batches is the mean batch size. */
export function registerGroupCommitMetrics(registry: Registry, group: GroupCommit) {
  const counter = (name: string, help: string, read: (s: GroupCommitStats) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read(group.stats()));
      },
    });
  counter("mypay_ledger_batches_total", "Group commit batches posted by money", (s) => s.batches);
  counter(
    "mypay_ledger_batched_requests_total",
    "Requests posted by money's group commit",
    (s) => s.requests,
  );
}
