// JetStream-only behaviour: runs in the distributed suite (npm run test:distributed).
import assert from "node:assert/strict";
import { test } from "node:test";
import { connect } from "nats";
import { testBusUrl, waitFor } from "../../testing/bus.js";
import { busFor, labelledEvent, recorder } from "../../testing/events.js";

test("JetStream stores a republished event id once", async (t) => {
  const b = await busFor(t);
  const r = recorder();
  await b.subscribe("dedup", ["Paid"], r.handler);
  const paid = labelledEvent("Paid", "paid");
  await b.publish(paid);
  await b.publish(paid);
  await b.publish(labelledEvent("Paid", "marker"));
  await waitFor(() => r.seen.includes("marker"));
  assert.deepEqual(r.seen, ["paid", "marker"]);
});

test("an unparseable message is dropped and later events still arrive", async (t) => {
  const b = await busFor(t);
  const r = recorder();
  await b.subscribe("robust", ["Paid"], r.handler);
  const nc = await connect({ servers: testBusUrl });
  t.after(() => nc.close());
  await nc.jetstream().publish(`${b.subjectPrefix}.bustest.Paid`, "{not json");
  await b.publish(labelledEvent("Paid", "after"));
  await waitFor(() => r.seen.length === 1);
  assert.deepEqual(r.seen, ["after"]);
});
