import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { afterRefusedPayout, payoutAttempts, type RateGroup, settlementFigures } from "./domain.js";

// A pure model of settlement: payments stamped with the rate in force, runs that claim every NORMAL
// unclaimed payment before their cutoff (payment's one UPDATE), payouts that are PAID or, after
// their attempts, FAILED and released. Whatever the order, each payment is settled exactly once.

interface Payment {
  readonly id: number;
  readonly franchise: number;
  readonly amount: number;
  readonly bps: number;
  readonly at: number;
  claimedBy: number | null;
  settled: boolean;
}
interface Settlement {
  readonly id: number;
  readonly franchise: number;
  readonly paymentIds: number[];
  readonly gross: number;
  readonly net: number;
  status: "PENDING" | "PAID" | "FAILED";
  attempt: number;
}

type Op =
  | { kind: "pay"; franchise: number; amount: number }
  | { kind: "rate"; franchise: number; bps: number }
  | { kind: "run"; back: number }
  | { kind: "answer"; pick: number; refused: boolean };

const franchiseCount = 3;
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("pay" as const),
    franchise: fc.nat(franchiseCount - 1),
    amount: fc.integer({ min: 1, max: 50_000 }),
  }),
  fc.record({
    kind: fc.constant("rate" as const),
    franchise: fc.nat(franchiseCount - 1),
    bps: fc.integer({ min: 0, max: 10_000 }),
  }),
  fc.record({ kind: fc.constant("run" as const), back: fc.nat(5) }),
  fc.record({ kind: fc.constant("answer" as const), pick: fc.nat(), refused: fc.boolean() }),
);

function model() {
  const payments: Payment[] = [];
  const settlements: Settlement[] = [];
  const rates = Array.from({ length: franchiseCount }, () => 200);
  let clock = 0;

  function run(cutoff: number) {
    const claimed = payments.filter((p) => !p.settled && p.claimedBy === null && p.at < cutoff);
    for (let f = 0; f < franchiseCount; f++) {
      const mine = claimed.filter((p) => p.franchise === f);
      if (mine.length === 0) continue;
      const groups = new Map<number, RateGroup>();
      for (const p of mine) {
        const g = groups.get(p.bps) ?? { commissionBps: p.bps, gross: 0, count: 0 };
        groups.set(p.bps, { ...g, gross: g.gross + p.amount, count: g.count + 1 });
      }
      const figures = settlementFigures([...groups.values()]);
      const id = settlements.length;
      for (const p of mine) p.claimedBy = id;
      const paymentIds = mine.map((p) => p.id);
      settlements.push({ id, franchise: f, paymentIds, ...figures, status: "PENDING", attempt: 1 });
    }
  }

  function answer(s: Settlement, refused: boolean) {
    if (!refused) {
      s.status = "PAID";
      for (const id of s.paymentIds) payments[id]!.settled = true;
      return;
    }
    const next = afterRefusedPayout(`stl_${s.id}`, s.attempt, 1);
    if (next.kind === "retry") s.attempt = next.attempt;
    else {
      s.status = "FAILED";
      for (const id of s.paymentIds) payments[id]!.claimedBy = null;
    }
  }

  return {
    payments,
    settlements,
    apply(o: Op) {
      clock += 1;
      if (o.kind === "pay") {
        const p = { id: payments.length, franchise: o.franchise, amount: o.amount, bps: rates[o.franchise]! };
        payments.push({ ...p, at: clock, claimedBy: null, settled: false });
      } else if (o.kind === "rate") rates[o.franchise] = o.bps;
      else if (o.kind === "run") run(clock - o.back);
      else {
        const pending = settlements.filter((s) => s.status === "PENDING");
        const s = pending[o.pick % Math.max(1, pending.length)];
        if (s) answer(s, o.refused);
      }
    },
    /** Every payout answered PAID, then a last run after every payment, answered PAID too. */
    finish() {
      for (const s of settlements.filter((x) => x.status === "PENDING")) answer(s, false);
      run(clock + 1);
      for (const s of settlements.filter((x) => x.status === "PENDING")) answer(s, false);
    },
  };
}

test("property: for any payments, rate changes and runs, each payment lands in exactly one PAID settlement", () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const m = model();
      for (const o of ops) {
        m.apply(o);
        // At every moment: no payment is in two settlements that may still pay or have paid.
        const live = m.settlements.filter((s) => s.status !== "FAILED").flatMap((s) => s.paymentIds);
        assert.equal(new Set(live).size, live.length);
      }
      m.finish();
      const paid = m.settlements.filter((s) => s.status === "PAID");
      const settledIds = paid.flatMap((s) => s.paymentIds).sort((a, b) => a - b);
      assert.deepEqual(
        settledIds,
        m.payments.map((p) => p.id),
      );
      for (let f = 0; f < franchiseCount; f++) {
        const mine = m.payments.filter((p) => p.franchise === f);
        const gross = paid.filter((s) => s.franchise === f).reduce((sum, s) => sum + s.gross, 0);
        assert.equal(
          gross,
          mine.reduce((sum, p) => sum + p.amount, 0),
        );
      }
      for (const s of m.settlements.filter((x) => x.status === "FAILED"))
        assert.equal(s.attempt, payoutAttempts);
    }),
    { numRuns: 300 },
  );
});
