import assert from "node:assert/strict";
import { after, before, type TestContext, test } from "node:test";
import { openTestBus, waitFor } from "../testing/bus.js";
import { openTestDb } from "../testing/db.js";
import type { Db } from "./db/db.js";
import { migrate, platformMigrationsDir } from "./db/migrate.js";
import { listDeadLetters, replayDeadLetter } from "./dead-letters.js";
import { handleOnce } from "./inbox.js";
import { createLogger } from "./logging.js";
import { recordEvents } from "./outbox.js";
import { createRedelivery } from "./redelivery.js";
import { createOutboxRelay } from "./relay.js";

const logger = createLogger(process.env.MYPAY_LOG_LEVEL ?? "silent", "consumers-test");
let db: Db;
let schemas = 0;

before(async () => {
  db = await openTestDb();
});

after(async () => {
  await db.close();
});

/**
 * A schema with a relay, a redelivery loop (3 attempts, fast backoff) and two consumers of the same
 * events: `labels` records each label and fails on "poison" `failures` times; `counts` counts.
 */
async function setup(t: TestContext) {
  const schema = `consumers_${++schemas}`;
  await migrate(db, { schema, dirs: [platformMigrationsDir] });
  await db.exec(
    `CREATE TABLE ${schema}.effects (n SERIAL PRIMARY KEY, consumer TEXT NOT NULL, label TEXT NOT NULL)`,
  );
  const bus = await openTestBus();
  const state = { failures: Number.POSITIVE_INFINITY, poisonAttempts: 0 };
  for (const consumer of ["labels", "counts"]) {
    const handler = handleOnce(db, schema, consumer, async (tx, event) => {
      const { label } = event.data as { label: string };
      await tx.query(`INSERT INTO ${schema}.effects (consumer, label) VALUES ($1, $2)`, [consumer, label]);
      if (consumer !== "labels" || label !== "poison") return;
      state.poisonAttempts++;
      if (state.failures-- > 0) throw new Error("cannot handle poison");
    });
    await bus.subscribe(consumer, ["ThingHappened"], handler);
  }
  const relay = createOutboxRelay({ db, schema, bus, logger, pollMs: 20 });
  const retries = createRedelivery({ db, schema, logger, attempts: 3, baseMs: 10, maxMs: 50, pollMs: 20 });
  relay.start();
  retries.start();
  t.after(async () => {
    await retries.stop();
    await relay.stop();
    await bus.close();
  });
  return { schema, state, relay, retries, busKind: bus.kind };
}

async function commit(schema: string, ...labels: string[]) {
  await db.tx((tx) =>
    recordEvents(
      tx,
      schema,
      labels.map((label) => ({ type: "ThingHappened", data: { label } })),
      { correlationId: "test" },
    ),
  );
}

async function effects(schema: string, consumer: string): Promise<string[]> {
  const rows = await db.query<{ label: string }>(
    `SELECT label FROM ${schema}.effects WHERE consumer = $1 ORDER BY n`,
    [consumer],
  );
  return rows.map((r) => r.label);
}

test("item 7: a consumer that always throws on one event dead-letters it after its budget while every other event flows", async (t) => {
  const s = await setup(t);
  await commit(s.schema, "before", "poison", "after");
  await waitFor(async () => (await listDeadLetters(db, [s.schema], {})).items.length === 1);
  const [letter] = (await listDeadLetters(db, [s.schema], {})).items;
  assert.equal(letter?.consumer, "labels");
  assert.equal(letter?.attempts, 3);
  assert.equal(letter?.error, "cannot handle poison");
  // Its budget of recorded attempts, not forever; in process, the relay's batch of the three events
  // tried it once more first, in a transaction that was rolled back (each was then delivered alone).
  const inBatch = s.busKind === "in-process" ? 1 : 0;
  assert.equal(s.state.poisonAttempts, 3 + inBatch, "tried exactly its budget, not forever");
  // The failing consumer's later event, and the other consumer's copy of the poison, were handled.
  assert.deepEqual(await effects(s.schema, "labels"), ["before", "after"]);
  await waitFor(async () => (await effects(s.schema, "counts")).length === 3);
  assert.deepEqual(await effects(s.schema, "counts"), ["before", "poison", "after"]);
  const unpublished = await db.query(`SELECT 1 FROM ${s.schema}.outbox WHERE published_at IS NULL`);
  assert.equal(unpublished.length, 0, "the relay was not stopped at the poison row");

  // A dead letter the bus delivers again waits for staff.
  await s.relay.replayFrom(0);
  await s.relay.runOnce();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(s.state.poisonAttempts, 3 + inBatch);

  s.state.failures = 0;
  assert.equal(await replayDeadLetter(db, [s.schema], letter!.deadLetterId), s.schema);
  s.retries.kick();
  await waitFor(async () => (await listDeadLetters(db, [s.schema], {})).items[0]?.status === "HANDLED");
  assert.deepEqual(await effects(s.schema, "labels"), ["before", "after", "poison"]);
  // Replayed again, the event finds the consumer's inbox: no second effect.
  await replayDeadLetter(db, [s.schema], letter!.deadLetterId);
  s.retries.kick();
  await waitFor(async () => {
    const due = await db.query(
      `SELECT 1 FROM ${s.schema}.consumer_failures WHERE next_attempt_at IS NOT NULL`,
    );
    return due.length === 0;
  });
  assert.deepEqual(await effects(s.schema, "labels"), ["before", "after", "poison"]);
  assert.equal(s.state.poisonAttempts, 4 + inBatch);
});

test("item 7: an event that fails once is retried and handled, and leaves no dead letter", async (t) => {
  const s = await setup(t);
  s.state.failures = 1;
  await commit(s.schema, "poison");
  await waitFor(async () => (await effects(s.schema, "labels")).length === 1);
  assert.equal(s.state.poisonAttempts, 2);
  assert.deepEqual((await listDeadLetters(db, [s.schema], {})).items, []);
  const left = await db.query(`SELECT 1 FROM ${s.schema}.consumer_failures`);
  assert.equal(left.length, 0);
});

test("events handed over together are handled in order in one transaction; a repeat or a duplicate has no second effect", async () => {
  const schema = `consumers_${++schemas}`;
  await migrate(db, { schema, dirs: [platformMigrationsDir] });
  await db.exec(
    `CREATE TABLE ${schema}.effects (n SERIAL PRIMARY KEY, label TEXT NOT NULL, txid BIGINT NOT NULL)`,
  );
  const handler = handleOnce(db, schema, "labels", async (tx, event) => {
    await tx.query(`INSERT INTO ${schema}.effects (label, txid) VALUES ($1, txid_current())`, [
      (event.data as { label: string }).label,
    ]);
  });
  const event = (id: string, label: string) => ({
    id,
    type: "ThingHappened",
    version: 1,
    occurredAt: new Date().toISOString(),
    source: schema,
    correlationId: "test",
    causationId: null,
    data: { label },
  });
  await handler(event("evt_1", "first"));
  assert.ok(handler.many);
  await handler.many([
    event("evt_1", "first"),
    event("evt_2", "second"),
    event("evt_2", "second"),
    event("evt_3", "third"),
  ]);
  const rows = await db.query<{ label: string; txid: string }>(
    `SELECT label, txid::text FROM ${schema}.effects ORDER BY n`,
  );
  assert.deepEqual(
    rows.map((r) => r.label),
    ["first", "second", "third"],
  );
  assert.equal(rows[1]!.txid, rows[2]!.txid, "second and third in one transaction");
});
