import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { openTestDb } from "../../testing/db.js";
import type { Db } from "../db/db.js";
import type { SagaFaults, SagaPhase } from "./engine.js";
import { bookingWorld, runToEnd } from "./test-booking.js";

let db: Db;
before(async () => {
  db = await openTestDb();
});
after(async () => {
  await db.close();
});

const points: [string, SagaPhase][] = [
  ["reserve-seat", "action"],
  ["charge-card", "action"],
  ["confirm", "action"],
  ["charge-card", "compensation"],
  ["reserve-seat", "compensation"],
];

const scenario = fc.record({
  seats: fc.constantFrom(0, 1, 3),
  declined: fc.boolean(),
  cancelled: fc.boolean(),
  timeouts: fc.nat(2),
  outages: fc.nat(2),
  crashes: fc.array(
    fc.record({
      hook: fc.constantFrom<keyof SagaFaults>("crashAfter", "crashBeforeCommit"),
      point: fc.constantFrom(...points),
    }),
    { maxLength: 3 },
  ),
});

test("any crashes, timeouts, faults and answers end the booking whole or wholly undone", async (t) => {
  const w = await bookingWorld(db);
  t.after(() => w.stopAll());
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      Object.assign(w.cards, {
        decision: s.declined ? "declined" : "ok",
        timeouts: s.timeouts,
        outages: s.outages,
      });
      const id = await w.book(s.seats, s.cancelled);
      // Each listed crash happens once, in whichever engine reaches it first.
      const pending = [...s.crashes];
      const fault = (hook: keyof SagaFaults) => (step: string, phase: SagaPhase) => {
        const i = pending.findIndex((c) => c.hook === hook && c.point[0] === step && c.point[1] === phase);
        return i >= 0 && pending.splice(i, 1).length === 1;
      };
      const faults: SagaFaults = {
        crashAfter: fault("crashAfter"),
        crashBeforeCommit: fault("crashBeforeCommit"),
      };
      const next = () => w.engine({ leaseMs: 20, retry: { baseMs: 1, maxMs: 5 }, faults });
      const view = await runToEnd(id, next);

      const reason =
        s.seats === 0 ? "SOLD_OUT" : s.declined ? "CARD_DECLINED" : s.cancelled ? "SHOW_CANCELLED" : null;
      const facts = await w.facts(id);
      if (reason === null) {
        assert.equal(view.status, "COMPLETED");
        assert.deepEqual(facts, {
          status: "CONFIRMED",
          reason: null,
          seats_left: s.seats - 1,
          kept: 12_000,
          events: ["BookingConfirmed"],
        });
      } else {
        assert.equal(view.status, "COMPENSATED");
        assert.deepEqual(facts, {
          status: "CANCELLED",
          reason,
          seats_left: s.seats,
          kept: 0,
          events: ["BookingCancelled"],
        });
      }
      const recorded = view.log.filter((e) => e.outcome !== "waiting").map((e) => `${e.step} ${e.phase}`);
      assert.equal(new Set(recorded).size, recorded.length, "every step and compensation recorded once");
    }),
    { numRuns: Number(process.env.MYPAY_PROPERTY_RUNS ?? 40) },
  );
});
