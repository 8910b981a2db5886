import { type Asking, ask, type KeyRecord, type Seen } from "./kill-client.js";
import { kill, type Service, sleep } from "./kill-procs.js";

/** The load of a kill run: clients moving money while a killer SIGKILLs mypay and starts it again. */

export interface Load {
  readonly plan: readonly KeyRecord[];
  readonly tokens: readonly string[];
  readonly concurrency: number;
  /** The run goes on until at least this many kills; operations are spread over the time between them. */
  readonly minKills: number;
  /** No more kills than this (unbounded if undefined): a small run stays small on a slow machine. */
  readonly maxKills: number | undefined;
  /** mypay is killed a random time in [min, max) ms after it is ready again. */
  readonly killAfterMs: readonly [number, number];
  /** Share of answered moves a client sends once more with the same key at once. */
  readonly retryRate: number;
  readonly rand: () => number;
  readonly baseUrl: string;
  /** How long a parked key (refused as "still in flight") is asked again once the load is over. */
  readonly finishMs: number;
  /** The whole load stops (aborted) at this time. */
  readonly deadline: number;
  readonly progress: (line: string) => void;
}

export interface Killing {
  mypay: Service;
  readonly start: () => Promise<Service>;
  kills: number;
  restarts: number;
  readonly restartMs: number[];
}

export interface LoadResult {
  readonly seen: Seen;
  readonly parked: number;
  readonly aborted: string | undefined;
}

export async function runLoad(load: Load, killing: Killing): Promise<LoadResult> {
  const seen: Seen = {};
  let next = 0;
  let opsDone = false;
  let giveUpAt = Number.POSITIVE_INFINITY;
  let aborted: string | undefined;
  const parked: Promise<unknown>[] = [];
  const loadDone = () => (opsDone && killing.kills >= load.minKills) || aborted !== undefined;
  const asking = (rec: KeyRecord): Asking => ({
    baseUrl: load.baseUrl,
    token: load.tokens[rec.member] as string,
    seen,
    giveUpAt: () => giveUpAt,
    aborted: () => aborted !== undefined,
  });
  const abort = (why: string) => {
    aborted ??= why;
  };
  const overdue = setInterval(() => Date.now() > load.deadline && abort("the run passed its deadline"), 500);

  // Operation i waits until the killer is i/operations of the way through its kills, counting the
  // part of the current wait that has passed: requests flow while mypay is up and a kill falls among them.
  let readyAt = Date.now();
  let killAt = Number.POSITIVE_INFINITY;
  const progress = () => {
    const part = (Date.now() - readyAt) / (killAt - readyAt); // NaN while mypay is down
    return killing.kills + (Number.isNaN(part) ? 0 : Math.min(1, Math.max(0, part)));
  };
  const released = async (i: number) => {
    while (progress() < (i * load.minKills) / load.plan.length && !aborted) await sleep(20);
  };
  const client = async () => {
    while (next < load.plan.length && !aborted) {
      const i = next++;
      await released(i);
      const rec = load.plan[i] as KeyRecord;
      rec.firstSentAt = Date.now();
      const outcome = await ask(asking(rec), rec, true);
      // A key refused while its first try's claim is held is asked again in the background.
      if (outcome === "in flight") parked.push(ask(asking(rec), rec, false));
      else if (outcome === "answered" && load.rand() < load.retryRate) await ask(asking(rec), rec, false);
    }
  };
  const killer = async () => {
    while (!loadDone() && killing.kills < (load.maxKills ?? Number.POSITIVE_INFINITY)) {
      const [min, max] = load.killAfterMs;
      readyAt = Date.now();
      killAt = readyAt + min + load.rand() * (max - min);
      while (Date.now() < killAt && !loadDone()) await sleep(20);
      if (loadDone()) return;
      await kill(killing.mypay);
      readyAt = Number.POSITIVE_INFINITY;
      killing.kills++;
      const began = Date.now();
      killing.mypay = await killing.start();
      killing.restarts++;
      killing.restartMs.push(Date.now() - began);
      const answered = load.plan.filter((r) => r.answers.length > 0).length;
      load.progress(
        `kill ${killing.kills}: ready again in ${Date.now() - began} ms; ${answered} keys answered`,
      );
    }
  };

  try {
    const killed = killer().catch((e: unknown) => abort(`restart failed: ${String(e)}`));
    await Promise.all(Array.from({ length: load.concurrency }, client));
    opsDone = true;
    await killed;
    giveUpAt = Date.now() + load.finishMs;
    load.progress(`load done; ${parked.length} keys refused as in flight were parked`);
    await Promise.all(parked);
  } finally {
    clearInterval(overdue);
  }
  return { seen, parked: parked.length, aborted };
}
