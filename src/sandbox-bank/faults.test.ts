import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createLogger } from "../platform/logging.js";
import { createSandboxBank, type SandboxBank } from "./app.js";
import type { AccountRef } from "./schemas.js";
import { bankClient, loadedDice } from "./test-helpers.js";

const logger = createLogger("silent");
const dice = loadedDice();
let bank: SandboxBank;
let client: ReturnType<typeof bankClient>;
let url: string;

before(async () => {
  bank = await createSandboxBank({ logger, random: dice.random });
  client = bankClient(bank);
  url = await bank.app.listen({ port: 0, host: "127.0.0.1" });
});
after(() => bank.close());

const ref = ({ bankCode, accountNumber }: AccountRef) => ({ bankCode, accountNumber });

/** POSTs a transfer over a real socket, as mypay's bank adapter does. */
function postOverSocket(base: string, requestId: string, from: AccountRef, to: AccountRef, amount: number) {
  return fetch(`${base}/transfers`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ requestId, from: ref(from), to: ref(to), amount }),
    signal: AbortSignal.timeout(10_000),
  });
}

/** The connection was dropped by the bank, not given up on by the caller. */
const droppedConnection = (error: unknown) => error instanceof TypeError && error.message === "fetch failed";

describe("fault injection", () => {
  test("PUT /faults replaces the settings and GET /faults shows them", async () => {
    const set = await client.setFaults({ failureRate: 0.25, latencyMs: 5 });
    assert.deepEqual(set, {
      failureRate: 0.25,
      timeoutRate: 0,
      latencyMs: 5,
      down: false,
      timeoutHoldMs: 30_000,
    });
    assert.deepEqual((await client.call("GET", "/faults")).body, set);
    assert.equal((await client.call("PUT", "/faults", { failureRate: 2 })).status, 400);
    assert.equal((await client.setFaults({})).failureRate, 0);
  });

  test("failureRate 1 refuses every transfer, stores the refusal and moves nothing", async () => {
    const [a, b] = [await client.open(10_000), await client.open(0)];
    await client.setFaults({ failureRate: 1 });
    const id = client.newId();
    const res = await client.transfer(id, a, b, 1_000);
    await client.setFaults({});
    assert.deepEqual(res.body, { requestId: id, status: "FAILED", reason: "REFUSED" });
    assert.equal((await client.stored(id))?.reason, "REFUSED");
    assert.deepEqual(
      (await client.transfer(id, a, b, 1_000)).body,
      res.body,
      "a retry gets the same refusal",
    );
    assert.equal(await client.balance(a), 10_000);
  });

  test("a bank that is down answers 503 BANK_UNAVAILABLE to everything but /faults", async () => {
    const a = await client.open(10_000);
    await client.setFaults({ down: true });
    const res = await client.call("GET", `/accounts/004/${a.accountNumber}`);
    const transfer = await client.transfer(client.newId(), a, a, 1);
    const faults = await client.call("GET", "/faults");
    await client.setFaults({});
    assert.equal(res.status, 503);
    assert.equal(res.body.code, "BANK_UNAVAILABLE");
    assert.match(res.type, /application\/problem\+json/);
    assert.equal(transfer.status, 503);
    assert.equal(faults.body.down, true);
    assert.equal((await client.call("GET", "/health")).status, 200);
  });

  test("latencyMs delays every answer", async () => {
    await client.setFaults({ latencyMs: 80 });
    const started = performance.now();
    const res = await client.call("GET", "/banks");
    const took = performance.now() - started;
    await client.setFaults({});
    assert.equal(res.status, 200);
    assert.ok(took >= 75, `answered after ${took} ms`);
  });

  test("a timed-out transfer drops the connection; GET /transfers tells whether it happened", async () => {
    const [a, b] = [await client.open(10_000), await client.open(0)];
    await client.setFaults({ timeoutRate: 1, timeoutHoldMs: 50 });
    const done = client.newId("done");
    const lost = client.newId("lost");
    dice.queue.push(0, 0.1); // time out, carried out
    await assert.rejects(postOverSocket(url, done, a, b, 1_000), droppedConnection);
    dice.queue.push(0, 0.9); // time out, not carried out
    await assert.rejects(postOverSocket(url, lost, a, b, 2_000), droppedConnection);
    await client.setFaults({});

    assert.equal((await client.stored(done))?.status, "SUCCEEDED");
    assert.equal(await client.stored(lost), undefined, "the bank never received it");
    assert.equal(await client.balance(a), 9_000);
    const retry = await client.transfer(lost, a, b, 2_000);
    assert.equal(retry.body.status, "SUCCEEDED", "a retry of a lost transfer is carried out normally");
    assert.equal((await client.transfer(done, a, b, 1_000)).body.status, "SUCCEEDED");
    assert.equal(await client.balance(a), 7_000);
    assert.equal(await client.balance(b), 3_000);
  });
});

describe("a bank with files", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "mypay-bank-"));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  test("balances survive a restart, and closing does not wait for a held answer", async () => {
    const diskDice = loadedDice();
    const first = await createSandboxBank({ logger, dataDir, random: diskDice.random });
    const c1 = bankClient(first);
    const [a, b] = [await c1.open(10_000, "081"), await c1.open(500, "090")];
    assert.equal((await c1.transfer(c1.newId(), a, b, 1_500)).body.status, "SUCCEEDED");

    const base = await first.app.listen({ port: 0, host: "127.0.0.1" });
    await c1.setFaults({ timeoutRate: 1, timeoutHoldMs: 600_000 });
    diskDice.queue.push(0, 0); // time out, carried out
    const held = postOverSocket(base, "held-1", a, b, 1_000).catch((error: unknown) => error);
    const deadline = Date.now() + 5_000;
    while ((await c1.stored("held-1")) === undefined) {
      assert.ok(Date.now() < deadline, "the held transfer was never carried out");
      await new Promise((r) => setTimeout(r, 10));
    }
    const started = performance.now();
    await first.close();
    assert.ok(performance.now() - started < 5_000, "close cut the ten-minute hold short");
    assert.ok(droppedConnection(await held), "the held caller got no answer");

    const second = await createSandboxBank({ logger, dataDir });
    try {
      const c2 = bankClient(second);
      assert.equal(await c2.balance(a), 7_500);
      assert.equal(await c2.balance(b), 3_000);
      assert.equal((await c2.stored("held-1"))?.status, "SUCCEEDED");
      assert.equal((await c2.call("GET", "/faults")).body.timeoutRate, 0, "faults live in memory only");
    } finally {
      await second.close();
    }
  });
});
