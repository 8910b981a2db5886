import assert from "node:assert/strict";
import { test } from "node:test";
import { waitFor } from "../../testing/bus.js";
import { busFor, labelledEvent, recorder } from "../../testing/events.js";

test("a subscriber receives the events of its types only, in order", async (t) => {
  const b = await busFor(t);
  const onlyA = recorder();
  const both = recorder();
  await b.subscribe("only-a", ["A"], onlyA.handler);
  await b.subscribe("both", ["A", "B"], both.handler);
  for (const e of [
    labelledEvent("A", "a1"),
    labelledEvent("B", "b1"),
    labelledEvent("C", "c1"),
    labelledEvent("A", "a2"),
  ])
    await b.publish(e);
  await waitFor(() => both.seen.length === 3 && onlyA.seen.length === 2);
  assert.deepEqual(onlyA.seen, ["a1", "a2"]);
  assert.deepEqual(both.seen, ["a1", "b1", "a2"]);
});

test("an event whose handler throws is delivered again", async (t) => {
  const b = await busFor(t);
  let attempts = 0;
  const handled: string[] = [];
  await b.subscribe("flaky", ["Flaky"], async (e) => {
    if (++attempts === 1) throw new Error("handler failed on purpose");
    handled.push(e.id);
  });
  const e = labelledEvent("Flaky");
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
  const b = await busFor(t);
  let started = false;
  let finished = false;
  await b.subscribe("slow", ["Slow"], async () => {
    started = true;
    await new Promise((resolve) => setTimeout(resolve, 100));
    finished = true;
  });
  const publishing = b.publish(labelledEvent("Slow"));
  await waitFor(() => started);
  await b.close();
  assert.equal(finished, true);
  await publishing;
});
