import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  afterRefusedPayout,
  commissionAtRate,
  cutoffProblem,
  payoutAttempts,
  payoutRequestId,
  type RateGroup,
  runStatus,
  runTotals,
  settlementFigures,
} from "./domain.js";

const amount = fc.integer({ min: 1, max: 2_000_000 });
const bps = fc.integer({ min: 0, max: 10_000 });
const payments = fc.array(fc.record({ amount, bps }), { minLength: 1, maxLength: 60 });

/** The payments grouped by their stamped rate, as payment's claim answers them. */
function byRate(list: readonly { amount: number; bps: number }[]): RateGroup[] {
  const groups = new Map<number, { gross: number; count: number }>();
  for (const p of list) {
    const g = groups.get(p.bps) ?? { gross: 0, count: 0 };
    groups.set(p.bps, { gross: g.gross + p.amount, count: g.count + 1 });
  }
  return [...groups].map(([commissionBps, g]) => ({ commissionBps, ...g }));
}

describe("settlement arithmetic", () => {
  test("OnePoint's merchant billing: (100 + 200 + 200) at 200 bps pays 490", () => {
    const figures = settlementFigures([{ commissionBps: 200, gross: 500, count: 3 }]);
    assert.deepEqual(figures, { paymentCount: 3, gross: 500, commission: 10, net: 490 });
  });

  test("commission is floored per stamped rate, then summed", () => {
    // 2% of 999 is 19.98 and 3% of 999 is 29.97: 19 + 29, not floor(49.95) = 49.
    const figures = settlementFigures([
      { commissionBps: 200, gross: 999, count: 1 },
      { commissionBps: 300, gross: 999, count: 1 },
    ]);
    assert.equal(figures.commission, 48);
    assert.equal(figures.net, 1950);
  });

  test("no rounding error where a double would have one", () => {
    assert.equal(commissionAtRate(Number.MAX_SAFE_INTEGER, 10_000), Number.MAX_SAFE_INTEGER);
    assert.equal(commissionAtRate(9_007_199_254_740_000, 1), 900_719_925_474);
    assert.throws(() => commissionAtRate(1.5, 200), RangeError);
    assert.throws(() => commissionAtRate(100, 10_001), RangeError);
  });

  test("property: net + commission = gross, 0 ≤ commission ≤ gross, and the counts add up", () => {
    fc.assert(
      fc.property(payments, (list) => {
        const f = settlementFigures(byRate(list));
        assert.equal(f.net + f.commission, f.gross);
        assert.equal(
          f.gross,
          list.reduce((s, p) => s + p.amount, 0),
        );
        assert.equal(f.paymentCount, list.length);
        assert.ok(f.commission >= 0 && f.commission <= f.gross);
        assert.ok(Number.isSafeInteger(f.net) && f.net >= 0);
      }),
    );
  });

  test("property: commission lies between the per-payment floors and the per-payment maxima", () => {
    fc.assert(
      fc.property(payments, (list) => {
        const { commission } = settlementFigures(byRate(list));
        const floors = list.reduce((s, p) => s + Math.floor((p.amount * p.bps) / 10_000), 0);
        const maxima = list.reduce((s, p) => s + Math.ceil((p.amount * p.bps) / 10_000), 0);
        const exact = list.reduce((s, p) => s + p.amount * p.bps, 0);
        assert.ok(floors <= commission, `${floors} ≤ ${commission}`);
        assert.ok(commission <= maxima, `${commission} ≤ ${maxima}`);
        // Never more than the exact rate: the rounding is always in the franchise's favour.
        assert.ok(commission * 10_000 <= exact);
      }),
    );
  });

  test("property: a run's totals are the sums of its settlements", () => {
    fc.assert(
      fc.property(fc.array(payments, { maxLength: 8 }), (franchises) => {
        const settlements = franchises.map((list) => settlementFigures(byRate(list)));
        const totals = runTotals(settlements);
        assert.equal(totals.franchises, settlements.length);
        assert.equal(totals.gross, totals.commission + totals.net);
        assert.equal(
          totals.paymentCount,
          franchises.reduce((s, l) => s + l.length, 0),
        );
      }),
    );
  });
});

describe("payout attempts", () => {
  const stl = "stl_0190f0c4d6a87c3a9d1e2b3c4d5e6f70";

  test("the first request id is the settlement's; retries after a refusal are :2 and :3", () => {
    assert.equal(payoutRequestId(stl, 1), stl);
    assert.equal(payoutRequestId(stl, 2), `${stl}:2`);
    assert.throws(() => payoutRequestId(stl, 0), RangeError);
    const second = afterRefusedPayout(stl, 1, 100);
    assert.deepEqual(second, { kind: "retry", attempt: 2, requestId: `${stl}:2`, delayMs: 100 });
    const third = afterRefusedPayout(stl, 2, 100);
    assert.deepEqual(third, { kind: "retry", attempt: 3, requestId: `${stl}:3`, delayMs: 200 });
    assert.deepEqual(afterRefusedPayout(stl, payoutAttempts, 100), { kind: "give-up" });
  });

  test("property: within the budget every attempt has its own request id and a longer wait", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60_000 }), (base) => {
        const ids = new Set([payoutRequestId(stl, 1)]);
        let delay = 0;
        for (let attempt = 1; ; attempt++) {
          const next = afterRefusedPayout(stl, attempt, base);
          if (next.kind === "give-up") {
            assert.equal(attempt, payoutAttempts);
            break;
          }
          assert.ok(next.delayMs > delay);
          delay = next.delayMs;
          ids.add(next.requestId);
        }
        assert.equal(ids.size, payoutAttempts);
      }),
    );
  });
});

describe("runs", () => {
  test("a run is COMPLETED only once recorded with no payout pending", () => {
    assert.equal(runStatus(false, 0), "RUNNING");
    assert.equal(runStatus(true, 2), "RUNNING");
    assert.equal(runStatus(true, 0), "COMPLETED");
  });

  test("a cutoff in the future is refused; now and the past are fine", () => {
    const now = new Date("2026-01-01T02:00:00Z");
    assert.equal(cutoffProblem(now, now), undefined);
    assert.equal(cutoffProblem(new Date("2025-12-31T00:00:00Z"), now), undefined);
    assert.match(cutoffProblem(new Date("2026-01-01T02:00:01Z"), now) ?? "", /future/);
    assert.match(cutoffProblem(new Date("nonsense"), now) ?? "", /date-time/);
  });
});
