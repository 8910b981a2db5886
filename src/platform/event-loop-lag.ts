import { performance } from "node:perf_hooks";
import { Gauge, type Registry } from "prom-client";

/**
 * How long this process's event loop was stalled (blocked by our own work), measured by timer drift:
 * a timer that should tick every `tickMs` and records every tick that came late as a stall. A bank
 * call that timed out mostly during a stall tells about us, not about the bank.
 */

const tickMs = 20;
// Lateness below this is ordinary timer jitter, not a stall.
const minStallMs = 10;
const keepMs = 60_000;
const maxKept = 1_000;

interface Stall {
  readonly from: number;
  readonly to: number;
}

const stalls: Stall[] = [];
let lastTick = 0;
let timer: NodeJS.Timeout | undefined;

function tick() {
  const now = performance.now();
  const due = lastTick + tickMs;
  if (now - due >= minStallMs) stalls.push({ from: due, to: now });
  lastTick = now;
  while (stalls.length > maxKept || (stalls[0] && stalls[0].to < now - keepMs)) stalls.shift();
}

/** Starts the sampler once per process; its timer never keeps the process alive. */
function ensureSampling() {
  if (timer) return;
  lastTick = performance.now();
  timer = setInterval(tick, tickMs);
  timer.unref();
}

/** The stall under way now: the sampler's tick is late because the loop has not come round yet. */
function ongoing(now: number): Stall | undefined {
  const due = lastTick + tickMs;
  return now - due >= minStallMs ? { from: due, to: now } : undefined;
}

function overlap(s: Stall, from: number, to: number): number {
  return Math.max(0, Math.min(s.to, to) - Math.max(s.from, from));
}

/** Starts watching: the returned function tells how many ms the loop was stalled since. */
export function watchStalls(): () => number {
  ensureSampling();
  const from = performance.now();
  return () => {
    const now = performance.now();
    const current = ongoing(now);
    const all = current ? [...stalls, current] : stalls;
    return Math.round(all.reduce((ms, s) => ms + overlap(s, from, now), 0));
  };
}

/** The longest stall of the last `windowMs` (default: the last minute), in ms. */
export function longestStallMs(windowMs = keepMs): number {
  ensureSampling();
  const now = performance.now();
  const current = ongoing(now);
  const all = current ? [...stalls, current] : stalls;
  return Math.round(all.reduce((ms, s) => Math.max(ms, overlap(s, now - windowMs, now)), 0));
}

/** Exports the longest recent stall; prom-client's default metrics add nodejs_eventloop_lag_*. */
export function registerEventLoopMetrics(registry: Registry): void {
  new Gauge({
    name: "mypay_event_loop_longest_stall_seconds",
    help: "The longest stall of the event loop in the last minute (timer drift)",
    registers: [registry],
    collect() {
      this.set(longestStallMs() / 1000);
    },
  });
}
