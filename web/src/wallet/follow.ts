// A money move's answer that may still be PENDING: shown at once, then followed until it is final.
import { useSignal } from "@preact/signals";
import { useRef } from "preact/hooks";
import type { Outcome } from "../api.ts";
import { follow } from "../intent.ts";
import { useAlive } from "./shared.tsx";

export function useFollowed<T extends { status: string }>(load: (value: T) => Promise<Outcome<T>>) {
  const value = useSignal<T | undefined>(undefined);
  const alive = useAlive();
  const generation = useRef(0);
  return {
    get value() {
      return value.value;
    },
    /** Shows `next`; while it is PENDING (or another unfinished status), asks again every second. */
    show(next: T | undefined) {
      const mine = ++generation.current;
      value.value = next;
      if (!next || !unfinished(next.status)) return;
      void follow(
        () => load(next),
        (v) => !unfinished(v.status),
        (v) => {
          if (mine === generation.current) value.value = v;
        },
        { alive: () => alive.current && mine === generation.current },
      );
    },
  };
}

export const unfinished = (status: string): boolean =>
  status === "PENDING" || status === "CANCELLING" || status === "REQUESTED" || status === "UNKNOWN";
