import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { newId } from "../../kernel/ids.js";
import {
  call,
  type Franchise,
  type Member,
  newFranchise,
  newMember,
  startWorld,
  type World,
} from "../../testing/world.js";

// GET /v1/payments: a member sees its own payments, a merchant also its franchises', staff all;
// filtered by status and franchise, newest first, a page at a time.

let world: World;
let merchant: Member;
let rival: Member;
let shopA: Franchise;
let shopB: Franchise;
let rivalShop: Franchise;
let kim: Member;
let lee: Member;
const made: Record<string, string> = {};

let keys = 0;
const pause = () => new Promise((r) => setTimeout(r, 20));
async function pay(m: Member, at: Franchise, amount: number, label: string) {
  const res = await call(
    world,
    m.token,
    "POST",
    "/v1/payments",
    { franchiseId: at.franchiseId, amount },
    `p-${++keys}`,
  );
  assert.equal(res.json().status, "NORMAL", res.body);
  made[label] = res.json().paymentId;
}

before(async () => {
  world = await startWorld();
  merchant = await newMember(world, { type: "merchant", bankBalance: 500_000 });
  rival = await newMember(world, { type: "merchant" });
  shopA = await newFranchise(world, { owner: merchant, name: "A" });
  shopB = await newFranchise(world, { owner: merchant, name: "B" });
  rivalShop = await newFranchise(world, { owner: rival, name: "C" });
  kim = await newMember(world, { bankBalance: 500_000 });
  lee = await newMember(world, { bankBalance: 500_000 });
  await pay(kim, shopA, 1_000, "kimA");
  // kimA is settled with the franchise, as a settlement run does it: claimed up to a cutoff, then paid.
  await pause();
  const cutoff = new Date().toISOString();
  await pause();
  await pay(lee, shopA, 2_000, "leeA");
  await pay(kim, shopB, 3_000, "kimB");
  await pay(lee, rivalShop, 4_000, "leeC");
  // The merchant pays a rival's franchise as any member would.
  await pay(merchant, rivalShop, 5_000, "merchantC");
  await pay(kim, rivalShop, 6_000, "kimC");
  const cancelled = await call(
    world,
    kim.token,
    "POST",
    `/v1/payments/${made.kimC}/cancel`,
    undefined,
    "cancel",
  );
  assert.equal(cancelled.json().status, "CANCELLED");
  const api = world.mypay.contexts.payment.api;
  const runId = newId("settlementRun");
  const [claimed] = await api.claimForSettlement({ runId, cutoff });
  assert.equal(claimed?.paymentCount, 1);
  await api.markSettled({ runId, franchiseId: shopA.franchiseId, settlementId: newId("settlement") });
});
after(() => world.close());

async function list(token: string, query = "") {
  const res = await call(world, token, "GET", `/v1/payments${query}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { items: { paymentId: string; status: string }[]; nextCursor: string | null };
}
const labels = (page: { items: { paymentId: string }[] }) =>
  page.items.map((i) => Object.keys(made).find((k) => made[k] === i.paymentId));

describe("listing payments", () => {
  test("a member sees its own payments, newest first, filtered by status and franchise", async () => {
    assert.deepEqual(labels(await list(kim.token)), ["kimC", "kimB", "kimA"]);
    assert.deepEqual(labels(await list(kim.token, "?status=CANCELLED")), ["kimC"]);
    assert.deepEqual(labels(await list(kim.token, "?status=NORMAL")), ["kimB"]);
    assert.deepEqual(labels(await list(kim.token, `?franchiseId=${shopB.franchiseId}`)), ["kimB"]);
    const [settled, ...none] = (await list(kim.token, "?status=SETTLED")).items as unknown as {
      paymentId: string;
      settlementId: string;
    }[];
    assert.deepEqual([settled?.paymentId, none], [made.kimA, []]);
    assert.match(settled?.settlementId ?? "", /^stl_/);
    assert.deepEqual(labels(await list(lee.token, "?status=SETTLED")), []);
  });

  test("a merchant also sees its franchises' payments, whoever paid; not a rival's", async () => {
    assert.deepEqual(labels(await list(merchant.token)), ["merchantC", "kimB", "leeA", "kimA"]);
    assert.deepEqual(labels(await list(merchant.token, `?franchiseId=${shopA.franchiseId}`)), [
      "leeA",
      "kimA",
    ]);
    // At a rival's franchise, only what it paid itself.
    assert.deepEqual(labels(await list(merchant.token, `?franchiseId=${rivalShop.franchiseId}`)), [
      "merchantC",
    ]);
    assert.deepEqual(labels(await list(rival.token)), ["kimC", "merchantC", "leeC"]);
    assert.deepEqual(labels(await list(rival.token, "?status=NORMAL")), ["merchantC", "leeC"]);
  });

  test("staff see every payment, filtered alike, a page at a time", async () => {
    assert.deepEqual(labels(await list(world.staffToken)), [
      "kimC",
      "merchantC",
      "leeC",
      "kimB",
      "leeA",
      "kimA",
    ]);
    assert.deepEqual(labels(await list(world.staffToken, "?status=SETTLED")), ["kimA"]);
    assert.deepEqual(
      labels(await list(world.staffToken, `?franchiseId=${rivalShop.franchiseId}&status=NORMAL`)),
      ["merchantC", "leeC"],
    );
    const seen: (string | undefined)[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(world.staffToken, `?limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      assert.ok(page.items.length <= 4);
      seen.push(...labels(page));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, ["kimC", "merchantC", "leeC", "kimB", "leeA", "kimA"]);
    const bad = await call(world, world.staffToken, "GET", "/v1/payments?status=LOST");
    assert.equal(bad.statusCode, 400);
    assert.equal((await call(world, world.staffToken, "GET", "/v1/payments?limit=101")).statusCode, 400);
  });
});
