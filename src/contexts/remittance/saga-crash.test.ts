import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Db } from "../../platform/db/db.js";
import { createLogger } from "../../platform/logging.js";
import type { SagaPhase } from "../../platform/saga/engine.js";
import { type StartedSandboxBank, startSandboxBank } from "../../sandbox-bank/api.js";
import { bootOn, type Crash, crashFaults } from "../../testing/crash.js";
import { openTestDb } from "../../testing/db.js";
import { bankBalance, moneyOf, newMember, settled, type World } from "../../testing/world.js";
import { assertBooks, payeeAccount, recharge, remit, remittanceOf, withFaults } from "./test-kit.js";

// Each remittance saga is stopped after each of its steps in turn (and before each commit), as if the
// process died there; a new process on the same database must finish it: completed or refunded, every
// won where it belongs, at mypay and at the bank.

// The crash each process is armed with: read at every step, so that the process that finished one
// case (unarmed) is the one that crashes in the next, and each case costs one new process, not two.
let armed: Crash | undefined;

let db: Db;
let bank: StartedSandboxBank;
let world: World;
before(async () => {
  db = await openTestDb();
  bank = await startSandboxBank({ port: 0, host: "127.0.0.1", logger: createLogger("silent") });
  world = await boot();
});
after(async () => {
  await world.close();
  await bank.close();
  await db.close();
});

function boot(): Promise<World> {
  return bootOn(db, bank, { sagas: crashFaults(() => armed) });
}

/** The process dies (its sagas' leases left to run out) and a new, unarmed one starts on the same database. */
async function restart(): Promise<void> {
  await world.close();
  armed = undefined;
  world = await boot();
}

type Scenario = "member" | "member-refused" | "bank" | "bank-refused";
interface Case extends Crash {
  readonly scenario: Scenario;
  readonly answer: "PENDING" | "SUCCEEDED" | "FAILED";
}
const at = (
  scenario: Scenario,
  step: string,
  phase: SagaPhase,
  answer: Case["answer"],
  beforeCommit = false,
) => ({ scenario, step, phase, answer, beforeCommit }) satisfies Case;

// A crash after the saga's last commit leaves it finished: its answer was recorded with that commit.
const cases: Case[] = [
  at("member", "recharge", "action", "PENDING"),
  at("member", "transfer", "action", "SUCCEEDED"),
  at("member", "recharge", "action", "PENDING", true),
  at("member", "transfer", "action", "PENDING", true),
  at("member-refused", "transfer", "action", "FAILED"),
  at("member-refused", "transfer", "action", "PENDING", true),
  at("bank", "recharge", "action", "PENDING"),
  at("bank", "hold", "action", "PENDING"),
  at("bank", "payout", "action", "PENDING"),
  at("bank", "settle", "action", "SUCCEEDED"),
  at("bank", "recharge", "action", "PENDING", true),
  at("bank", "hold", "action", "PENDING", true),
  at("bank", "payout", "action", "PENDING", true),
  at("bank", "settle", "action", "PENDING", true),
  at("bank-refused", "payout", "action", "PENDING"),
  at("bank-refused", "hold", "compensation", "FAILED"),
  at("bank-refused", "payout", "action", "PENDING", true),
  at("bank-refused", "hold", "compensation", "PENDING", true),
];

const amount = 15_000;
const fee = 500;

describe("remittance sagas survive a crash after every step", () => {
  for (const c of cases) {
    const when = c.beforeCommit ? "before committing" : "after";
    const expect = c.scenario.endsWith("refused") ? "FAILED" : "SUCCEEDED";
    test(`${c.scenario}: crash ${when} ${c.step} (${c.phase}) → ${expect} after restart`, async () => {
      armed = c;
      const kim = await newMember(world, { bankBalance: 200_000 });
      const refused = expect === "FAILED";
      // Short unless refused: the auto-recharge of 10,000 is part of what must happen exactly once.
      await recharge(world, kim, refused ? 30_000 : 10_000);
      const lee = c.scenario.startsWith("member")
        ? await newMember(world, { bankBalance: 2_000_000 })
        : undefined;
      if (lee && refused) await recharge(world, lee, 2_000_000);
      const payee = lee ? undefined : await payeeAccount(world);
      const to = lee ? { membershipId: lee.membershipId } : payee!;
      const send = () => remit(world, kim, { to, amount });
      const res =
        c.scenario === "bank-refused" ? await withFaults(world, { failureRate: 1 }, send) : await send();
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().status, c.answer);
      await restart();
      await settled(world);
      const final = await remittanceOf(world, kim, res.json().remittanceId);
      assert.equal(final.status, expect, JSON.stringify(final));
      const paid = refused ? 0 : amount + (lee ? 0 : fee);
      const start = refused ? 30_000 : 20_000;
      assert.equal(await moneyOf(world, kim), start - paid, "the sender's money");
      assert.equal(await bankBalance(world, kim.account), 200_000 - start, "the auto-recharge ran once");
      if (lee) assert.equal(await moneyOf(world, lee), refused ? 2_000_000 : amount);
      if (payee) assert.equal(await bankBalance(world, payee), refused ? 0 : amount, "the payee's bank");
      await assertBooks(world);
    });
  }
});
