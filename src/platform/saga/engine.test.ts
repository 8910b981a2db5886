import assert from "node:assert/strict";
import { after, before, describe, type TestContext, test } from "node:test";
import { openTestDb } from "../../testing/db.js";
import type { Db } from "../db/db.js";
import type { SagaPhase, SagaView } from "./engine.js";
import { type Booking, type BookingWorld, bookingWorld, runToEnd, sleep } from "./test-booking.js";

let db: Db;
before(async () => {
  db = await openTestDb();
});
after(async () => {
  await db.close();
});

async function world(t: TestContext): Promise<BookingWorld> {
  const w = await bookingWorld(db);
  t.after(() => w.stopAll());
  return w;
}

const history = (view: SagaView | undefined) => view?.log.map((e) => `${e.step} ${e.phase} ${e.outcome}`);
const completed = ["reserve-seat action done", "charge-card action done", "confirm action done"];
const confirmed = {
  status: "CONFIRMED",
  reason: null,
  seats_left: 4,
  kept: 12_000,
  events: ["BookingConfirmed"],
};
const cancelled = (reason: string, seats = 5) => ({
  status: "CANCELLED",
  reason,
  seats_left: seats,
  kept: 0,
  events: ["BookingCancelled"],
});

test("a booking runs reserve seat, charge card, confirm and keeps its step log", async (t) => {
  const w = await world(t);
  const id = await w.book();
  const view = await w.engine().run<Booking>(id);
  assert.equal(view?.status, "COMPLETED");
  assert.equal(view?.step, undefined);
  assert.deepEqual(history(view), completed);
  assert.deepEqual(
    view?.log.map((e) => e.seq),
    [1, 2, 3],
  );
  assert.ok(view?.data.chargeRequestId, "the charge's request id was kept in the saga's data");
  assert.deepEqual(await w.facts(id), confirmed);
  assert.equal(w.cards.calls, 1);
});

describe("each step failing in turn is undone in reverse", () => {
  test("no seat left: nothing to undo, the card is never called", async (t) => {
    const w = await world(t);
    const id = await w.book(0);
    const view = await w.engine().run(id);
    assert.equal(view?.status, "COMPENSATED");
    assert.equal(view?.failureReason, "SOLD_OUT");
    assert.deepEqual(history(view), ["reserve-seat action failed"]);
    assert.deepEqual(view?.log[0]?.detail, { reason: "SOLD_OUT" });
    assert.deepEqual(await w.facts(id), cancelled("SOLD_OUT", 0));
    assert.equal(w.cards.calls, 0);
  });

  test("card declined: the seat is given back", async (t) => {
    const w = await world(t);
    w.cards.decision = "declined";
    const id = await w.book();
    const view = await w.engine().run(id);
    assert.equal(view?.status, "COMPENSATED");
    assert.deepEqual(history(view), [
      "reserve-seat action done",
      "charge-card action failed",
      "reserve-seat compensation done",
    ]);
    assert.deepEqual(await w.facts(id), cancelled("CARD_DECLINED"));
  });

  test("show cancelled at confirmation: the card is refunded, then the seat given back", async (t) => {
    const w = await world(t);
    const id = await w.book(5, true);
    const view = await w.engine().run(id);
    assert.equal(view?.status, "COMPENSATED");
    assert.deepEqual(history(view), [
      ...completed.slice(0, 2),
      "confirm action failed",
      "charge-card compensation done",
      "reserve-seat compensation done",
    ]);
    assert.deepEqual(await w.facts(id), cancelled("SHOW_CANCELLED"));
  });
});

describe("a crash at any point is finished by a new engine with every effect once", () => {
  const hooks = ["crashAfter", "crashBeforeCommit"] as const;
  const scenarios = [
    { name: "confirmed", seats: 5, cancelled: false, expected: confirmed, points: completed },
    {
      name: "show cancelled",
      seats: 5,
      cancelled: true,
      expected: cancelled("SHOW_CANCELLED"),
      points: [...completed, "charge-card compensation", "reserve-seat compensation"],
    },
  ];
  for (const s of scenarios) {
    for (const point of s.points) {
      for (const hook of hooks) {
        const [step, phase] = point.split(" ") as [string, SagaPhase];
        test(`${s.name}: ${hook} ${step} ${phase}`, async (t) => {
          const w = await world(t);
          const id = await w.book(s.seats, s.cancelled);
          let crashed = 0;
          const crashing = (st: string, ph: SagaPhase) => st === step && ph === phase && ++crashed === 1;
          const engines = [w.engine({ leaseMs: 20, faults: { [hook]: crashing } }), w.engine()];
          const view = await runToEnd(id, () => engines.shift()!);
          assert.equal(crashed, 1, "the crash point was reached once");
          assert.equal(view.status, s.name === "confirmed" ? "COMPLETED" : "COMPENSATED");
          assert.deepEqual(await w.facts(id), s.expected);
          const done = view.log.filter((e) => e.outcome !== "waiting").map((e) => `${e.step} ${e.phase}`);
          assert.equal(new Set(done).size, done.length, "every step recorded once");
          assert.equal(w.cards.charges.size, 1, "one charge request, however often it was sent");
        });
      }
    }
  }
});

