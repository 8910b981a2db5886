// Open loop: requests leave at a fixed rate whatever the server does, and each one's latency counts
// from the moment it was due, not from when a free connection took it. A closed loop hides a slow
// server by sending less (coordinated omission); this does not.
import { Connection, type LoadAnswer, type LoadRequest, quantile } from "./load.js";

export interface OpenLoopOptions {
  readonly url: string;
  /** Requests per second to send. */
  readonly rate: number;
  readonly seconds: number;
  /** The most connections open at once; a request due while all are busy waits (and that counts). */
  readonly maxConnections: number;
  readonly request: (n: number) => LoadRequest;
  readonly ok: (a: LoadAnswer) => boolean;
}

export interface OpenLoopResult {
  readonly rate: number;
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export async function openLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const url = new URL(o.url);
  const idle: Connection[] = [];
  const all: Connection[] = [];
  const due: { n: number; at: number }[] = [];
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let inFlight = 0;
  // The loop sleeps until the next request is due or an answer frees a connection: no busy wait
  // taking the CPU the server needs.
  let wake: () => void = () => {};
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const total = Math.round(o.rate * o.seconds);
  const start = performance.now();
  const connection = () => {
    const c = idle.pop();
    if (c || all.length >= o.maxConnections) return c;
    const fresh = new Connection(url);
    all.push(fresh);
    return fresh;
  };
  const send = async (c: Connection, job: { n: number; at: number }) => {
    inFlight++;
    const a = await c.send(o.request(job.n)).catch((e: Error) => ({ status: 0, body: e.message }));
    inFlight--;
    if (o.ok(a)) ok++;
    else failed++;
    latencies.push(performance.now() - job.at);
    idle.push(c);
    wake();
  };
  try {
    for (let n = 0; n < total || due.length > 0 || inFlight > 0; ) {
      const now = performance.now();
      for (; n < total && start + (n * 1000) / o.rate <= now; n++)
        due.push({ n, at: start + (n * 1000) / o.rate });
      for (
        let c = due.length ? connection() : undefined;
        c && due.length;
        c = due.length ? connection() : undefined
      )
        void send(c, due.shift()!);
      const next = n < total ? start + (n * 1000) / o.rate - performance.now() : 1_000;
      await sleep(due.length ? 1_000 : Math.max(0, next));
    }
  } finally {
    for (const c of all) c.close();
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    rate: o.rate,
    sent: total,
    ok,
    failed,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}
