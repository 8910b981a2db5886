import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Db } from "../../platform/db/db.js";
import { waitFor } from "../../testing/bus.js";
import { type Crash as BaseCrash, bootOn, crashFaults } from "../../testing/crash.js";
import { openTestDb } from "../../testing/db.js";
import {
  bankBalance,
  bankCall,
  type Member,
  newFranchise,
  newMember,
  type World,
} from "../../testing/world.js";
import {
  assertBooks,
  assertPaidOnce,
  pay,
  paymentStatus,
  runOf,
  settlementsOf,
  startRun,
} from "./test-kit.js";

/**
 * For the crash-at-every-step tests of settlement's sagas: mypay on one shared database, stopped at
 * a step as if the process died there, then a new process that must finish what it left.
 */

export interface Crash extends BaseCrash {
  /** The franchise's settlement account is frozen: every payout attempt is refused. */
  readonly refuse?: boolean;
}

type CrashWorld = World & { readonly crashed: Promise<void> };
type Bank = World["bank"];

async function boot(db: Db, bank: Bank, crash?: Crash): Promise<CrashWorld> {
  let crashed = () => {};
  const hit = new Promise<void>((resolve) => {
    crashed = resolve;
  });
  // Says when it fired, so the test closes the process once it has died there.
  const world = await bootOn(db, bank, crash ? { sagas: crashFaults(() => crash, crashed) } : {});
  return { ...world, crashed: hit };
}

/**
 * One test per crash: payments are made in a healthy process, a run is started in one that dies at
 * the step, and a third finishes it: PAID exactly once, or (refused) FAILED with everything given back.
 */
export function crashEveryStep(saga: string, cases: readonly Crash[], openBank: () => Promise<Bank>) {
  let db: Db;
  let bank: Bank;
  let world: CrashWorld;
  let payer: Member;
  before(async () => {
    db = await openTestDb();
    bank = await openBank();
    world = await boot(db, bank);
    payer = await newMember(world, { bankBalance: 10_000_000 });
  });
  after(async () => {
    await world.close();
    await bank.close();
    await db.close();
  });

  for (const c of cases) {
    const when = c.beforeCommit ? "before committing" : "after";
    const expect = c.refuse ? "FAILED" : "PAID";
    test(`${saga}: crash ${when} ${c.step} (${c.phase}) → ${expect} after restart`, async () => {
      const shop = await newFranchise(world);
      const payments = [await pay(world, payer, shop, 40_000), await pay(world, payer, shop, 2_501)];
      await world.close();
      const crashing = await boot(db, bank, c);
      const { bankCode, accountNumber } = shop.settlementAccount;
      const account = `/accounts/${bankCode}/${accountNumber}`;
      if (c.refuse) await bankCall(bank, "PATCH", account, { status: "FROZEN" });
      const res = await startRun(crashing);
      assert.equal(res.statusCode, 201, res.body);
      const { runId } = res.json();
      const noCrash = waitFor(async () => false, 15_000).catch(() => assert.fail(`no crash at ${c.step}`));
      await Promise.race([crashing.crashed, noCrash]);
      await crashing.close();
      if (c.refuse) await bankCall(bank, "PATCH", account, { status: "ACTIVE" });

      world = await boot(db, bank);
      await waitFor(async () => (await runOf(world, runId)).status === "COMPLETED", 20_000);
      const [settlement] = (await settlementsOf(world, shop)).filter((s) => s.runId === runId);
      assert.equal(settlement?.status, expect);
      if (expect === "PAID") {
        // 42,501 at 200 bps: floor(850.02) = 850 commission.
        assert.equal(settlement?.net, 41_651);
        await assertPaidOnce(world, shop, payments);
      } else {
        assert.equal(settlement?.failureReason, "ACCOUNT_NOT_ACTIVE");
        for (const id of payments) assert.equal(await paymentStatus(world, id), "NORMAL");
        assert.equal(await bankBalance(world, shop.settlementAccount), 0);
      }
      await assertBooks(world);
    });
  }
}