describe("waiting", () => {
  test("a card timeout parks the saga until it is woken, then it goes on", async (t) => {
    const w = await world(t);
    w.cards.timeouts = 1;
    const id = await w.book();
    const engine = w.engine();
    let view = await engine.run(id);
    assert.equal(view?.status, "WAITING");
    assert.equal(view?.step, "charge-card");
    assert.ok(view!.nextRunAt.getTime() > Date.now() + 30_000);
    view = await engine.run(id);
    assert.equal(w.cards.calls, 1, "a parked saga is not run before it is due");
    await engine.wake(id);
    view = await engine.run(id);
    assert.equal(view?.status, "COMPLETED");
    assert.deepEqual(history(view), [completed[0], "charge-card action waiting", ...completed.slice(1)]);
    assert.deepEqual(await w.facts(id), confirmed);
  });

  test("a wake that comes while the step runs is not lost", async (t) => {
    const w = await world(t);
    w.cards.timeouts = 1;
    const id = await w.book();
    const engine = w.engine();
    const charge = w.cards.charge.bind(w.cards);
    w.cards.charge = async (requestId, amount) => {
      await engine.wake(id);
      return charge(requestId, amount);
    };
    const view = await engine.run(id);
    assert.equal(view?.status, "WAITING");
    assert.ok(view!.nextRunAt.getTime() <= Date.now(), "due at once");
  });

  test("the worker resumes sagas nobody ran and ones a crashed process left", async (t) => {
    const w = await world(t);
    const fresh = await w.book();
    const left = await w.book();
    const dying = w.engine({ leaseMs: 20, faults: { crashAfter: (step) => step === "reserve-seat" } });
    await assert.rejects(dying.run(left), { name: "SimulatedCrash" });
    w.engine().startWorker();
    for (let i = 0; i < 200 && (await w.facts(left)).status !== "CONFIRMED"; i++) await sleep(10);
    assert.deepEqual(await w.facts(fresh), confirmed);
    assert.deepEqual(await w.facts(left), confirmed);
  });

  test("a saga its starter reserved is left to the starter, and taken over only if the starter died", async (t) => {
    const w = await world(t);
    const starter = w.engine({ leaseMs: 300 });
    const start = (n: string) =>
      db.tx((tx) =>
        starter.start(
          tx,
          { id: n, type: "booking", data: { bookingId: n, showId: "none", amount: 1 }, correlationId: n },
          { reserve: true },
        ),
      );
    const worker = w.engine({ leaseMs: 300 });
    await start("sag_reserved");
    assert.equal(await worker.runDue(), 0, "the worker leaves a reserved saga alone");
    assert.equal((await worker.run("sag_reserved"))?.attempts, 0, "and so does another engine's run()");
    await sleep(350);
    assert.equal(await worker.runDue(), 1, "once the starter's lease ran out, the worker takes it over");
  });

  test("the worker is woken by wake() rather than by its next poll", async (t) => {
    const w = await world(t);
    w.cards.timeouts = 1;
    const id = await w.book();
    const engine = w.engine({ pollMs: 60_000 });
    assert.equal((await engine.run(id))?.status, "WAITING");
    engine.startWorker();
    await sleep(20);
    await engine.wake(id);
    for (let i = 0; i < 200 && (await engine.get(id))?.status !== "COMPLETED"; i++) await sleep(10);
    assert.equal((await engine.get(id))?.status, "COMPLETED");
  });
});

describe("one runner at a time", () => {
  test("two engines running the same saga at once do not double anything", async (t) => {
    const w = await world(t);
    w.cards.delayMs = 30;
    const id = await w.book();
    const [a, b] = [w.engine(), w.engine()];
    await Promise.all([a.run(id), b.run(id), a.run(id)]);
    const view = await runToEnd(id, () => a);
    assert.deepEqual(history(view), completed);
    assert.deepEqual(await w.facts(id), confirmed);
    assert.equal(w.cards.calls, 1);
  });

  test("a runner whose lease ran out mid-step cannot commit over its successor", async (t) => {
    const w = await world(t);
    const id = await w.book();
    const successor = w.engine();
    let taken: Promise<unknown> | undefined;
    const charge = w.cards.charge.bind(w.cards);
    // The first runner stalls inside the card call until its lease is gone and another has finished.
    w.cards.charge = async (requestId, amount) => {
      if (!taken) {
        await sleep(40);
        taken = successor.run(id);
        assert.equal(((await taken) as SagaView | undefined)?.status, "COMPLETED");
      }
      return charge(requestId, amount);
    };
    await w.engine({ leaseMs: 20 }).run(id);
    assert.deepEqual(history(await successor.get(id)), completed);
    assert.deepEqual(await w.facts(id), confirmed);
    assert.equal(w.cards.calls, 2, "both sent the charge; the card company kept one");
  });
});

