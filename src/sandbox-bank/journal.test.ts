import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createLogger } from "../platform/logging.js";
import { freePort } from "../testing/ports.js";
import { createSandboxBank } from "./app.js";
import type { Account } from "./schemas.js";
import { bankClient } from "./test-helpers.js";

const logger = createLogger("silent");
const root = new URL("../..", import.meta.url).pathname;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "mypay-journal-"));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("the sandbox bank's journal", () => {
  test("item 20: accounts, transfers and refusals survive close and reopen, with no database of its own", async () => {
    const dataDir = tempDir();
    const first = await createSandboxBank({ logger, dataDir });
    const c1 = bankClient(first);
    const [a, b] = [await c1.open(10_000, "088"), await c1.open(0, "020")];
    const paid = c1.newId();
    const refused = c1.newId();
    assert.equal((await c1.transfer(paid, a, b, 4_000)).body.status, "SUCCEEDED");
    assert.equal((await c1.transfer(refused, a, b, 9_000)).body.reason, "INSUFFICIENT_FUNDS");
    await c1.call("PATCH", `/accounts/020/${b.accountNumber}`, { status: "FROZEN" });
    await first.close();

    assert.deepEqual(readdirSync(join(dataDir, "sandbox-bank")), ["journal.log"], "no second PGlite");
    const second = await createSandboxBank({ logger, dataDir });
    try {
      const c2 = bankClient(second);
      assert.equal(await c2.balance(a), 6_000);
      const frozen = await c2.call("GET", `/accounts/020/${b.accountNumber}`);
      assert.deepEqual(frozen.body, { ...b, balance: 4_000, status: "FROZEN" });
      assert.equal((await c2.stored(paid))?.status, "SUCCEEDED");
      assert.equal((await c2.stored(refused))?.reason, "INSUFFICIENT_FUNDS");
      assert.deepEqual((await c2.transfer(paid, a, b, 4_000)).body, { requestId: paid, status: "SUCCEEDED" });
      assert.equal(await c2.balance(a), 6_000, "a repeat after the restart moved nothing");
    } finally {
      await second.close();
    }
  });

  test("item 20: a torn last line left by a crash is dropped, and the journal goes on after it", async () => {
    const dataDir = tempDir();
    const first = await createSandboxBank({ logger, dataDir });
    const a = await bankClient(first).open(5_000);
    await first.close();
    const file = join(dataDir, "sandbox-bank", "journal.log");
    appendFileSync(file, '{"op":"open","account":{"bankCode":"004","accountNu');

    const second = await createSandboxBank({ logger, dataDir });
    const b = await bankClient(second).open(700);
    await second.close();
    const third = await createSandboxBank({ logger, dataDir });
    try {
      const c3 = bankClient(third);
      assert.equal(await c3.balance(a), 5_000);
      assert.equal(await c3.balance(b), 700);
      assert.equal(readFileSync(file, "utf8").split("\n").length, 3, "two whole lines, the torn one cut off");
    } finally {
      await third.close();
    }
  });
});

/** `npm run bank` in its own process group, as a user or a process manager runs it. */
async function runBank(dataDir: string, port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn("npm", ["run", "bank"], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      MYPAY_DATA_DIR: dataDir,
      MYPAY_BANK_PORT: String(port),
      MYPAY_LOG_LEVEL: "silent",
    },
  });
  let log = "";
  child.stdout?.on("data", (d) => {
    log += d;
  });
  child.stderr?.on("data", (d) => {
    log += d;
  });
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 120_000; ; ) {
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, url };
    assert.ok(child.exitCode === null && Date.now() < deadline, `npm run bank did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGKILL to npm and the bank alike; resolves once no process of the group is left. */
async function killGroup(child: ChildProcess) {
  process.kill(-child.pid!, "SIGKILL");
  const alive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  while (alive()) await new Promise((r) => setTimeout(r, 20));
}

const call = async (url: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${url}${path}`, {
    method,
    ...(body ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("the sandbox bank as its own process", () => {
  test("item 20: after a SIGKILL of `npm run bank` every answered transfer is there, and none moves money twice", async () => {
    assert.equal(spawnSync("node", ["scripts/build.mjs", "--if-stale"], { cwd: root }).status, 0);
    const dataDir = tempDir();
    const port = await freePort();
    const first = await runBank(dataDir, port);
    const open = async (balance: number) =>
      (await call(first.url, "POST", "/accounts", { bankCode: "004", holderName: "홍길동", balance }))
        .body as unknown as Account;
    const [payer, payee] = [await open(100_000), await open(0)];
    const ref = (a: Account) => ({ bankCode: a.bankCode, accountNumber: a.accountNumber });
    const sends = Array.from({ length: 40 }, (_, i) => ({
      requestId: `kill-${process.pid}-${i}`,
      from: ref(payer),
      to: ref(payee),
      amount: 1_000 + i,
    }));
    // Sent together, so they share fsyncs; each was answered only once it was on disk.
    const answers = await Promise.all(sends.map((s) => call(first.url, "POST", "/transfers", s)));
    assert.ok(answers.every((a) => a.body.status === "SUCCEEDED"));
    await killGroup(first.child);

    const second = await runBank(dataDir, port);
    try {
      const moved = sends.reduce((sum, s) => sum + s.amount, 0);
      assert.equal(
        (await call(second.url, "GET", `/accounts/004/${payer.accountNumber}`)).body.balance,
        100_000 - moved,
      );
      for (const s of sends) {
        assert.equal((await call(second.url, "GET", `/transfers/${s.requestId}`)).body.status, "SUCCEEDED");
      }
      const again = await Promise.all(sends.map((s) => call(second.url, "POST", "/transfers", s)));
      assert.ok(again.every((a) => a.body.status === "SUCCEEDED"));
      assert.equal(
        (await call(second.url, "GET", `/accounts/004/${payee.accountNumber}`)).body.balance,
        moved,
      );
    } finally {
      await killGroup(second.child);
    }
  });
});
