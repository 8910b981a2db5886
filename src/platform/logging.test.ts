import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

/** Runs a script that logs through createLogger in a process of its own; returns its stdout lines. */
function logsOf(script: string): Array<Record<string, unknown>> {
  const source = `import { createLogger } from ${JSON.stringify(new URL("./logging.ts", import.meta.url).href)};\n${script}`;
  const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", source], {
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

test("lines logged in one turn come out whole and in order, those of two loggers too", () => {
  const lines = logsOf(`
    const a = createLogger("info", "a");
    const b = createLogger("info", "b");
    for (let i = 0; i < 500; i++) (i % 2 ? b : a).info({ i }, "request");
    a.debug("below the level");
  `);
  assert.equal(lines.length, 500);
  assert.deepEqual(
    lines.map((l) => l.i),
    Array.from({ length: 500 }, (_, i) => i),
  );
  assert.equal(lines[1]?.name, "b");
});

test("nothing logged is lost when the process exits right after, or logs while exiting", () => {
  const lines = logsOf(`
    const log = createLogger("info");
    process.on("exit", () => log.info("in an exit handler"));
    log.info("just before exit");
    log.error({ err: new Error("boom") }, "a fatal fault");
    process.exit(0);
  `);
  assert.deepEqual(
    lines.map((l) => l.msg),
    ["just before exit", "a fatal fault", "in an exit handler"],
  );
});

test("credentials never reach the log", () => {
  const [line] = logsOf(`
    createLogger("info").info({ body: { password: "hunter2", refreshToken: "rt" } }, "login");
  `);
  assert.deepEqual(line?.body, { password: "***", refreshToken: "***" });
});
