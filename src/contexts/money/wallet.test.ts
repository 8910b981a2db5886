import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createLogger } from "../../platform/logging.js";
import { waitFor } from "../../testing/bus.js";
import {
  bankBalance,
  bankCall,
  call,
  type Member,
  moneyOf,
  newMember,
  settled,
  startWorld,
  type World,
} from "../../testing/world.js";
import { reopenAbandonedWallets } from "./wallet-sweep.js";

/** Leaving mypay against a recharge: the wallet's state decides, atomically (issue 6, item 8). */

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

let keys = 0;
const recharge = (m: Member, amount: number) =>
  call(world, m.token, "POST", "/v1/money/recharge", { amount }, `leave-${++keys}`);
const leave = (m: Member) => call(world, m.token, "DELETE", `/v1/memberships/${m.membershipId}`);
const latency = (latencyMs: number) => bankCall(world.bank, "PUT", "/faults", { latencyMs });

/** What staff would see of the member: its status and its wallet, read from the books. */
async function state(m: Member) {
  const member = await world.mypay.contexts.membershipApi.getMember(m.membershipId);
  const [wallet] = await world.mypay.db.query<{ status: string; held: number }>(
    "SELECT status, (balance + reserved_in)::bigint AS held FROM money.accounts WHERE id = $1",
    [`member_money:${m.membershipId}`],
  );
  return { member: member?.status, wallet: wallet?.status, held: Number(wallet?.held ?? 0) };
}

const walletStatus = async (m: Member) => (await state(m)).wallet;

/** Waits for a recharge that may have answered PENDING (a busy machine) and checks it SUCCEEDED. */
async function finished(m: Member, rechargeId: string) {
  const status = async () =>
    (await call(world, m.token, "GET", `/v1/money/recharges/${rechargeId}`)).json().status;
  await waitFor(async () => (await status()) !== "PENDING", 15_000);
  assert.equal(await status(), "SUCCEEDED");
}

describe("leaving mypay races a recharge", () => {
  test("item 8: a recharge in flight when the member leaves: the DELETE answers 409 and the member keeps the money", async () => {
    const m = await newMember(world, { bankBalance: 500_000 });
    await latency(800);
    try {
      const pending = recharge(m, 50_000);
      await waitFor(async () => {
        const rows = await world.mypay.db.query(
          "SELECT 1 FROM money.recharges WHERE membership_id = $1 AND status = 'PENDING'",
          [m.membershipId],
        );
        return rows.length === 1;
      });
      const refused = await leave(m);
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json().code, "CONFLICT");
      const answered = await pending;
      assert.equal(answered.statusCode, 201);
      await finished(m, answered.json().rechargeId);
    } finally {
      await latency(0);
    }
    assert.equal(await moneyOf(world, m), 50_000);
    assert.equal(await bankBalance(world, m.account), 450_000);
    assert.deepEqual(await state(m), { member: "ACTIVE", wallet: "OPEN", held: 50_000 });
  });

  test("item 8: a recharge between the wallet's closing and the withdrawal is refused, nothing moved at the bank", async () => {
    const m = await newMember(world, { bankBalance: 500_000 });
    const money = world.mypay.contexts.money.api;
    // Step one of leaving, as membership takes it; the recharge comes before step two.
    assert.deepEqual(await money.closeWalletForLeaving(m.membershipId), { ok: true, value: undefined });
    const refused = await recharge(m, 50_000);
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, "CONFLICT");
    assert.equal(await bankBalance(world, m.account), 500_000, "the bank was never asked");
    assert.equal((await leave(m)).statusCode, 204);
    await waitFor(async () => (await walletStatus(m)) === "CLOSED");
    assert.deepEqual(await state(m), { member: "WITHDRAWN", wallet: "CLOSED", held: 0 });
  });

  test("item 8: a recharge and a DELETE at the same time: exactly one wins, never a withdrawn member with money", async () => {
    // How much later the DELETE starts than the recharge (negative: earlier), so both orders happen.
    const offsets = [-60, -20, -5, 0, 5, 20, 60];
    const members = await Promise.all(offsets.map(() => newMember(world, { bankBalance: 500_000 })));
    await latency(300);
    const later = (ms: number) => new Promise((ok) => setTimeout(ok, Math.max(0, ms)));
    const outcomes = await Promise.all(
      members.map(async (m, i) => {
        const offset = offsets[i] ?? 0;
        const [r, d] = await Promise.all([
          later(-offset).then(() => recharge(m, 10_000)),
          later(offset).then(() => leave(m)),
        ]);
        return {
          m,
          recharge: r.statusCode,
          code: r.statusCode >= 400 ? r.json().code : null,
          leave: d.statusCode,
        };
      }),
    );
    await latency(0);
    await settled(world);
    for (const o of outcomes) {
      const s = await state(o.m);
      const bank = await bankBalance(world, o.m.account);
      if (o.leave === 204) {
        // Refused: the token is revoked (401), the wallet closed (409), or the linked account already
        // gone with the member (422 NO_LINKED_ACCOUNT) — whichever the recharge met first.
        const refused =
          [401, 409].includes(o.recharge) || (o.recharge === 422 && o.code === "NO_LINKED_ACCOUNT");
        assert.ok(refused, `recharge answered ${o.recharge} ${o.code}`);
        assert.equal(bank, 500_000, "nothing moved at the bank");
        await waitFor(async () => (await walletStatus(o.m)) === "CLOSED");
        assert.deepEqual(await state(o.m), { member: "WITHDRAWN", wallet: "CLOSED", held: 0 });
      } else {
        assert.equal(o.leave, 409);
        assert.equal(o.recharge, 201);
        assert.deepEqual(s, { member: "ACTIVE", wallet: "OPEN", held: 10_000 });
        assert.equal(bank, 490_000);
      }
    }
  });

  test("item 8: a wallet left CLOSING by a crash reopens after a minute if the member is still ACTIVE", async () => {
    const [stays, left] = [await newMember(world), await newMember(world)];
    const money = world.mypay.contexts.money.api;
    for (const m of [stays, left]) assert.ok((await money.closeWalletForLeaving(m.membershipId)).ok);
    // The withdrawal of `stays` never committed (the process died); `left` completed hers.
    assert.equal((await leave(left)).statusCode, 204);
    const sweep = () =>
      reopenAbandonedWallets(world.mypay.db, world.mypay.contexts.membershipApi, createLogger("silent"));
    assert.equal(await sweep(), 0, "not within the first minute");
    assert.equal((await recharge(stays, 10_000)).statusCode, 409, "frozen meanwhile");
    await world.mypay.db.query(
      "UPDATE money.accounts SET updated_at = now() - interval '2 minutes' WHERE id = ANY($1::text[])",
      [[`member_money:${stays.membershipId}`, `member_money:${left.membershipId}`]],
    );
    await sweep(); // (or the background sweep, if it came first)
    assert.equal((await state(stays)).wallet, "OPEN");
    assert.equal((await recharge(stays, 10_000)).json().status, "SUCCEEDED");
    await waitFor(async () => (await walletStatus(left)) === "CLOSED");
  });
});
