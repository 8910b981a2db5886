import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fail } from "../../kernel/errors.js";
import { createLogger } from "../../platform/logging.js";
import { createSagaEngine } from "../../platform/saga/engine.js";
import { watchBankCalls } from "../../testing/bank-calls.js";
import { waitFor } from "../../testing/bus.js";
import {
  bankBalance,
  bankCall,
  call,
  fastEnv,
  fastTuning,
  moneyOf,
  newMember,
  startWorld,
  type World,
} from "../../testing/world.js";
import type { BankingApi } from "../banking/api.js";
import { rechargeSaga } from "./recharge.js";

// How a money saga and the bank meet: the transfer is sent only under the saga's lease, and only
// banking's resolver asks the bank about a request whose answer did not come.

let world: World;
before(async () => {
  // The resolver does not run on its own here: the tests run its rounds when they want them.
  world = await startWorld(fastEnv, {
    money: fastTuning.money,
    banking: { ...fastTuning.banking, resolverPollMs: 3_600_000 },
  });
});
after(() => world.close());

let keys = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function bankHasTransfer(requestId: string): Promise<string | undefined> {
  const res = await fetch(`${world.bank.url}/transfers/${requestId}`);
  return res.status === 404 ? undefined : ((await res.json()) as { status: string }).status;
}

test("item 4: a saga whose transfer is UNKNOWN does not ask the bank; it completes once the resolver learns the outcome", async () => {
  const han = await newMember(world, { bankBalance: 100_000 });
  const calls = watchBankCalls(world.bank.url);
  try {
    await bankCall(world.bank, "PUT", "/faults", { timeoutRate: 1, timeoutHoldMs: 50 });
    const res = await call(world, han.token, "POST", "/v1/money/recharge", { amount: 30_000 }, `k-${++keys}`);
    await bankCall(world.bank, "PUT", "/faults", {});
    assert.equal(res.json().status, "PENDING");
    const id = res.json().rechargeId as string;
    // Ten of the saga's waits (100 ms here) run out meanwhile: it reads banking's record, not the bank.
    await sleep(1_000);
    assert.equal(calls.about(id).length, 1, "the transfer was sent once, and nobody asked about it since");
    const saga = await world.mypay.contexts.money.deps.engine.get(id);
    assert.equal(saga?.status, "WAITING");
    assert.ok((saga?.log.filter((e) => e.outcome === "waiting").length ?? 0) > 2, "the saga did look");
    assert.equal((await call(world, han.token, "GET", `/v1/money/recharges/${id}`)).json().status, "PENDING");

    assert.equal(await world.mypay.contexts.banking.resolveDue(), 1);
    const status = async () =>
      (await call(world, han.token, "GET", `/v1/money/recharges/${id}`)).json().status;
    await waitFor(async () => (await status()) !== "PENDING", 10_000);
    assert.equal(await status(), "SUCCEEDED");
    assert.equal(await moneyOf(world, han), 30_000);
    assert.equal(await bankBalance(world, han.account), 70_000);
  } finally {
    calls.stop();
    await bankCall(world.bank, "PUT", "/faults", {});
  }
});

test("item 3: a runner that lost its lease cannot send the transfer after another runner gave up", async () => {
  const { money, banking } = world.mypay.contexts;
  // Only the two runners below drive sagas in this test.
  await money.deps.engine.stop();
  const kim = await newMember(world, { bankBalance: 100_000 });
  const res = await call(world, kim.token, "POST", "/v1/money/recharge", { amount: 40_000 }, `k-${++keys}`);
  assert.equal(res.json().status, "PENDING");
  const id = res.json().rechargeId as string;

  let reached!: () => void;
  const inTransfer = new Promise<void>((r) => {
    reached = r;
  });
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  // Runner A stalls on its way to the bank, past its lease, as a process stopped by GC or the OS might.
  const stalled: BankingApi = {
    ...banking.api,
    async transfer(command) {
      reached();
      await gate;
      return banking.api.transfer(command);
    },
  };
  // Runner B finds the bank unreachable (its breaker is open) and gives up.
  const unreachable: BankingApi = {
    ...banking.api,
    transfer: async () => fail("BANK_UNAVAILABLE", "the bank cannot be reached now; nothing was sent"),
  };
  const runner = (api: BankingApi, holder: string) =>
    createSagaEngine({
      db: world.mypay.db,
      schema: "money",
      definitions: [
        rechargeSaga({ banking: api, config: money.deps.config, sagaWaitMs: 100, group: money.deps.group }),
      ],
      logger: createLogger("silent"),
      holder,
      leaseMs: 200,
    });
  const [a, b] = [runner(stalled, "runner-a"), runner(unreachable, "runner-b")];

  const aRun = a.run(id);
  await inTransfer;
  await sleep(300);
  const given = await b.run(id);
  assert.equal(given?.status, "COMPENSATED", "B gave up and undid the reservation");
  assert.equal(given?.failureReason, "BANK_UNAVAILABLE");
  release();
  await aRun;

  const final = (await call(world, kim.token, "GET", `/v1/money/recharges/${id}`)).json();
  assert.equal(final.status, "FAILED");
  assert.equal(await moneyOf(world, kim), 0);
  assert.equal(await bankBalance(world, kim.account), 100_000, "no won left the member's bank");
  assert.equal(await bankHasTransfer(id), undefined, "the bank never saw the transfer");
  const stored = await banking.api.outcome(id);
  assert.deepEqual([stored?.status, stored?.reason], ["FAILED", "NOT_SENT"]);
  assert.deepEqual((await a.get(id))?.status, "COMPENSATED", "A's late answer changed nothing");
});
