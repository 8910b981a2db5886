// JetStream-only behaviour: runs in the distributed suite (npm run test:distributed).
import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { connect } from "nats";
import { newId } from "../../kernel/ids.js";
import { openTestBus, testBusUrl, waitFor } from "../../testing/bus.js";
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

test("JetStream stores a republished event id once", async (t) => {
  const b = await bus(t);
  const r = recorder();
  await b.subscribe("dedup", ["Paid"], r.handler);
  const paid = event("Paid", "paid");
  await b.publish(paid);
  await b.publish(paid);
  await b.publish(event("Paid", "marker"));
  await waitFor(() => r.seen.includes("marker"));
  assert.deepEqual(r.seen, ["paid", "marker"]);
});

test("an unparseable message is dropped and later events still arrive", async (t) => {
  const b = await bus(t);
  const r = recorder();
  await b.subscribe("robust", ["Paid"], r.handler);
  const nc = await connect({ servers: testBusUrl });
  t.after(() => nc.close());
  await nc.jetstream().publish(`${b.subjectPrefix}.bustest.Paid`, "{not json");
  await b.publish(event("Paid", "after"));
  await waitFor(() => r.seen.length === 1);
  assert.deepEqual(r.seen, ["after"]);
});
