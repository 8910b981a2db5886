import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createMypay } from "../../app.js";
import { loadConfig } from "../../platform/config.js";
import type { Db } from "../../platform/db/db.js";
import { createLogger } from "../../platform/logging.js";
import { createSandboxBank, type SandboxBank } from "../../sandbox-bank/api.js";
import { openTestBus } from "../../testing/bus.js";
import { openTestDb } from "../../testing/db.js";
import { adminEmail, adminPassword } from "../../testing/mypay.js";
import {
  bankBalance,
  bankCall,
  books,
  call,
  fastTuning,
  login,
  moneyOf,
  newMember,
  settled,
  type World,
} from "../../testing/world.js";

// mypay restarted on the same database with a lower MYPAY_BALANCE_CAP while a recharge is UNKNOWN.

let db: Db;
let bank: SandboxBank;
let bankUrl: string;
before(async () => {
  db = await openTestDb();
  // Dice that never carry out a timed-out transfer: the bank learns of the recharge only after the
  // restart, when the resolver sends it again, so its credit meets the lowered cap.
  bank = await createSandboxBank({ logger: createLogger("silent"), random: () => 0.99 });
  bankUrl = await bank.app.listen({ port: 0, host: "127.0.0.1" });
});
after(async () => {
  await bank.close();
  await db.close();
});

async function boot(cap: number): Promise<World> {
  const bus = await openTestBus();
  const config = loadConfig({
    MYPAY_BANK_PORT: "0",
    MYPAY_BANK_URL: bankUrl,
    MYPAY_BANK_TIMEOUT_MS: "2000",
    MYPAY_ADMIN_PASSWORD: adminPassword,
    MYPAY_BALANCE_CAP: String(cap),
  });
  const mypay = await createMypay({ config, logger: createLogger("silent"), db, bus, ...fastTuning });
  mypay.startBackground();
  await mypay.contexts.banking.prepare();
  return {
    mypay,
    bank: { url: bankUrl, close: () => bank.close() },
    staffToken: await login(mypay, adminEmail, adminPassword),
    close: async () => {
      await mypay.close();
      await bus.close();
    },
  };
}

test("item 1: won the bank moved are credited even when the cap was lowered while the recharge was UNKNOWN", async () => {
  let world = await boot(2_000_000);
  const kim = await newMember(world, { bankBalance: 1_000_000 });
  const seed = await call(world, kim.token, "POST", "/v1/money/recharge", { amount: 500_000 }, "seed");
  assert.equal(seed.json().status, "SUCCEEDED");

  await bankCall(world.bank, "PUT", "/faults", { timeoutRate: 1, timeoutHoldMs: 50 });
  const res = await call(world, kim.token, "POST", "/v1/money/recharge", { amount: 300_000 }, "unknown");
  assert.equal(res.json().status, "PENDING");
  await world.close();
  await bankCall(world.bank, "PUT", "/faults", {});

  // 800,000 won will be held, above the new cap of 600,000: the cap was decided at the reservation.
  world = await boot(600_000);
  await settled(world);
  const final = await call(world, kim.token, "GET", `/v1/money/recharges/${res.json().rechargeId}`);
  assert.equal(final.json().status, "SUCCEEDED");
  assert.equal(final.json().balance, 800_000);
  assert.equal(await moneyOf(world, kim), 800_000);
  assert.equal(await bankBalance(world, kim.account), 200_000);
  const { trial, recon } = await books(world);
  assert.equal(trial.totalDebit, trial.totalCredit);
  assert.equal(recon.ok, true, JSON.stringify(recon));
  // New recharges meet the new cap.
  const more = await call(world, kim.token, "POST", "/v1/money/recharge", { amount: 10_000 }, "more");
  assert.equal(more.statusCode, 422);
  assert.equal(more.json().code, "BALANCE_LIMIT_EXCEEDED");
  assert.equal(more.json().detail, "the balance would pass the cap of 600,000 won");
  await world.close();
});
