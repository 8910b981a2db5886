import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { freePort } from "./testing/ports.js";

// `npm start` as a process manager runs it: in its own process group, stopped by a signal to npm's pid
// or to the whole group. One data folder for the file: the starts after the first are restarts.
const root = new URL("..", import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), "mypay-npm-start-"));
after(() => rmSync(dataDir, { recursive: true, force: true }));
before(() => {
  // One build for every start below, so none of them spends its time compiling.
  assert.equal(spawnSync("node", ["scripts/build.mjs", "--if-stale"], { cwd: root }).status, 0);
});

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The command lines of every process in the group. */
const commandLines = (pgid: number) =>
  execFileSync("ps", ["-o", "args=", "-g", String(pgid)], { encoding: "utf8" })
    .trim()
    .split("\n");

interface Stopped {
  status: number | null;
  signal: NodeJS.Signals | null;
  running: string[];
  left: boolean;
  log: string;
}

/** Starts `npm start`, waits for /ready, sends the signal, and reports how the group ended. */
async function startThenSignal(signal: NodeJS.Signals, to: "pid" | "group"): Promise<Stopped> {
  const [port, bankPort] = [await freePort(), await freePort()];
  const child = spawn("npm", ["start"], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      MYPAY_DATA_DIR: dataDir,
      MYPAY_PORT: String(port),
      MYPAY_BANK_PORT: String(bankPort),
      MYPAY_BANK_URL: `http://127.0.0.1:${bankPort}`,
      MYPAY_DATABASE_URL: "",
      MYPAY_BUS_URL: "",
      MYPAY_CONTEXTS: "",
      MYPAY_LOG_LEVEL: "info",
    },
  });
  const pgid = child.pid!;
  let log = "";
  child.stdout.on("data", (d) => {
    log += d;
  });
  child.stderr.on("data", (d) => {
    log += d;
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) =>
    child.once("exit", (code, sig) => r([code, sig])),
  );
  try {
    for (const deadline = Date.now() + 120_000; ; ) {
      const ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) break;
      assert.ok(child.exitCode === null && Date.now() < deadline, `npm start did not get ready:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const running = commandLines(pgid);
    process.kill(to === "pid" ? pgid : -pgid, signal);
    const [status, sig] = await exited;
    // npm has gone; give what it may have left behind a moment to show itself.
    await new Promise((r) => setTimeout(r, 300));
    return { status, signal: sig, running, left: groupAlive(pgid), log };
  } finally {
    if (groupAlive(pgid)) process.kill(-pgid, "SIGKILL");
  }
}

let first: Promise<Stopped> | undefined;
/** The first start of the file, shared by the tests that read its log. */
const firstStart = () => {
  first ??= startThenSignal("SIGTERM", "pid");
  return first;
};

const assertStoppedCleanly = (run: Stopped) => {
  assert.deepEqual([run.status, run.signal], [0, null], run.log.slice(-2_000));
  assert.equal(run.left, false, "a process of npm start's group outlived it");
  assert.match(run.log, /stopped cleanly/);
};

describe("npm start under a process manager", () => {
  test("item 18: SIGTERM to npm's pid stops mypay gracefully, exit 0, nothing left behind", async () => {
    assertStoppedCleanly(await firstStart());
  });

  test("item 18: npm start runs compiled JavaScript: no tsx or esbuild in its processes", async () => {
    const { running } = await firstStart();
    assert.ok(
      running.some((line) => /node .*scripts\/start\.mjs main/.test(line)),
      running.join("\n"),
    );
    for (const line of running) assert.doesNotMatch(line, /tsx|esbuild/);
  });

  test("item 18: SIGTERM to the process group stops it gracefully with exit 0", async () => {
    assertStoppedCleanly(await startThenSignal("SIGTERM", "group"));
  });

  test("item 18: SIGINT to npm's pid stops it gracefully with exit 0", async () => {
    assertStoppedCleanly(await startThenSignal("SIGINT", "pid"));
  });

  test('item 19: one start logs "sandbox bank listening" exactly once', async () => {
    const { log } = await firstStart();
    assert.equal(log.match(/sandbox bank listening/g)?.length, 1, log);
  });

  test("item 19: the logged configuration names only contexts that exist", async () => {
    const { log } = await firstStart();
    const line = log.split("\n").find((l) => l.includes("effective configuration"));
    assert.ok(line, log);
    const logged = (JSON.parse(line) as { config: { contexts: string[] } }).config.contexts;
    const built = readdirSync(join(root, "src", "contexts"));
    assert.deepEqual([...logged].sort(), built.sort());
  });
});
