import type { TestContext } from "node:test";
import { newId } from "../kernel/ids.js";
import type { EventEnvelope } from "../platform/bus/bus.js";
import { openTestBus } from "./bus.js";

/** A test bus closed when the test ends. */
export async function busFor(t: TestContext) {
  const b = await openTestBus();
  t.after(() => b.close());
  return b;
}

/** A test event whose data carries a label, to see what a handler got and in what order. */
export function labelledEvent(type: string, label = type): EventEnvelope {
  return {
    id: newId("event"),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: "bustest",
    correlationId: "test",
    causationId: null,
    data: { label },
  };
}

/** A handler that records the labels it was given, in order. */
export function recorder() {
  const seen: string[] = [];
  const handler = async (e: EventEnvelope) => void seen.push((e.data as { label: string }).label);
  return { seen, handler };
}
