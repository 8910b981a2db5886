// One Idempotency-Key per user intent: a double click, or "try again" after a network error, sends the
// same request with the same key, so the server applies it once and replays its first answer. The key
// is renewed once an answer is definite, or when the request itself changes (a new intent).
import { useSignal } from "@preact/signals";
import { useRef } from "preact/hooks";
import { newIdempotencyKey, type Outcome, retryable } from "./api.ts";

export interface Intent {
  /** True while a request of this intent is on its way (the button shows busy and ignores clicks). */
  readonly busy: boolean;
  /**
   * Sends `body` with this intent's key; undefined if a request is already on its way. The key is kept
   * for a retry of the same body after an answer that is not definite.
   */
  send<T>(body: unknown, request: (key: string) => Promise<Outcome<T>>): Promise<Outcome<T> | undefined>;
}

export function useIntent(): Intent {
  const busy = useSignal(false);
  const state = useRef<{ key: string; body: string | undefined; inFlight: boolean }>({
    key: newIdempotencyKey(),
    body: undefined,
    inFlight: false,
  });
  return {
    get busy() {
      return busy.value;
    },
    async send(body, request) {
      const current = state.current;
      if (current.inFlight) return undefined;
      const text = JSON.stringify(body);
      if (current.body !== undefined && current.body !== text) current.key = newIdempotencyKey();
      current.body = text;
      current.inFlight = true;
      busy.value = true;
      try {
        const outcome = await request(current.key);
        if (!retryable(outcome)) {
          current.key = newIdempotencyKey();
          current.body = undefined;
        }
        return outcome;
      } finally {
        current.inFlight = false;
        busy.value = false;
      }
    },
  };
}

/**
 * Asks `load` every `everyMs` until `done` says the answer is final, the component is gone (`alive`
 * false) or `limit` tries passed; for PENDING answers, which the page then updates by itself.
 */
export async function follow<T>(
  load: () => Promise<Outcome<T>>,
  done: (value: T) => boolean,
  onValue: (value: T) => void,
  options: { everyMs?: number; limit?: number; alive?: () => boolean } = {},
): Promise<void> {
  const { everyMs = 1000, limit = 600, alive = () => true } = options;
  for (let i = 0; i < limit && alive(); i++) {
    await new Promise((r) => setTimeout(r, everyMs));
    if (!alive()) return;
    const outcome = await load();
    if (outcome.ok) {
      onValue(outcome.data);
      if (done(outcome.data)) return;
    }
  }
}
