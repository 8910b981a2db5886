// The trace context through NATS JetStream: runs in the distributed suite (npm run test:distributed).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { connect, headers, type Msg } from "nats";
import { openTestBus, testBusUrl, waitFor } from "../testing/bus.js";
import { openTestDb } from "../testing/db.js";
import type { EventEnvelope } from "./bus/bus.js";
import type { Db } from "./db/db.js";
import { migrate, platformMigrationsDir } from "./db/migrate.js";
import { handleOnce } from "./inbox.js";
import { createLogger } from "./logging.js";
import { recordEvents } from "./outbox.js";
import { createOutboxRelay } from "./relay.js";
import { runWithTraceparent, startTracing, type Tracing, traceHeaders } from "./tracing.js";

let db: Db;
let tracing: Tracing;

before(async () => {
  db = await openTestDb();
  // Nothing exported: what is checked is the context the message carries, which passes through unchanged.
  tracing = startTracing({
    serviceName: "tracing-nats-test",
    otlpUrl: undefined,
    logger: createLogger("silent"),
  });
});

after(async () => {
  await tracing.shutdown();
  await db.close();
});

test("an event's traceparent travels as a NATS header and its handling continues that trace", {
  skip: !testBusUrl && "needs NATS (MYPAY_TEST_BUS_URL)",
}, async (t) => {
  const schema = `tracing_nats_${randomBytes(3).toString("hex")}`;
  await migrate(db, { schema, dirs: [platformMigrationsDir] });
  const bus = await openTestBus();
  t.after(() => bus.close());
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger("info", "tracing-nats-test", {
    write: (l: string) => void lines.push(JSON.parse(l)),
  });

  // What JetStream stores, seen by a plain subscriber of the test stream's subjects.
  const nc = await connect({ servers: testBusUrl });
  t.after(() => nc.close());
  const raw: Msg[] = [];
  const sub = nc.subscribe(`${bus.subjectPrefix}.>`, { callback: (_err, msg) => void raw.push(msg) });
  await nc.flush();

  const handled: { event: EventEnvelope; headers: Record<string, string> }[] = [];
  await bus.subscribe(
    "ledger",
    ["Paid"],
    handleOnce(db, schema, "ledger", async (_tx, event) => {
      logger.info("payment booked");
      handled.push({ event, headers: traceHeaders() });
    }),
  );

  const traceId = randomBytes(16).toString("hex");
  const traceparent = `00-${traceId}-${randomBytes(8).toString("hex")}-01`;
  const [written] = await runWithTraceparent(traceparent, () =>
    db.tx((tx) =>
      recordEvents(tx, schema, [{ type: "Paid", data: { amount: 1 } }], { correlationId: "pay_1" }),
    ),
  );
  assert.equal(written?.traceparent, traceparent);
  const relay = createOutboxRelay({ db, schema, bus, logger: createLogger("silent") });
  t.after(() => relay.stop());
  assert.equal(await relay.runOnce(), 1);

  await waitFor(() => raw.length === 1 && handled.length === 1);
  sub.unsubscribe();
  assert.equal(raw[0]!.headers?.get("traceparent"), traceparent);
  // JetStream's de-duplication header is still there beside it.
  assert.equal(raw[0]!.headers?.get("Nats-Msg-Id"), written!.id);
  assert.equal(handled[0]!.event.id, written!.id);
  assert.equal(handled[0]!.headers.traceparent, traceparent);
  const booked = lines.find((l) => l.msg === "payment booked");
  assert.deepEqual([booked?.correlationId, booked?.traceId], ["pay_1", traceId]);
});

test("a message whose envelope has no traceparent is handled in the trace of its header", {
  skip: !testBusUrl && "needs NATS (MYPAY_TEST_BUS_URL)",
}, async (t) => {
  const bus = await openTestBus();
  t.after(() => bus.close());
  const seen: Record<string, string>[] = [];
  await bus.subscribe("plain", ["Paid"], async () => void seen.push(traceHeaders()));
  const nc = await connect({ servers: testBusUrl });
  t.after(() => nc.close());
  const traceparent = `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`;
  const h = headers();
  h.set("traceparent", traceparent);
  const event = { id: `evt_${randomBytes(6).toString("hex")}`, type: "Paid", version: 1, data: {} };
  const envelope = {
    ...event,
    occurredAt: new Date().toISOString(),
    source: "other",
    correlationId: "c",
    causationId: null,
  };
  await nc.jetstream().publish(`${bus.subjectPrefix}.other.Paid`, JSON.stringify(envelope), { headers: h });
  await waitFor(() => seen.length === 1);
  assert.equal(seen[0]!.traceparent, traceparent);
});
