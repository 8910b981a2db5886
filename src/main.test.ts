import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { freePort } from "./testing/ports.js";

// The real process, as `npm start` runs it: start-up, configuration errors, a hard kill, a graceful stop.
const dataDir = mkdtempSync(join(tmpdir(), "mypay-main-"));
after(() => rmSync(dataDir, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  url: string;
  bankUrl: string;
}

async function start(env: Record<string, string> = {}): Promise<Running> {
  const [port, bankPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: {
      ...process.env,
      MYPAY_PORT: String(port),
      MYPAY_BANK_PORT: String(bankPort),
      MYPAY_BANK_URL: `http://127.0.0.1:${bankPort}`,
      MYPAY_DATA_DIR: dataDir,
      MYPAY_LOG_LEVEL: "info",
      MYPAY_DATABASE_URL: "",
      MYPAY_BUS_URL: "",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) break;
    const up = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`mypay did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, output: () => out, exited, url, bankUrl: `http://127.0.0.1:${bankPort}` };
}

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("the mypay process", () => {
  test("a bad setting stops it with one line naming the variable", async () => {
    const run = await start({ MYPAY_PORT: "not-a-port" });
    assert.equal(await run.exited, 1);
    assert.match(
      run.output(),
      /^mypay: MYPAY_PORT must be a whole number from 0 to 65535, got "not-a-port"\n$/,
    );
  });

  test("first start: warns about fsync, logs masked config, prints the generated admin password once", async () => {
    const run = await start({ MYPAY_ADMIN_PASSWORD: "" });
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 0);
    const log = run.output();
    assert.match(log, /never fsyncs/);
    assert.match(log, /MYPAY_DATABASE_URL/);
    assert.match(log, /effective configuration/);
    assert.match(log, /admin@mypay\.local/);
    assert.match(log, /"adminPassword":"\(generated at first start\)"/);
  });

  test("what was written before a hard kill (SIGKILL) is there after restart", async () => {
    const first = await start();
    const email = `kim-${Date.now()}@example.com`;
    const registered = await post(`${first.url}/v1/memberships`, {
      name: "Kim Minji",
      email,
      password: "s3cret-password",
      region: "Seoul",
      type: "personal",
    });
    assert.equal(registered.status, 201);
    first.child.kill("SIGKILL");
    await first.exited;

    const second = await start();
    const login = await post(`${second.url}/v1/auth/login`, { email, password: "s3cret-password" });
    assert.equal(login.status, 200);
    assert.ok(((await login.json()) as { accessToken: string }).accessToken);
    second.child.kill("SIGTERM");
    assert.equal(await second.exited, 0);
  });

  test("SIGTERM lets a recharge in flight finish, refuses new requests, then exits 0", async () => {
    const run = await start();
    const bank = (method: string, path: string, body: unknown) =>
      fetch(`${run.bankUrl}${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const email = `lee-${Date.now()}@example.com`;
    await post(`${run.url}/v1/memberships`, {
      name: "Lee Seo",
      email,
      password: "s3cret-password",
      region: "Busan",
      type: "personal",
    });
    const { accessToken } = (await (
      await post(`${run.url}/v1/auth/login`, { email, password: "s3cret-password" })
    ).json()) as {
      accessToken: string;
    };
    const auth = { "content-type": "application/json", authorization: `Bearer ${accessToken}` };
    const account = (await (
      await bank("POST", "/accounts", { bankCode: "090", holderName: "Lee Seo", balance: 50_000 })
    ).json()) as {
      accountNumber: string;
    };
    const linked = await fetch(`${run.url}/v1/bank-accounts`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ bankCode: "090", accountNumber: account.accountNumber }),
    });
    assert.equal(linked.status, 201);
    assert.equal((await bank("PUT", "/faults", { latencyMs: 1_000 })).status, 200);
    const recharge = fetch(`${run.url}/v1/money/recharge`, {
      method: "POST",
      headers: { ...auth, "idempotency-key": "in-flight" },
      body: JSON.stringify({ amount: 20_000 }),
    });
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 150));
    const late = await fetch(`${run.url}/v1/money/me`, { headers: auth }).then(
      (r) => r.status,
      () => "refused",
    );
    assert.ok(late === "refused" || late === 503, `a new request during shutdown got ${late}`);
    const answer = await recharge;
    assert.equal(answer.status, 201);
    assert.equal(((await answer.json()) as { status: string }).status, "SUCCEEDED");
    assert.equal(
      await run.exited,
      0,
      run
        .output()
        .split("\n")
        .filter((l) => /"level":(40|50|60)|shutdown/.test(l))
        .join("\n"),
    );
    assert.match(run.output(), /stopped cleanly/);
  });
});
