import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { createMypay, type Mypay } from "./app.js";
import { loadConfig } from "./platform/config.js";
import type { Db } from "./platform/db/db.js";
import { createLogger } from "./platform/logging.js";
import { openTestBus, type TestBus } from "./testing/bus.js";
import { openTestDb } from "./testing/db.js";
import { adminPassword } from "./testing/mypay.js";

// createMypay as main.ts calls it: the background work waits for startBackground() (after listen).
let db: Db;
let bus: TestBus;
let mypay: Mypay;

before(async () => {
  db = await openTestDb();
  bus = await openTestBus();
  const config = loadConfig({ MYPAY_BANK_PORT: "0", MYPAY_ADMIN_PASSWORD: adminPassword });
  mypay = await createMypay({ config, logger: createLogger("silent"), db, bus });
});

after(async () => {
  await mypay.close();
  await bus.close();
  await db.close();
});

async function unpublishedEvents(): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM membership.outbox WHERE published_at IS NULL",
  );
  return row?.n ?? 0;
}

test("item 17: background loops do not run before startBackground(), and do after it", async () => {
  const registered = await mypay.app.inject({
    method: "POST",
    url: "/v1/memberships",
    payload: {
      name: "Lee",
      email: "lee@example.com",
      password: "correct-horse-battery",
      region: "Seoul",
      type: "personal",
    },
  });
  assert.equal(registered.statusCode, 201, registered.body);
  await delay(600);
  assert.ok((await unpublishedEvents()) > 0, "the relay has not published MemberRegistered yet");
  mypay.startBackground();
  const until = Date.now() + 10_000;
  while ((await unpublishedEvents()) > 0) {
    assert.ok(Date.now() < until, "the relay never published");
    await delay(50);
  }
});

test("item 17: /metrics exports the event loop's lag and its longest recent stall", async () => {
  await mypay.app.inject({ url: "/metrics" });
  const until = performance.now() + 250;
  while (performance.now() < until) {
    // a stall of our own, as a backlog on PGlite caused
  }
  await delay(30);
  const text = (await mypay.app.inject({ url: "/metrics" })).body;
  assert.match(text, /^nodejs_eventloop_lag_seconds \d/m);
  assert.match(text, /^nodejs_eventloop_lag_max_seconds \d/m);
  const longest = /^mypay_event_loop_longest_stall_seconds ([\d.e-]+)$/m.exec(text);
  assert.ok(longest, "the longest stall is exported");
  assert.ok(Number(longest[1]) >= 0.2, `longest stall ${longest[1]} s after a 250 ms stall`);
});
