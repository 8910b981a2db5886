import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
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

let world: World;
let kim: Member;
let lee: Member;
let shop: Franchise;
before(async () => {
  world = await startWorld();
  [kim, lee, shop] = [await newMember(world), await newMember(world), await newFranchise(world)];
});
after(() => world.close());

type Item = {
  itemId: string;
  kind: string;
  ledgerKind: string | null;
  amount: number | null;
  balanceAfter: number | null;
  reference: string | null;
  status: string | null;
  details: Record<string, unknown> | null;
  occurredAt: string;
};
type Activity = { money: { balance: number; points: number } | null; items: Item[] };

const activityOf = async (m: Member): Promise<Activity> =>
  (
    await call(world, world.staffToken, "GET", `/v1/admin/members/${m.membershipId}/activity?limit=100`)
  ).json();
const post = async (m: Member, url: string, body: unknown, key: string) => {
  const res = await call(world, m.token, "POST", url, body, key);
  assert.ok(res.statusCode === 201 || res.statusCode === 200, res.body);
  return res.json();
};
const newestFirst = (items: Item[]) => {
  const times = items.map((i) => Date.parse(i.occurredAt));
  assert.deepEqual(
    times,
    [...times].sort((a, b) => b - a),
  );
};

describe("a member's activity through the whole flow (pay, cancel, remit)", () => {
  test("staff see the payer's payment, cancel, points and remittance, and the receiver's remittance, newest first", async () => {
    await post(kim, "/v1/money/recharge", { amount: 100_000 }, "f-r");
    const paid = await post(kim, "/v1/payments", { franchiseId: shop.franchiseId, amount: 30_000 }, "f-p");
    assert.equal(paid.pointsEarned, 300);
    const cancelled = await post(kim, `/v1/payments/${paid.paymentId}/cancel`, undefined, "f-c");
    assert.equal(cancelled.status, "CANCELLED");
    const sent = await post(
      kim,
      "/v1/remittances",
      { to: { membershipId: lee.membershipId }, amount: 25_000 },
      "f-m",
    );
    assert.equal(sent.status, "SUCCEEDED");
    await settled(world);

    // Recharge (money + completion), payment (money, points earned, slip), cancel (money, points taken
    // back, cancel), remittance (money, sent), registration: 10 items, and the summary as the wallet says.
    // Each context's events reach the read model on their own: wait for the last one of the flow too.
    await waitFor(async () => {
      const a = await activityOf(kim);
      const remitted = a.items.some((i) => i.kind === "REMITTANCE" && i.reference === sent.remittanceId);
      // The balance (query.money) and the MONEY item (query.activity) come from two consumers.
      const moved = a.items.some((i) => i.kind === "MONEY" && i.ledgerKind === "REMITTANCE");
      return a.items.length >= 10 && a.money?.balance === 75_000 && remitted && moved;
    }, 10_000);
    const kims = await activityOf(kim);
    newestFirst(kims.items);
    assert.deepEqual(kims.money, { balance: 75_000, points: 0 });
    const business = kims.items.filter((i) =>
      ["PAYMENT", "PAYMENT_CANCELLED", "REMITTANCE"].includes(i.kind),
    );
    assert.deepEqual(
      business.map((i) => [i.kind, i.reference, i.amount, i.status]),
      [
        ["REMITTANCE", sent.remittanceId, -25_000, "SUCCEEDED"],
        ["PAYMENT_CANCELLED", paid.paymentId, 30_000, "CANCELLED"],
        ["PAYMENT", paid.paymentId, -30_000, "NORMAL"],
      ],
    );
    assert.deepEqual(business[1]?.details, {
      franchiseId: shop.franchiseId,
      refund: { money: 30_000, points: 0, pointsTakenBack: 300, takenFromMoney: 0 },
    });
    assert.deepEqual(
      kims.items
        .filter((i) => i.kind === "POINTS")
        .map((i) => [i.ledgerKind, i.amount, i.balanceAfter, i.reference]),
      [
        ["POINTS_TAKE_BACK", -300, 0, paid.paymentId],
        ["POINTS_EARN", 300, 300, paid.paymentId],
      ],
    );
    assert.deepEqual(
      kims.items.filter((i) => i.kind === "MONEY").map((i) => [i.ledgerKind, i.amount, i.balanceAfter]),
      [
        ["REMITTANCE", -25_000, 75_000],
        ["PAYMENT_CANCEL", 30_000, 100_000],
        ["PAYMENT", -30_000, 70_000],
        ["RECHARGE", 100_000, 100_000],
      ],
    );

    await waitFor(async () => {
      const a = await activityOf(lee);
      const arrived = a.items.some((i) => i.kind === "REMITTANCE" && i.reference === sent.remittanceId);
      return a.items.length >= 3 && a.money?.balance === 25_000 && arrived;
    });
    const lees = await activityOf(lee);
    newestFirst(lees.items);
    assert.deepEqual(
      lees.items.map((i) => [i.kind, i.amount, i.reference]),
      // The remittance completes after money moved the won, so its item is the newer.
      [
        ["REMITTANCE", 25_000, sent.remittanceId],
        ["MONEY", 25_000, sent.remittanceId],
        ["MEMBER_REGISTERED", null, null],
      ],
    );
    assert.deepEqual(lees.items[0]?.details, {
      direction: "RECEIVED",
      remittanceType: "MEMBER",
      fromMembershipId: kim.membershipId,
    });
    const { trial, recon } = await books(world);
    assert.equal(trial.totalDebit, trial.totalCredit);
    assert.equal(recon.ok, true);
  });
});
