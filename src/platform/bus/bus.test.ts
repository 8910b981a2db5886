import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { newId } from "../../kernel/ids.js";
import { openTestBus, waitFor } from "../../testing/bus.js";
import type { EventEnvelope } from "./bus.js";

async function bus(t: TestContext) {
  const b = await openTestBus();
  t.after(() => b.close());
  return b;
}

function event(type: string, label = type): EventEnvelope {
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
function recorder() {
  const seen: string[] = [];
  const handler = async (e: EventEnvelope) => void seen.push((e.data as { label: string }).label);
  return { seen, handler };
}

test("a subscriber receives the events of its types only, in order", async (t) => {
  const b = await bus(t);
  const onlyA = recorder();
  const both = recorder();
  await b.subscribe("only-a", ["A"], onlyA.handler);
  await b.subscribe("both", ["A", "B"], both.handler);
  for (const e of [event("A", "a1"), event("B", "b1"), event("C", "c1"), event("A", "a2")])
    await b.publish(e);
  await waitFor(() => both.seen.length === 3 && onlyA.seen.length === 2);
  assert.deepEqual(onlyA.seen, ["a1", "a2"]);
  assert.deepEqual(both.seen, ["a1", "b1", "a2"]);
});

test("an event whose handler throws is delivered again", async (t) => {
  const b = await bus(t);
  let attempts = 0;
  const handled: string[] = [];
  await b.subscribe("flaky", ["Flaky"], async (e) => {
    if (++attempts === 1) throw new Error("handler failed on purpose");
    handled.push(e.id);
  });
  const e = event("Flaky");
  const first = await b.publish(e).then(
    () => "stored",
    () => "rejected",
  );
  // In process, publish reports the failure and the relay publishes again; JetStream redelivers.
  if (b.kind === "in-process") {
    assert.equal(first, "rejected");
    await b.publish(e);
  } else {
    assert.equal(first, "stored");
  }
  await waitFor(() => handled.length === 1);
  assert.deepEqual(handled, [e.id]);
  assert.equal(attempts, 2);
});

test("close waits for the handler in flight", async (t) => {
  const b = await bus(t);
  let started = false;
  let finished = false;
  await b.subscribe("slow", ["Slow"], async () => {
    started = true;
    await new Promise((resolve) => setTimeout(resolve, 100));
    finished = true;
  });
  const publishing = b.publish(event("Slow"));
  await waitFor(() => started);
  await b.close();
  assert.equal(finished, true);
  await publishing;
});
