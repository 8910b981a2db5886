import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { newId } from "../../kernel/ids.js";
import type { EventEnvelope } from "../../platform/bus/bus.js";
import { waitFor } from "../../testing/bus.js";
import {
  books,
  call,
  type Franchise,
  type Member,
  newFranchise,
  newMember,
  settled,
  startWorld,
  type World,
} from "../../testing/world.js";
import { type PaymentApi, type PaymentsSettled, paymentEvents } from "./api.js";

// Settlement's calls (PaymentApi) through the real database: claiming slips for a run, marking them
// SETTLED, freeing them again; and the race of a cancel with a claim, which exactly one side wins.

let world: World;
let api: PaymentApi;
let a: Franchise;
let b: Franchise;
let kim: Member;
const settledEvents: PaymentsSettled[] = [];
before(async () => {
  world = await startWorld();
  api = world.mypay.contexts.payment.api;
  await world.mypay.bus.broadcast([paymentEvents.PaymentsSettled], async (e: EventEnvelope) => {
    settledEvents.push(e.data as PaymentsSettled);
  });
  a = await newFranchise(world, { name: "Mangwon Noodles" });
  b = await newFranchise(world, { name: "Yeonnam Books" });
  kim = await newMember(world, { bankBalance: 2_000_000 });
  const seed = await call(world, kim.token, "POST", "/v1/money/recharge", { amount: 1_000_000 }, "seed");
  assert.equal(seed.json().status, "SUCCEEDED");
});
after(() => world.close());

let keys = 0;
async function pay(at: Franchise, amount: number) {
  const res = await call(
    world,
    kim.token,
    "POST",
    "/v1/payments",
    { franchiseId: at.franchiseId, amount },
    `p-${++keys}`,
  );
  assert.equal(res.json().status, "NORMAL", res.body);
  return res.json().paymentId as string;
}
const cancel = (id: string) =>
  call(world, kim.token, "POST", `/v1/payments/${id}/cancel`, undefined, `c-${++keys}`);
const slip = async (id: string) => (await call(world, kim.token, "GET", `/v1/payments/${id}`)).json();
const runId = () => newId("settlementRun");
/** The slips of the franchise a run claimed; a settlement id the run did not settle finds the unsettled ones. */
const claimedIds = (run: string, franchiseId: string, settlementId: string = newId("settlement")) =>
  api.claimedPaymentIds({ runId: run, franchiseId, settlementId });
const now = () => new Date().toISOString();
const pause = () => new Promise((r) => setTimeout(r, 20));

async function booksBalance() {
  await settled(world);
  const { trial, recon } = await books(world);
  assert.equal(trial.totalDebit, trial.totalCredit);
  assert.equal(recon.ok, true, JSON.stringify(recon));
}

