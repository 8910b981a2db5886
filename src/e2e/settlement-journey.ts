import assert from "node:assert/strict";
import { expectOk, newIdempotencyKey } from "../../packages/client/src/index.js";
import {
  bankBalance,
  cancel,
  expectProblem,
  type Franchise,
  idPath,
  type Member,
  myMoney,
  pay,
  pick,
  poll,
  recharge,
  registerFranchise,
  signUp,
  staff,
  type Target,
  withKey,
} from "./steps.js";

/**
 * Journey 3: a merchant registers a franchise; a member pays it with money and points and cancels one
 * payment; staff change the commission and settle; the franchise's bank account receives the net.
 */
export async function franchiseSettlement(t: Target) {
  const f = await registerFranchise(t);
  const seen = expectOk(await f.owner.client.GET("/v1/franchises/{id}", idPath(f.franchiseId)));
  assert.deepEqual([seen.status, seen.commissionBps, seen.ownerId], ["ACTIVE", 200, f.owner.membershipId]);
  const p = await signUp(t, { bankBalance: 500_000 });
  await recharge(p, 100_000);
  const paid = await payAndCancel(p, f);
  await changeCommission(t, f, p);
  const late = await pay(p, f.franchiseId, 10_000);
  assert.equal(late.commissionBps, 350, "a payment after the change is stamped with the new rate");

  const settlement = await settle(t, f);
  // 15,000 won at 2% and 10,000 at 3.5%; the cancelled payment is not settled.
  assert.deepEqual(pick(settlement, "status", "paymentCount", "gross", "commission", "net"), {
    status: "PAID",
    paymentCount: 3,
    gross: 25_000,
    commission: 300 + 350,
    net: 24_350,
  });
  assert.equal(await bankBalance(t, f.settlementAccount), 24_350, "the franchise's account received the net");
  const mine = expectOk(await f.owner.client.GET("/v1/settlements")).items;
  assert.deepEqual(
    mine.map((s) => s.settlementId),
    [settlement.settlementId],
    "the merchant sees its settlement",
  );
  const settled = expectOk(await p.client.GET("/v1/payments/{id}", idPath(paid.paymentId)));
  assert.deepEqual([settled.status, settled.settlementId], ["SETTLED", settlement.settlementId]);
  const again = { params: { ...withKey({}).params, path: { id: paid.paymentId } }, body: {} };
  expectProblem(await p.client.POST("/v1/payments/{id}/cancel", again), 409, "ALREADY_SETTLED");
}

/** Three payments (the last partly with points), one cancelled; a payment still NORMAL. */
async function payAndCancel(p: Member, f: Franchise) {
  const first = await pay(p, f.franchiseId, 10_000);
  assert.deepEqual(
    pick(first, "status", "paidWithMoney", "paidWithPoints", "pointsEarned", "commissionBps"),
    {
      status: "NORMAL",
      paidWithMoney: 10_000,
      paidWithPoints: 0,
      pointsEarned: 100,
      commissionBps: 200,
    },
  );
  const second = await pay(p, f.franchiseId, 20_000);
  assert.equal(second.pointsEarned, 200, "points are earned at 1%");
  const third = await pay(p, f.franchiseId, 5_000, 300);
  assert.deepEqual(pick(third, "paidWithMoney", "paidWithPoints", "pointsEarned"), {
    paidWithMoney: 4_700,
    paidWithPoints: 300,
    pointsEarned: 47,
  });
  assert.equal(expectOk(await p.client.GET("/v1/points/me")).points, 47);
  const tooMany = withKey({ franchiseId: f.franchiseId, amount: 1_000, usePoints: 500 });
  expectProblem(await p.client.POST("/v1/payments", tooMany), 422, "INSUFFICIENT_POINTS");

  // The 200 points it earned are partly spent: the 153 missing are taken from the money refund.
  const cancelled = await cancel(p, second.paymentId);
  assert.equal(cancelled.status, "CANCELLED");
  assert.deepEqual(cancelled.refund, { money: 19_847, points: 0, pointsTakenBack: 47, takenFromMoney: 153 });
  assert.deepEqual(pick(await myMoney(p), "balance", "points"), {
    balance: 100_000 - 10_000 - 20_000 - 4_700 + 19_847,
    points: 0,
  });
  return first;
}

/** Staff (and only staff) change the commission to 350 bps; the audit history shows who and when. */
async function changeCommission(t: Target, f: Franchise, customer: Member) {
  const admin = await staff(t);
  const adminId = expectOk(await admin.GET("/v1/memberships/me")).membershipId;
  const change = { ...idPath(f.franchiseId), body: { commissionBps: 350 } };
  expectProblem(
    await customer.client.PATCH("/v1/admin/franchises/{id}/commission", change),
    403,
    "FORBIDDEN",
  );
  const changed = expectOk(await admin.PATCH("/v1/admin/franchises/{id}/commission", change));
  assert.equal(changed.commissionBps, 350);
  const history = expectOk(
    await admin.GET("/v1/admin/franchises/{id}/commission-history", idPath(f.franchiseId)),
  );
  assert.deepEqual(
    history.items.map((h) => [h.commissionBps, h.previousBps]),
    [
      [350, 200],
      [200, null],
    ],
    "newest first, each with the rate before it",
  );
  assert.equal(history.items[0]?.changedBy, adminId, "the history names who changed it");
}

/** Staff run settlement (one run for one key) and wait for it; the franchise's settlement. */
async function settle(t: Target, f: Franchise) {
  const admin = await staff(t);
  const run = withKey({}, newIdempotencyKey());
  const started = expectOk(await admin.POST("/v1/admin/settlements/run", run));
  const replayed = await admin.POST("/v1/admin/settlements/run", run);
  assert.equal(replayed.response.headers.get("idempotent-replayed"), "true");
  assert.equal(expectOk(replayed).runId, started.runId, "the same key starts one run");
  await poll(
    `settlement run ${started.runId} completes`,
    async () => expectOk(await admin.GET("/v1/admin/settlements/runs/{id}", idPath(started.runId))),
    (r) => r.status === "COMPLETED",
  );
  const list = { params: { query: { franchiseId: f.franchiseId, runId: started.runId } } };
  const items = expectOk(await admin.GET("/v1/settlements", list)).items;
  assert.deepEqual(
    items.map((s) => s.franchiseId),
    [f.franchiseId],
    "the run settled the franchise once",
  );
  return items[0]!;
}
