import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { freePort } from "../testing/ports.js";
import { allJourneys, type Target } from "./journeys.js";

// Every journey against the embedded deployment as `npm start` runs it: compiled JavaScript in its own
// process (node dist/main.js) with the sandbox bank beside it, on a fresh data folder, reached over HTTP.
const root = new URL("../..", import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), "mypay-e2e-"));
const adminPassword = "e2e-admin-password";
let mypay: ChildProcess;
let log = "";
let target: Target;
let exited: Promise<number | null>;

before(async () => {
  assert.equal(spawnSync(process.execPath, ["scripts/build.mjs", "--if-stale"], { cwd: root }).status, 0);
  const [port, bankPort] = [await freePort(), await freePort()];
  mypay = spawn(process.execPath, ["dist/main.js"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      MYPAY_DATA_DIR: dataDir,
      MYPAY_PORT: String(port),
      MYPAY_BANK_PORT: String(bankPort),
      MYPAY_BANK_URL: `http://127.0.0.1:${bankPort}`,
      MYPAY_ADMIN_PASSWORD: adminPassword,
      MYPAY_DATABASE_URL: "",
      MYPAY_BUS_URL: "",
      MYPAY_CONTEXTS: "",
      MYPAY_LOG_LEVEL: "warn",
    },
  });
  const keep = (chunk: Buffer) => {
    log = (log + chunk).slice(-20_000);
  };
  mypay.stdout!.on("data", keep);
  mypay.stderr!.on("data", keep);
  exited = new Promise((resolve) => mypay.once("exit", (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; ; ) {
    const ready = await fetch(`${baseUrl}/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    assert.ok(mypay.exitCode === null && Date.now() < deadline, `mypay did not get ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  target = {
    baseUrl,
    bankUrl: `http://127.0.0.1:${bankPort}`,
    adminEmail: "admin@mypay.local",
    adminPassword,
  };
});

after(() => {
  if (mypay?.exitCode === null) mypay.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

for (const [name, journey] of Object.entries(allJourneys)) {
  test(name, { timeout: 45_000 }, async () => {
    try {
      await journey(target);
    } catch (error) {
      if (error instanceof Error)
        error.message += `\n--- mypay's log (warnings and errors) ---\n${log.slice(-4_000)}`;
      throw error;
    }
  });
}

test("mypay stops cleanly on SIGTERM (exit code 0)", { timeout: 20_000 }, async () => {
  mypay.kill("SIGTERM");
  assert.equal(await exited, 0, log.slice(-4_000));
});
