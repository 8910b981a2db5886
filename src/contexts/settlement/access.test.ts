import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, type Member, newFranchise, newMember, startWorld, type World } from "../../testing/world.js";
import {
  assertBooks,
  nextKey,
  pay,
  paymentIdsOf,
  runOf,
  runToEnd,
  settlementsOf,
  startRun,
} from "./test-kit.js";

// Who may run and read settlements: staff run it (Idempotency-Key, the cutoff checked), a merchant
// reads its own franchises' settlements, anyone else gets 404 by id.

let world: World;
let payer: Member;
before(async () => {
  world = await startWorld();
  payer = await newMember(world, { bankBalance: 10_000_000 });
});
after(() => world.close());

describe("who may run and read settlements", () => {
  test("staff run it with an Idempotency-Key; a replay answers the first answer; bad cutoffs are 400", async () => {
    const shop = await newFranchise(world);
    await pay(world, payer, shop, 12_000);
    const key = nextKey();
    const first = await startRun(world, {}, key);
    assert.equal(first.statusCode, 201, first.body);
    const replay = await startRun(world, {}, key);
    assert.equal(replay.statusCode, 201);
    assert.equal(replay.headers["idempotent-replayed"], "true");
    assert.deepEqual(replay.json(), first.json());
    const reused = await startRun(world, { cutoff: new Date(Date.now() - 60_000).toISOString() }, key);
    assert.equal(reused.json().code, "IDEMPOTENCY_KEY_REUSED");

    const future = await startRun(world, { cutoff: new Date(Date.now() + 60_000).toISOString() });
    assert.equal(future.statusCode, 400);
    assert.equal(future.json().code, "VALIDATION_FAILED");
    const junk = await startRun(world, { cutoff: "yesterday" });
    assert.equal(junk.json().code, "VALIDATION_FAILED");
    const noKey = await call(world, world.staffToken, "POST", "/v1/admin/settlements/run", {});
    assert.equal(noKey.statusCode, 400);
    const byCustomer = await call(world, payer.token, "POST", "/v1/admin/settlements/run", {}, nextKey());
    assert.equal(byCustomer.statusCode, 403);
    const bare = await call(
      world,
      world.staffToken,
      "POST",
      "/v1/admin/settlements/run",
      undefined,
      nextKey(),
    );
    assert.equal(bare.statusCode, 201, "no body: the cutoff is now");
    await runToEnd(world);
    await assertBooks(world);
  });

  test("a merchant sees its own franchises' settlements only; anyone else gets 404 by id", async () => {
    const owner = await newMember(world, { type: "merchant" });
    const mine = await newFranchise(world, { owner });
    const theirs = await newFranchise(world);
    await pay(world, payer, mine, 4_000);
    const theirPayment = await pay(world, payer, theirs, 6_000);
    const run = await runToEnd(world);

    const list = await call(world, owner.token, "GET", "/v1/settlements");
    assert.equal(list.statusCode, 200, list.body);
    assert.deepEqual(
      list.json().items.map((s: { franchiseId: string }) => s.franchiseId),
      [mine.franchiseId],
    );
    const [theirSettlement] = await settlementsOf(world, theirs);
    assert.ok(theirSettlement);
    const peek = await call(world, owner.token, "GET", `/v1/settlements/${theirSettlement.settlementId}`);
    assert.equal(peek.statusCode, 404);
    assert.equal(
      (await call(world, payer.token, "GET", `/v1/settlements/${theirSettlement.settlementId}`)).statusCode,
      404,
    );
    assert.equal((await call(world, payer.token, "GET", "/v1/settlements")).statusCode, 403);
    const own = await call(
      world,
      theirs.owner.token,
      "GET",
      `/v1/settlements/${theirSettlement.settlementId}`,
    );
    assert.equal(own.statusCode, 200);
    assert.deepEqual(own.json().paymentIds, [theirPayment]);
    assert.deepEqual(await paymentIdsOf(world, theirSettlement.settlementId), [theirPayment]);

    const ofRun = await call(world, world.staffToken, "GET", `/v1/settlements?runId=${run.runId}&limit=1`);
    assert.equal(ofRun.json().items.length, 1);
    assert.ok(ofRun.json().nextCursor);
    const next = await call(
      world,
      world.staffToken,
      "GET",
      `/v1/settlements?runId=${run.runId}&limit=1&cursor=${ofRun.json().nextCursor}`,
    );
    assert.equal(next.json().items.length, 1);
    assert.notEqual(next.json().items[0].settlementId, ofRun.json().items[0].settlementId);
    assert.equal(next.json().nextCursor, null);
    const missing = await call(
      world,
      world.staffToken,
      "GET",
      "/v1/admin/settlements/runs/str_0190f0c4d6a87c3a9d1e2b3c4d5e6f70",
    );
    assert.equal(missing.statusCode, 404);
  });

  test("staff list the runs newest first, each as it reads by id, a page at a time; a customer gets 403", async () => {
    const older = await runToEnd(world);
    const newer = await runToEnd(world);
    const list = async (query: string) => {
      const res = await call(world, world.staffToken, "GET", `/v1/admin/settlements/runs${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const firstPage = await list("?limit=2");
    assert.deepEqual(firstPage.items, [await runOf(world, newer.runId), await runOf(world, older.runId)]);
    assert.equal(firstPage.nextCursor, older.runId, "earlier tests' runs are on the next page");

    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      assert.equal(page.items.length, 1);
      ids.push(page.items[0].runId);
      cursor = page.nextCursor;
    } while (cursor !== null);
    const all = await list("?limit=100");
    assert.equal(all.nextCursor, null);
    assert.deepEqual(
      ids,
      all.items.map((r: { runId: string }) => r.runId),
    );
    assert.equal(new Set(ids).size, ids.length, "every page holds other runs");
    assert.deepEqual([...ids].sort().reverse(), ids, "newest first");

    assert.equal((await call(world, payer.token, "GET", "/v1/admin/settlements/runs")).statusCode, 403);
    const anonymous = await world.mypay.app.inject({ method: "GET", url: "/v1/admin/settlements/runs" });
    assert.equal(anonymous.statusCode, 401);
    const badLimit = await call(world, world.staffToken, "GET", "/v1/admin/settlements/runs?limit=101");
    assert.equal(badLimit.statusCode, 400);
    assert.equal(badLimit.json().code, "VALIDATION_FAILED");
  });
});
