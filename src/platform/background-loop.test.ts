import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { createBackgroundLoop } from "./background-loop.js";

const long = 60_000;

/** Resolves when `check` holds, polling; fails the test if it never does. */
async function until(check: () => boolean, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await delay(5);
  }
}

test("a kick wakes a sleeping loop", async (t) => {
  let rounds = 0;
  const loop = createBackgroundLoop({
    round: async () => {
      rounds++;
      return long;
    },
    onError: () => long,
  });
  t.after(() => loop.stop());
  loop.start();
  await until(() => rounds === 1);
  await delay(20);
  assert.equal(rounds, 1, "asleep until kicked");
  loop.kick();
  await until(() => rounds === 2);
});

test("stop waits for the round in flight, and no round starts after it", async () => {
  let rounds = 0;
  let finished = false;
  let release = () => {};
  const loop = createBackgroundLoop({
    async round() {
      rounds++;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      finished = true;
      return 0;
    },
    onError: () => long,
  });
  loop.start();
  await until(() => rounds === 1);
  const stopped = loop.stop();
  setTimeout(() => release(), 20);
  await stopped;
  assert.equal(finished, true, "stop resolved only after the round finished");
  await delay(20);
  assert.equal(rounds, 1);
});

test("a failed round waits onError's delay, then goes on", async (t) => {
  const started: number[] = [];
  const errors: unknown[] = [];
  const loop = createBackgroundLoop({
    async round() {
      started.push(Date.now());
      if (started.length === 1) throw new Error("down");
      return long;
    },
    onError(error) {
      errors.push(error);
      return 50;
    },
  });
  t.after(() => loop.stop());
  loop.start();
  await until(() => started.length === 2);
  assert.equal((errors[0] as Error).message, "down");
  assert.ok(started[1]! - started[0]! >= 45, "waited the backoff");
});

test("a kick during a round makes the next round immediate", async (t) => {
  let rounds = 0;
  const loop = createBackgroundLoop({
    async round() {
      rounds++;
      if (rounds === 1) {
        loop.kick();
        await delay(10);
      }
      return long;
    },
    onError: () => long,
  });
  t.after(() => loop.stop());
  loop.start();
  await until(() => rounds === 2);
});

test("kickCutsWait false: a kick neither wakes the loop nor skips the next wait", async (t) => {
  let rounds = 0;
  let backingOff = true;
  const loop = createBackgroundLoop({
    async round() {
      rounds++;
      if (rounds === 1) loop.kick();
      return long;
    },
    onError: () => long,
    kickCutsWait: () => !backingOff,
  });
  t.after(() => loop.stop());
  loop.start();
  await until(() => rounds === 1);
  loop.kick();
  await delay(20);
  assert.equal(rounds, 1, "the backoff held");
  backingOff = false;
  loop.kick();
  await until(() => rounds === 2);
});

test("item 17: a loop that has work every round still lets timers and requests in", async () => {
  const started = performance.now();
  let rounds = 0;
  const loop = createBackgroundLoop({
    // Work that never waits on I/O (as PGlite's queries do not), for 300 ms, then a long sleep.
    round: async () => {
      rounds++;
      return performance.now() - started < 300 ? 0 : long;
    },
    onError: () => long,
  });
  const timerRan = new Promise<number>((resolve) => setTimeout(() => resolve(performance.now()), 5));
  loop.start();
  const ranAt = await timerRan;
  await loop.stop();
  assert.ok(rounds > 1, "the loop went round without waiting");
  assert.ok(ranAt - started < 100, `a 5 ms timer ran after ${Math.round(ranAt - started)} ms`);
});