describe("faults", () => {
  test("a failing card connection is retried with growing, jittered delays", async (t) => {
    const w = await world(t);
    w.cards.outages = 2;
    const id = await w.book();
    const engine = w.engine({ retry: { baseMs: 200, maxMs: 1_000 } });
    for (const [attempts, low, high] of [
      [1, 100, 200],
      [2, 200, 400],
    ] as const) {
      const view = await engine.run(id);
      assert.equal(view?.status, "RUNNING");
      assert.equal(view?.step, "charge-card");
      assert.equal(view?.attempts, attempts);
      assert.match(view?.lastError ?? "", /ECONNREFUSED/);
      const delay = view!.nextRunAt.getTime() - view!.updatedAt.getTime();
      assert.ok(delay >= low && delay <= high, `delay ${delay} in [${low}, ${high}]`);
      assert.equal((await engine.run(id))?.attempts, attempts, "not run again before it is due");
      await sleep(high + 5);
    }
    const view = await engine.run(id);
    assert.equal(view?.status, "COMPLETED");
    assert.equal(view?.attempts, 0);
    assert.equal(view?.lastError, null);
    assert.deepEqual(await w.facts(id), confirmed);
  });

  test("item 1: a compensation that keeps failing ends STUCK past its budget, and staff's retry finishes it", async (t) => {
    const w = await world(t);
    const id = await w.book(5, true);
    const dying = w.engine({ leaseMs: 20, faults: { crashAfter: (step) => step === "charge-card" } });
    await assert.rejects(dying.run(id), { name: "SimulatedCrash" });
    w.cards.outages = 100;
    const engine = w.engine({ retry: { baseMs: 1, maxMs: 1 }, budget: { attempts: 3 } });
    let view = await runToEnd(id, () => engine);
    assert.equal(view.status, "STUCK");
    assert.equal(view.stuckFrom, "COMPENSATING");
    assert.equal(view.attempts, 3);
    assert.equal(view.step, "charge-card", "it shows where it is stuck");
    assert.match(view.lastError ?? "", /ECONNREFUSED/);
    assert.deepEqual(view.log.at(-1)?.outcome, "stuck");
    assert.equal((await w.facts(id)).kept, 12_000, "nothing pretends the refund happened");
    await sleep(5);
    assert.equal(await engine.runDue(), 0, "the worker leaves a STUCK saga alone");
    assert.deepEqual(await engine.stuckCounts(), new Map([["booking", 1]]));

    w.cards.outages = 0;
    const retried = await engine.retry(id);
    assert.equal(retried.ok && retried.value.status, "COMPENSATING");
    assert.equal(retried.ok && retried.value.attempts, 0);
    view = await runToEnd(id, () => engine);
    assert.equal(view.status, "COMPENSATED");
    assert.deepEqual(await w.facts(id), cancelled("SHOW_CANCELLED"));
    const again = await engine.retry(id);
    assert.equal(!again.ok && again.error.code, "CONFLICT", "only a STUCK saga can be retried");
    const unknown = await engine.retry("sag_none");
    assert.equal(!unknown.ok && unknown.error.code, "NOT_FOUND");
  });

  test("item 1: a step whose answer never comes ends STUCK after its waits, not waiting forever", async (t) => {
    const w = await world(t);
    w.cards.timeouts = 100;
    const id = await w.book();
    const engine = w.engine({ budget: { waits: 3 } });
    let view: SagaView | undefined;
    for (let i = 0; i < 3; i++) {
      view = await engine.run(id);
      await engine.wake(id);
    }
    assert.equal(view?.status, "STUCK");
    assert.equal(view?.stuckFrom, "WAITING");
    assert.equal(view?.waits, 3);
    assert.equal(await engine.runDue(), 0);
    w.cards.timeouts = 0;
    assert.equal((await engine.retry(id)).ok, true);
    view = await runToEnd(id, () => engine);
    assert.equal(view.status, "COMPLETED");
    assert.deepEqual(await w.facts(id), confirmed);
    assert.equal(w.cards.charges.size, 1);
  });

  test("sagas are listed newest first by status and type, a page at a time", async (t) => {
    const w = await world(t);
    w.cards.timeouts = 1;
    const waiting = await w.book();
    const done = await w.book();
    const engine = w.engine();
    assert.equal((await engine.run(waiting))?.status, "WAITING");
    assert.equal((await engine.run(done))?.status, "COMPLETED");
    const ids = async (filter: Parameters<typeof engine.list>[0]) =>
      (await engine.list(filter)).map((v) => v.id);
    assert.deepEqual(await ids({ limit: 10 }), [done, waiting]);
    assert.deepEqual(await ids({ limit: 10, statuses: ["RUNNING", "WAITING", "COMPENSATING"] }), [waiting]);
    assert.deepEqual(await ids({ limit: 10, type: "other" }), []);
    const first = await engine.list({ limit: 1 });
    assert.equal(first[0]?.log.length, 3, "with its step log");
    assert.deepEqual(await ids({ limit: 10, before: await engine.cursor(done) }), [waiting]);
  });
});
