import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Db } from "../../platform/db/db.js";
import { createLogger } from "../../platform/logging.js";
import { type StartedSandboxBank, startSandboxBank } from "../../sandbox-bank/api.js";
import { bootOn, type Crash, crashFaults } from "../../testing/crash.js";
import { openTestDb } from "../../testing/db.js";
import {
  bankBalance,
  bankCall,
  books,
  call,
  type Member,
  newFranchise,
  newMember,
  settled,
  type World,
} from "../../testing/world.js";

// The payment and cancel sagas are stopped after (or just before committing) each of their steps in
// turn, as if the process died there; a new process on the same database finishes them, and every won
// and point is where the answer says.

let db: Db;
let bank: StartedSandboxBank;
before(async () => {
  db = await openTestDb();
  bank = await startSandboxBank({ port: 0, host: "127.0.0.1", logger: createLogger("silent") });
});
after(async () => {
  await bank.close();
  await db.close();
});

function boot(crash?: Crash): Promise<World> {
  return bootOn(db, bank, crash ? { sagas: crashFaults(() => crash) } : {});
}

const cases = [
  // Short by 15,000 won: the payment recharges them first, then pays 25,000 won.
  { saga: "payment", step: "recharge", answer: 201, status: "PENDING", expect: "NORMAL" },
  { saga: "payment", step: "recharge", answer: 201, status: "PENDING", expect: "NORMAL", beforeCommit: true },
  // A crash after the last commit leaves a finished saga: its answer was recorded with that commit.
  { saga: "payment", step: "pay", answer: 201, status: "NORMAL", expect: "NORMAL" },
  { saga: "payment", step: "pay", answer: 201, status: "PENDING", expect: "NORMAL", beforeCommit: true },
  // The bank refuses the auto-recharge: the payment fails, having moved nothing.
  { saga: "payment", step: "recharge", answer: 422, status: null, expect: "FAILED", refuse: true },
  { saga: "cancel", step: "refund", answer: 200, status: "CANCELLED", expect: "CANCELLED" },
  {
    saga: "cancel",
    step: "refund",
    answer: 200,
    status: "CANCELLING",
    expect: "CANCELLED",
    beforeCommit: true,
  },
] as const;

const wallet = async (world: World, m: Member) => {
  const me = (await call(world, m.token, "GET", "/v1/money/me")).json();
  return { balance: me.balance as number, points: me.points as number };
};

describe("payment sagas survive a crash at every step", () => {
  for (const c of cases) {
    const when = "beforeCommit" in c ? "before committing" : "after";
    const name = `${c.saga}: crash ${when} ${c.step}${"refuse" in c ? " (bank refuses)" : ""} → ${c.expect}`;
    test(name, async () => {
      let world = await boot();
      const kim = await newMember(world, { bankBalance: 200_000 });
      const shop = await newFranchise(world);
      const seed = await call(world, kim.token, "POST", "/v1/money/recharge", { amount: 10_000 }, "seed");
      assert.equal(seed.json().status, "SUCCEEDED");
      const toPay = c.saga === "payment" ? 25_000 : 8_000;
      const body = { franchiseId: shop.franchiseId, amount: toPay };
      let paymentId: string | undefined;
      if (c.saga === "cancel") {
        const paid = await call(world, kim.token, "POST", "/v1/payments", body, "pay");
        paymentId = paid.json().paymentId;
      }
      await world.close();

      world = await boot({
        step: c.step,
        phase: "action",
        ...("beforeCommit" in c ? { beforeCommit: true } : {}),
      });
      const path = `/accounts/${kim.account.bankCode}/${kim.account.accountNumber}`;
      if ("refuse" in c) await bankCall(bank, "PATCH", path, { status: "FROZEN" });
      const res = paymentId
        ? await call(world, kim.token, "POST", `/v1/payments/${paymentId}/cancel`, undefined, "crash")
        : await call(world, kim.token, "POST", "/v1/payments", body, "crash");
      assert.equal(res.statusCode, c.answer, res.body);
      if (c.status) assert.equal(res.json().status, c.status);
      await world.close();
      if ("refuse" in c) await bankCall(bank, "PATCH", path, { status: "ACTIVE" });

      world = await boot();
      await settled(world);
      const list = (await call(world, kim.token, "GET", "/v1/payments")).json().items;
      assert.equal(list.length, 1);
      assert.equal(list[0].status, c.expect);
      // The first answer stays the answer for a retry of the same request.
      const again = paymentId
        ? await call(world, kim.token, "POST", `/v1/payments/${paymentId}/cancel`, undefined, "crash")
        : await call(world, kim.token, "POST", "/v1/payments", body, "crash");
      assert.deepEqual([again.statusCode, again.json()], [res.statusCode, res.json()]);
      const paid = c.expect === "NORMAL";
      const recharged = paid ? 15_000 : 0;
      assert.deepEqual(await wallet(world, kim), {
        balance: paid ? 0 : 10_000,
        points: paid ? 250 : 0,
      });
      assert.equal(await bankBalance(world, kim.account), 190_000 - recharged);
      const { trial, recon } = await books(world);
      assert.equal(trial.totalDebit, trial.totalCredit);
      assert.equal(recon.ok, true, JSON.stringify(recon));
      await world.close();
    });
  }
});
