import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "../../testing/bus.js";
import {
  bankBalance,
  call,
  fastEnv,
  fastTuning,
  moneyOf,
  newMember,
  startWorld,
  type World,
} from "../../testing/world.js";

// No saga retries forever: past its budget it is STUCK, visible to staff and to the metrics, and
// staff's retry puts it back to work.

let world: World;
before(async () => {
  world = await startWorld(fastEnv, {
    money: { ...fastTuning.money, sagaBudget: { attempts: 3 } },
    banking: fastTuning.banking,
  });
});
after(() => world.close());

const staff = (method: "GET" | "POST", url: string) => call(world, world.staffToken, method, url);

async function stuckGauge(): Promise<number | undefined> {
  const text = (await world.mypay.app.inject({ method: "GET", url: "/metrics" })).body;
  const line = text.split("\n").find((l) => l.startsWith('mypay_sagas_stuck{type="recharge"}'));
  return line === undefined ? undefined : Number(line.split(" ").at(-1));
}

test("item 1: a saga whose step keeps faulting ends STUCK, is listed and counted, and staff's retry completes it", async () => {
  const lee = await newMember(world, { bankBalance: 100_000 });
  // The database refuses to record the recharge's end (a fault that outlasts every retry).
  await world.mypay.db.exec(
    "ALTER TABLE money.recharges ADD CONSTRAINT test_refuses_success CHECK (status <> 'SUCCEEDED') NOT VALID",
  );
  const res = await call(world, lee.token, "POST", "/v1/money/recharge", { amount: 30_000 }, "stuck-1");
  assert.equal(res.json().status, "PENDING");
  const id = res.json().rechargeId as string;

  const stuckList = async () => (await staff("GET", "/v1/admin/sagas?status=STUCK&type=recharge")).json();
  await waitFor(
    async () => (await stuckList()).items.some((s: { sagaId: string }) => s.sagaId === id),
    10_000,
  );
  const saga = (await stuckList()).items.find((s: { sagaId: string }) => s.sagaId === id);
  assert.equal(saga.status, "STUCK");
  assert.equal(saga.stuckFrom, "RUNNING");
  assert.equal(saga.step, "collect");
  assert.equal(saga.attempts, 3);
  assert.match(saga.lastError, /test_refuses_success/);
  assert.deepEqual(
    saga.log.map((e: { step: string; outcome: string }) => `${e.step} ${e.outcome}`),
    ["reserve done", "collect checkpoint", "collect stuck"],
  );
  assert.equal(await stuckGauge(), 1);
  assert.equal(await bankBalance(world, lee.account), 70_000, "the bank moved the won");
  assert.equal(await moneyOf(world, lee), 0, "not yet credited");
  const live = (await staff("GET", "/v1/admin/sagas?status=RUNNING")).json();
  assert.equal(
    live.items.some((s: { sagaId: string }) => s.sagaId === id),
    false,
  );
  const denied = await call(world, lee.token, "GET", "/v1/admin/sagas?status=STUCK");
  assert.equal(denied.statusCode, 403);

  await world.mypay.db.exec("ALTER TABLE money.recharges DROP CONSTRAINT test_refuses_success");
  const retried = await staff("POST", `/v1/admin/sagas/${id}/retry`);
  assert.equal(retried.statusCode, 202);
  assert.equal(retried.json().sagaId, id);
  assert.equal(retried.json().attempts, 0);
  const status = async () => (await call(world, lee.token, "GET", `/v1/money/recharges/${id}`)).json().status;
  await waitFor(async () => (await status()) !== "PENDING", 10_000);
  assert.equal(await status(), "SUCCEEDED");
  assert.equal(await moneyOf(world, lee), 30_000);
  assert.equal(await stuckGauge(), 0);

  const again = await staff("POST", `/v1/admin/sagas/${id}/retry`);
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().code, "CONFLICT");
  const unknown = await staff("POST", `/v1/admin/sagas/rch_${"0".repeat(32)}/retry`);
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().code, "NOT_FOUND");
});

test("the saga list pages newest first with its cursor", async () => {
  const park = await newMember(world, { bankBalance: 100_000 });
  for (const key of ["page-1", "page-2", "page-3"])
    await call(world, park.token, "POST", "/v1/money/recharge", { amount: 10_000 }, key);
  const first = (await staff("GET", "/v1/admin/sagas?limit=2")).json();
  assert.equal(first.items.length, 2);
  assert.ok(first.nextCursor);
  const second = (await staff("GET", `/v1/admin/sagas?limit=2&cursor=${first.nextCursor}`)).json();
  const all = (await staff("GET", "/v1/admin/sagas?limit=100")).json();
  const ids = (page: { items: { sagaId: string }[] }) => page.items.map((s) => s.sagaId);
  assert.deepEqual([...ids(first), ...ids(second)], ids(all).slice(0, 4));
  const times = all.items.map((s: { createdAt: string }) => s.createdAt);
  assert.deepEqual(times, [...times].sort().reverse(), "newest first");
});
