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
  moneyOf,
  newMember,
  settled,
  type World,
} from "../../testing/world.js";

// Each money saga is stopped after each of its steps in turn, as if the process died there; a new
// process on the same database must finish it: completed or compensated, every won accounted for.

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
  return bootOn(db, bank, crash ? { money: crashFaults(() => crash) } : {});
}

const cases = [
  // A crash after the last commit leaves a finished saga: its answer was recorded with that commit.
  {
    saga: "recharge",
    step: "reserve",
    phase: "action",
    refuse: false,
    answer: "PENDING",
    expect: "SUCCEEDED",
  },
  {
    saga: "recharge",
    step: "collect",
    phase: "action",
    refuse: false,
    answer: "SUCCEEDED",
    expect: "SUCCEEDED",
  },
  {
    saga: "recharge",
    step: "reserve",
    phase: "compensation",
    refuse: true,
    answer: "FAILED",
    expect: "FAILED",
  },
  { saga: "withdraw", step: "hold", phase: "action", refuse: false, answer: "PENDING", expect: "SUCCEEDED" },
  {
    saga: "withdraw",
    step: "payout",
    phase: "action",
    refuse: false,
    answer: "SUCCEEDED",
    expect: "SUCCEEDED",
  },
  { saga: "withdraw", step: "hold", phase: "compensation", refuse: true, answer: "FAILED", expect: "FAILED" },
  // The bank moved the won, then the process died before recording it: the stored request id finds out.
  {
    saga: "recharge",
    step: "collect",
    phase: "action",
    refuse: false,
    answer: "PENDING",
    expect: "SUCCEEDED",
    beforeCommit: true,
  },
  {
    saga: "withdraw",
    step: "payout",
    phase: "action",
    refuse: false,
    answer: "PENDING",
    expect: "SUCCEEDED",
    beforeCommit: true,
  },
] as const;

describe("money sagas survive a crash after every step", () => {
  for (const c of cases) {
    const when = "beforeCommit" in c ? "before committing" : "after";
    test(`${c.saga}: crash ${when} ${c.step} (${c.phase}) → ${c.expect} after restart`, async () => {
      let world = await boot();
      const kim = await newMember(world, { bankBalance: 200_000 });
      const pay = await call(
        world,
        kim.token,
        "POST",
        "/v1/money/recharge",
        { amount: 50_000 },
        `seed-${c.saga}-${c.step}-${c.phase}-${when}`,
      );
      assert.equal(pay.json().status, "SUCCEEDED");
      await world.close();

      world = await boot({ step: c.step, phase: c.phase, beforeCommit: "beforeCommit" in c });
      const path = `/accounts/${kim.account.bankCode}/${kim.account.accountNumber}`;
      if (c.refuse) await bankCall(bank, "PATCH", path, { status: "FROZEN" });
      const res = await call(
        world,
        kim.token,
        "POST",
        `/v1/money/${c.saga}`,
        { amount: 20_000 },
        `crash-${c.saga}-${c.step}-${c.phase}-${when}`,
      );
      assert.equal(res.statusCode, 201);
      assert.equal(res.json().status, c.answer);
      await world.close();
      if (c.refuse) await bankCall(bank, "PATCH", path, { status: "ACTIVE" });

      world = await boot();
      await settled(world);
      const id = res.json().rechargeId ?? res.json().withdrawalId;
      const final = await call(
        world,
        kim.token,
        "GET",
        `/v1/money/${c.saga === "recharge" ? "recharges" : "withdrawals"}/${id}`,
      );
      assert.equal(final.json().status, c.expect);
      const delta = c.expect === "FAILED" ? 0 : c.saga === "recharge" ? 20_000 : -20_000;
      assert.equal(await moneyOf(world, kim), 50_000 + delta);
      assert.equal(await bankBalance(world, kim.account), 150_000 - delta);
      const { trial, recon } = await books(world);
      assert.equal(trial.totalDebit, trial.totalCredit);
      assert.equal(recon.ok, true, JSON.stringify(recon));
      await world.close();
    });
  }
});
