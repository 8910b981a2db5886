import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openTestDb } from "../testing/db.js";
import { createInProcessBus } from "./bus/in-process.js";
import type { Db } from "./db/db.js";
import { migrate, platformMigrationsDir } from "./db/migrate.js";
import { handleOnce } from "./inbox.js";
import { createLogger } from "./logging.js";
import { recordEvents } from "./outbox.js";
import { createOutboxRelay } from "./relay.js";

const logger = createLogger(process.env.MYPAY_LOG_LEVEL ?? "silent", "relay-backlog-test");
const schema = "relay_backlog";
const backlog = 2_000;
let db: Db;

before(async () => {
  db = await openTestDb();
  await migrate(db, { schema, dirs: [platformMigrationsDir] });
  await db.exec(`CREATE TABLE ${schema}.effects (event_id TEXT PRIMARY KEY)`);
});

after(async () => {
  await db.close();
});

/**
 * The longest a 10 ms timer was held up by this process's own work while `work` ran: how long a
 * request would have waited. A tick's lateness counts only as far as this process used the CPU
 * meanwhile, so a busy machine that leaves us unscheduled is not taken for our stall.
 */
async function worstDelayWhile(work: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let worst = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    const busyMs = (cpu.user + cpu.system) / 1000;
    worst = Math.max(worst, Math.min(now - last - 10, busyMs));
    last = now;
    lastCpu = process.cpuUsage();
  }, 10);
  try {
    await work();
  } finally {
    clearInterval(probe);
  }
  return worst;
}

test("item 17: publishing a backlog of 2,000 events never holds up a timer by more than 100 ms", async () => {
  // The embedded deployment's bus, whatever the database: its handlers run inside publish.
  const bus = createInProcessBus(logger);
  await bus.subscribe(
    "effects",
    ["ThingHappened"],
    handleOnce(db, schema, "effects", async (tx, event) => {
      await tx.query(`INSERT INTO ${schema}.effects (event_id) VALUES ($1)`, [event.id]);
    }),
  );
  // What a dead process left behind: committed, never published.
  for (let i = 0; i < backlog; i += 500) {
    await db.tx((tx) =>
      recordEvents(
        tx,
        schema,
        Array.from({ length: 500 }, (_, j) => ({ type: "ThingHappened", data: { n: i + j } })),
        { correlationId: "backlog" },
      ),
    );
  }
  const relay = createOutboxRelay({ db, schema, bus, logger, pollMs: 20 });
  const worst = await worstDelayWhile(async () => {
    relay.start();
    for (;;) {
      const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.effects`);
      if (row?.n === backlog) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  await relay.stop();
  await bus.close();
  assert.ok(worst < 100, `a timer waited ${Math.round(worst)} ms while the relay published`);
});
