import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * Lets the event loop take what is waiting (requests, answers from the bank, timers) before going
 * on. Background work calls it between items: PGlite runs in this thread and its queries resolve
 * without ever returning to the event loop, so a batch that never yields blocks every request.
 */
export async function yieldToRequests(): Promise<void> {
  await nextTurn();
}

export interface BackgroundLoopOptions {
  /** One round; resolves to how many ms to wait before the next (0: at once). */
  readonly round: () => Promise<number>;
  /** A round threw: reports it and returns how many ms to wait before trying again. */
  readonly onError: (error: unknown) => number;
  /** Whether a kick may cut the wait short now; always by default (not during a backoff, say). */
  readonly kickCutsWait?: () => boolean;
}

export interface BackgroundLoop {
  start(): void;
  /** Work is waiting: end the current wait now, or skip the next one if a round is running. */
  kick(): void;
  /** Ends the wait, lets the round in flight finish, and starts no other. */
  stop(): Promise<void>;
}

/** Runs `round` in the background until stopped: one round at a time, with a wait between rounds. */
export function createBackgroundLoop(options: BackgroundLoopOptions): BackgroundLoop {
  const { round, onError, kickCutsWait = () => true } = options;
  let loop: Promise<void> | undefined;
  let stopping = false;
  let kicked = false;
  let wake: (() => void) | undefined;

  function sleep(ms: number): Promise<void> {
    // A kick that came while the round ran may be for work the round looked for too early.
    if (ms <= 0 || (kicked && kickCutsWait())) {
      kicked = false;
      // Going again at once still lets requests in first.
      return yieldToRequests();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  async function run(): Promise<void> {
    while (!stopping) {
      let wait: number;
      try {
        wait = await round();
      } catch (error) {
        wait = onError(error);
      }
      if (!stopping) await sleep(wait);
    }
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = run();
    },
    kick() {
      if (!kickCutsWait()) return;
      if (wake) wake();
      else kicked = true;
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      loop = undefined;
    },
  };
}
