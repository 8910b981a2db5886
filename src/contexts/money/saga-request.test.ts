import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { hashRequest } from "../../platform/idempotency.js";
import {
  bankBalance,
  call,
  moneyOf,
  newMember,
  settled,
  startWorld,
  type World,
} from "../../testing/world.js";

let world: World;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world.close();
});

/** What a process killed mid-request leaves behind: its claim on the key, and a heartbeat that stopped. */
async function crashedClaim(membershipId: string, key: string, body: unknown) {
  const holder = "crashed-host:4242:deadbeef";
  await world.mypay.db.query(
    "INSERT INTO money.process_heartbeats (holder, alive_until) VALUES ($1, now() - interval '2 seconds')",
    [holder],
  );
  const requestHash = hashRequest({
    method: "POST",
    routeOptions: { url: "/v1/money/recharge" },
    params: {},
    body,
  } as never);
  await world.mypay.db.query(
    `INSERT INTO money.idempotency_keys (scope, key, request_hash, state, locked_until, holder)
     VALUES ($1, $2, $3, 'IN_FLIGHT', now() + interval '60 seconds', $4)`,
    [membershipId, key, requestHash, holder],
  );
}

test("item 16: a recharge key whose first try died with its process is answered on retry at once, moving the money once", async () => {
  const kim = await newMember(world, { bankBalance: 100_000 });
  await crashedClaim(kim.membershipId, "died-with-process", { amount: 30_000 });

  const started = Date.now();
  const retry = await call(
    world,
    kim.token,
    "POST",
    "/v1/money/recharge",
    { amount: 30_000 },
    "died-with-process",
  );
  assert.equal(retry.statusCode, 201, retry.body);
  assert.ok(Date.now() - started < 15_000, "answered within seconds, well before the claim's 60 s lease");
  assert.equal(retry.json().status, "SUCCEEDED");

  const again = await call(
    world,
    kim.token,
    "POST",
    "/v1/money/recharge",
    { amount: 30_000 },
    "died-with-process",
  );
  assert.equal(again.statusCode, 201);
  assert.equal(again.headers["idempotent-replayed"], "true");
  assert.deepEqual(again.json(), retry.json());
  await settled(world);
  assert.equal(await moneyOf(world, kim), 30_000);
  assert.equal(await bankBalance(world, kim.account), 70_000);
});

test("item 16: a key held by this live process is still in flight (409) for a concurrent duplicate", async () => {
  const lee = await newMember(world, { bankBalance: 100_000 });
  const [first, second] = await Promise.all([
    call(world, lee.token, "POST", "/v1/money/recharge", { amount: 10_000 }, "twice-at-once"),
    call(world, lee.token, "POST", "/v1/money/recharge", { amount: 10_000 }, "twice-at-once"),
  ]);
  const statuses = [first!.statusCode, second!.statusCode].sort();
  assert.ok(
    statuses.every((s) => s === 201 || s === 409),
    `statuses ${statuses}`,
  );
  const fresh = [first!, second!].filter((r) => r.statusCode === 201 && !r.headers["idempotent-replayed"]);
  assert.equal(fresh.length, 1, "one of them ran the recharge");
  await settled(world);
  assert.equal(await moneyOf(world, lee), 10_000);
  assert.equal(await bankBalance(world, lee.account), 90_000);
});