describe("PaymentApi: settlement's claims on payment slips", () => {
  test("a run claims every NORMAL unclaimed slip before its cutoff, per franchise and stamped rate; a repeat answers the same", async () => {
    const a1 = await pay(a, 10_000);
    const a2 = await pay(a, 20_000);
    const patch = await call(
      world,
      world.staffToken,
      "PATCH",
      `/v1/admin/franchises/${a.franchiseId}/commission`,
      {
        commissionBps: 300,
      },
    );
    assert.equal(patch.statusCode, 200, patch.body);
    const a3 = await pay(a, 5_000);
    assert.equal((await slip(a3)).commissionBps, 300);
    const b1 = await pay(b, 7_000);
    const gone = await pay(b, 3_000);
    assert.equal((await cancel(gone)).json().status, "CANCELLED");
    await pause();
    const cutoff = now();
    await pause();
    const late = await pay(b, 4_000);

    const run = runId();
    const groups = await api.claimForSettlement({ runId: run, cutoff });
    assert.deepEqual(
      groups,
      [
        {
          franchiseId: a.franchiseId,
          paymentCount: 3,
          gross: 35_000,
          byRate: [
            { commissionBps: 200, gross: 30_000, count: 2 },
            { commissionBps: 300, gross: 5_000, count: 1 },
          ],
        },
        {
          franchiseId: b.franchiseId,
          paymentCount: 1,
          gross: 7_000,
          byRate: [{ commissionBps: 200, gross: 7_000, count: 1 }],
        },
      ].sort((x, y) => (x.franchiseId < y.franchiseId ? -1 : 1)),
    );
    assert.deepEqual(await api.claimForSettlement({ runId: run, cutoff: now() }), groups);
    assert.deepEqual(await claimedIds(run, a.franchiseId), [a1, a2, a3]);

    // What one run claimed, another does not take; the slip made after the cutoff is the next run's.
    const next = runId();
    const [lateGroup, ...more] = await api.claimForSettlement({ runId: next, cutoff: now() });
    assert.deepEqual(more, []);
    assert.deepEqual([lateGroup?.franchiseId, lateGroup?.gross], [b.franchiseId, 4_000]);
    assert.deepEqual(await claimedIds(next, b.franchiseId), [late]);

    const claimed = await cancel(a1);
    assert.equal(claimed.statusCode, 409);
    assert.equal(claimed.json().code, "ALREADY_SETTLED");
    assert.equal((await slip(a1)).status, "NORMAL");

    const settlementId = newId("settlement");
    await api.markSettled({ runId: run, franchiseId: a.franchiseId, settlementId });
    await api.markSettled({ runId: run, franchiseId: a.franchiseId, settlementId });
    for (const id of [a1, a2, a3]) {
      const s = await slip(id);
      assert.deepEqual([s.status, s.settlementId], ["SETTLED", settlementId]);
    }
    // Once SETTLED the settlement still lists them (found by its id, no longer among the unsettled).
    assert.deepEqual(await claimedIds(run, a.franchiseId, settlementId), [a1, a2, a3]);
    assert.equal((await cancel(a2)).json().code, "ALREADY_SETTLED");
    await waitFor(() => settledEvents.length > 0);
    assert.deepEqual(settledEvents, [
      { runId: run, franchiseId: a.franchiseId, settlementId, paymentCount: 3 },
    ]);

    // A payout that failed for good frees its slips: NORMAL again, for a later run to take.
    await api.releaseClaim({ runId: run, franchiseId: b.franchiseId });
    await api.releaseClaim({ runId: run, franchiseId: b.franchiseId });
    await api.markSettled({ runId: run, franchiseId: b.franchiseId, settlementId: newId("settlement") });
    assert.deepEqual(await claimedIds(run, b.franchiseId), []);
    assert.deepEqual([(await slip(b1)).status, (await slip(b1)).settlementId], ["NORMAL", null]);
    const later = runId();
    const [again] = await api.claimForSettlement({ runId: later, cutoff: now() });
    assert.deepEqual([again?.franchiseId, again?.paymentCount, again?.gross], [b.franchiseId, 1, 7_000]);
    await api.releaseClaim({ runId: next, franchiseId: b.franchiseId });
    await api.releaseClaim({ runId: later, franchiseId: b.franchiseId });
    await booksBalance();
  });

  test("one claim takes many slips of many franchises at once, each exactly once", async () => {
    const c = await newFranchise(world, { name: "Seogyo Tacos" });
    const shops = [a, b, c];
    const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => pay(shops[i % 3]!, 1_000 + i)));
    const run = runId();
    const groups = await api.claimForSettlement({ runId: run, cutoff: now() });
    const claimed = (await Promise.all(groups.map((g) => claimedIds(run, g.franchiseId)))).flat();
    // The slips earlier tests left unclaimed are taken too: every NORMAL slip of the cutoff, once.
    for (const id of ids) assert.equal(claimed.filter((x) => x === id).length, 1);
    assert.equal(
      groups.reduce((n, g) => n + g.paymentCount, 0),
      claimed.length,
    );
    assert.deepEqual(await api.claimForSettlement({ runId: runId(), cutoff: now() }), []);
    for (const g of groups) await api.releaseClaim({ runId: run, franchiseId: g.franchiseId });
  });

  test("payouts that finish together are SETTLED in one go, each settlement announced once with its count", async () => {
    const d = await newFranchise(world, { name: "Sangsu Dumplings" });
    const e = await newFranchise(world, { name: "Hapjeong Bakery" });
    const mine = [await pay(d, 1_000), await pay(d, 2_000), await pay(e, 3_000)];
    const run = runId();
    const groups = await api.claimForSettlement({ runId: run, cutoff: now() });
    const ours = groups.filter((g) => g.franchiseId === d.franchiseId || g.franchiseId === e.franchiseId);
    const others = groups.filter((g) => !ours.includes(g));
    for (const g of others) await api.releaseClaim({ runId: run, franchiseId: g.franchiseId });
    const ids = new Map(ours.map((g) => [g.franchiseId, newId("settlement")]));
    const settle = (franchiseId: string) =>
      api.markSettled({ runId: run, franchiseId, settlementId: ids.get(franchiseId)! });
    // Both at once, and a repeat of one of them inside the same batch.
    await Promise.all([settle(d.franchiseId), settle(e.franchiseId), settle(d.franchiseId)]);
    const slips = await Promise.all(mine.map(slip));
    assert.deepEqual(
      slips.map((s) => [s.status, s.settlementId]),
      [
        ["SETTLED", ids.get(d.franchiseId)],
        ["SETTLED", ids.get(d.franchiseId)],
        ["SETTLED", ids.get(e.franchiseId)],
      ],
    );
    await waitFor(() => settledEvents.filter((x) => x.runId === run).length >= 2);
    const announced = settledEvents.filter((x) => x.runId === run);
    assert.deepEqual(
      announced.map((x) => [x.franchiseId, x.settlementId, x.paymentCount]).sort(),
      [
        [d.franchiseId, ids.get(d.franchiseId), 2],
        [e.franchiseId, ids.get(e.franchiseId), 1],
      ].sort(),
    );
    assert.deepEqual(await claimedIds(run, d.franchiseId, ids.get(d.franchiseId)!), mine.slice(0, 2).sort());
  });

  test("a cancel racing a claim: exactly one of them wins, every round, and the books balance", async () => {
    const before = (await call(world, kim.token, "GET", "/v1/money/me")).json().balance as number;
    let spent = 0;
    let cancels = 0;
    const rounds = 20;
    for (let round = 0; round < rounds; round++) {
      const id = await pay(round % 2 ? a : b, 2_000);
      const run = runId();
      // Each round one side starts a little after the other (the claim later, then the cancel later),
      // so that each side wins some rounds however fast either one is.
      const lag = (round % 10) * 3;
      const startIn = <T>(ms: number, go: () => Promise<T>) => new Promise((r) => setTimeout(r, ms)).then(go);
      const claim = () => api.claimForSettlement({ runId: run, cutoff: now() });
      const [cancelled, groups] = await Promise.all([
        startIn(27 - lag, () => cancel(id)),
        startIn(lag, claim),
      ]);
      const inRun = (await Promise.all(groups.map((g) => claimedIds(run, g.franchiseId))))
        .flat()
        .includes(id);
      if (cancelled.statusCode === 200) {
        assert.equal(inRun, false, `round ${round}: cancelled and claimed`);
        assert.equal((await slip(id)).status, "CANCELLED");
        cancels++;
      } else {
        assert.equal(cancelled.json().code, "ALREADY_SETTLED", cancelled.body);
        assert.equal(inRun, true, `round ${round}: neither cancelled nor claimed`);
        spent += 2_000;
      }
      for (const g of groups) await api.releaseClaim({ runId: run, franchiseId: g.franchiseId });
    }
    assert.equal((await call(world, kim.token, "GET", "/v1/money/me")).json().balance, before - spent);
    assert.equal(cancels + spent / 2_000, rounds);
    // Both sides won some rounds: the race was run, not one side alone.
    assert.ok(cancels > 0 && cancels < rounds, `${cancels} of ${rounds} cancels won`);
    await booksBalance();
  });
});
