import assert from "node:assert/strict";
import { after, before, type TestContext, test } from "node:test";
import { openTestBus, waitFor } from "../testing/bus.js";
import { openTestDb } from "../testing/db.js";
import type { EventBus, EventEnvelope } from "./bus/bus.js";
import type { Db } from "./db/db.js";
import { migrate, platformMigrationsDir } from "./db/migrate.js";
import { handleOnce } from "./inbox.js";
import { createLogger } from "./logging.js";
import { recordEvents } from "./outbox.js";
import { createRedelivery } from "./redelivery.js";
import { createOutboxRelay, type OutboxRelay } from "./relay.js";

const logger = createLogger(process.env.MYPAY_LOG_LEVEL ?? "silent", "relay-test");
let db: Db;
let schemas = 0;

before(async () => {
  db = await openTestDb();
});

after(async () => {
  await db.close();
});

/** A schema of its own with an `effects` table, a fresh bus, and relays stopped after the test. */
async function setup(t: TestContext) {
  const schema = `relay_${++schemas}`;
  await migrate(db, { schema, dirs: [platformMigrationsDir] });
  await db.exec(
    `CREATE TABLE ${schema}.effects (n SERIAL PRIMARY KEY, event_id TEXT NOT NULL, label TEXT NOT NULL)`,
  );
  const bus = await openTestBus();
  const published: string[] = [];
  // Counts what relays hand to the bus, which a de-duplicating broker would otherwise hide.
  const many = bus.publishMany?.bind(bus);
  const counted: EventBus = {
    ...bus,
    publish: (e) => bus.publish(e).then(() => void published.push(e.id)),
    ...(many && {
      publishMany: (events) => many(events).then(() => void published.push(...events.map((e) => e.id))),
    }),
  };
  const relays: OutboxRelay[] = [];
  const relay = (holder?: string, batchSize?: number) => {
    const r = createOutboxRelay({ db, schema, bus: counted, logger, pollMs: 20, holder, batchSize });
    relays.push(r);
    return r;
  };
  t.after(async () => {
    for (const r of relays) await r.stop();
    await bus.close();
  });
  return { schema, bus, relay, published };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** A consumer whose effect is one `effects` row per event; `failFirst` attempts throw after writing. */
async function consume({ schema, bus }: Setup, failFirst = 0) {
  let attempts = 0;
  const handler = handleOnce(db, schema, "effects", async (tx, event) => {
    attempts++;
    const { label } = event.data as { label: string };
    await tx.query(`INSERT INTO ${schema}.effects (event_id, label) VALUES ($1, $2)`, [event.id, label]);
    if (attempts <= failFirst) throw new Error("handler failed on purpose");
  });
  await bus.subscribe("effects", ["ThingHappened"], handler);
  return { handler, attempts: () => attempts };
}

async function commit(schema: string, ...labels: string[]): Promise<EventEnvelope[]> {
  return db.tx((tx) =>
    recordEvents(
      tx,
      schema,
      labels.map((label) => ({ type: "ThingHappened", data: { label } })),
      { correlationId: "test" },
    ),
  );
}

async function labels(schema: string): Promise<string[]> {
  const rows = await db.query<{ label: string }>(`SELECT label FROM ${schema}.effects ORDER BY n`);
  return rows.map((r) => r.label);
}

async function unpublished(schema: string): Promise<number> {
  const rows = await db.query(`SELECT 1 FROM ${schema}.outbox WHERE published_at IS NULL`);
  return rows.length;
}

test("an event written in a transaction that rolls back is never published", async (t) => {
  const s = await setup(t);
  await consume(s);
  await assert.rejects(
    db.tx(async (tx) => {
      await recordEvents(tx, s.schema, [{ type: "ThingHappened", data: { label: "rolled back" } }], {
        correlationId: "test",
      });
      throw new Error("the change failed");
    }),
  );
  await commit(s.schema, "committed");
  assert.equal(await s.relay().runOnce(), 1);
  await waitFor(async () => (await labels(s.schema)).length === 1);
  assert.deepEqual(await labels(s.schema), ["committed"]);
});

test("a redelivered event has no second effect", async (t) => {
  const s = await setup(t);
  const { handler } = await consume(s);
  const [event] = await commit(s.schema, "once");
  const relay = s.relay();
  assert.equal(await relay.runOnce(), 1);
  // A relay that crashed before marking its batch publishes it again; so does a replay.
  assert.equal(await relay.replayFrom(0), 1);
  assert.equal(await relay.runOnce(), 1);
  await s.bus.publish(event!);
  await handler(event!);
  await commit(s.schema, "marker");
  await relay.runOnce();
  await waitFor(async () => (await labels(s.schema)).includes("marker"));
  assert.deepEqual(await labels(s.schema), ["once", "marker"]);
});

test("events committed before a crash are published by the relay of the next process", async (t) => {
  const s = await setup(t);
  await consume(s);
  await commit(s.schema, "a", "b");
  // No relay ran: the process died right after the commit. The next one starts its relay.
  s.relay().start();
  await waitFor(async () => (await labels(s.schema)).length === 2);
  assert.deepEqual(await labels(s.schema), ["a", "b"]);
  assert.equal(await unpublished(s.schema), 0);
});

test("events are published in the order they were committed, across batches", async (t) => {
  const s = await setup(t);
  await consume(s);
  const expected = Array.from({ length: 25 }, (_, i) => `e${String(i).padStart(2, "0")}`);
  for (let i = 0; i < expected.length; i += 5) await commit(s.schema, ...expected.slice(i, i + 5));
  const relay = s.relay(undefined, 7);
  relay.start();
  relay.kick();
  await waitFor(async () => (await labels(s.schema)).length === expected.length);
  assert.deepEqual(await labels(s.schema), expected);
  assert.equal(await unpublished(s.schema), 0);
});

test("a handler that fails once gets the event again and has its effect once", async (t) => {
  const s = await setup(t);
  const consumer = await consume(s, 1);
  const retries = createRedelivery({ db, schema: s.schema, logger, baseMs: 10, pollMs: 20 });
  retries.start();
  t.after(() => retries.stop());
  await commit(s.schema, "retried");
  s.relay().start();
  await waitFor(async () => (await labels(s.schema)).length === 1);
  assert.equal(consumer.attempts(), 2);
  await waitFor(async () => (await unpublished(s.schema)) === 0);
  assert.deepEqual(await labels(s.schema), ["retried"]);
});

test("two relays on the same schema never both publish", async (t) => {
  const s = await setup(t);
  await consume(s);
  await commit(s.schema, "a", "b", "c");
  const first = s.relay("first");
  const second = s.relay("second");
  const counts = await Promise.all([first.runOnce(), second.runOnce()]);
  assert.deepEqual([...counts].sort(), [0, 3]);
  const [holder, other] = counts[0] === 3 ? [first, second] : [second, first];
  await commit(s.schema, "d");
  assert.equal(await other.runOnce(), 0, "the lease is held by the other relay");
  await holder.stop();
  assert.equal(await other.runOnce(), 1, "a stopped relay hands over its lease");
  assert.equal(new Set(s.published).size, 4);
  assert.equal(s.published.length, 4);
  await waitFor(async () => (await labels(s.schema)).length === 4);
  assert.deepEqual(await labels(s.schema), ["a", "b", "c", "d"]);
});

test("published rows are kept until purged, unpublished ones always", async (t) => {
  const s = await setup(t);
  await consume(s);
  await commit(s.schema, "sent");
  const relay = s.relay();
  await relay.runOnce();
  await commit(s.schema, "waiting");
  assert.equal(await relay.purgePublished(), 0, "within the retention period");
  assert.equal(await relay.purgePublished(0), 1);
  const rows = await db.query<{ label: string }>(`SELECT data->>'label' AS label FROM ${s.schema}.outbox`);
  assert.deepEqual(
    rows.map((r) => r.label),
    ["waiting"],
  );
});
