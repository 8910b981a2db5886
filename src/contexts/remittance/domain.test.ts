import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  canSee,
  checkReceiver,
  type LoggedStep,
  publicReason,
  type Remittance,
  remittanceFee,
  remittanceType,
  stepHistory,
} from "./domain.js";

const sender = "mem_00000000000000000000000000000001";
const receiver = "mem_00000000000000000000000000000002";
const stranger = "mem_00000000000000000000000000000003";

const remittance = (over: Partial<Remittance> = {}): Remittance => ({
  id: "rem_00000000000000000000000000000001",
  type: "MEMBER",
  senderId: sender,
  to: { membershipId: receiver },
  amount: 10_000,
  fee: 0,
  memo: null,
  status: "SUCCEEDED",
  autoRecharged: false,
  failureReason: null,
  createdAt: new Date(0),
  completedAt: new Date(1),
  ...over,
});

describe("remittance rules", () => {
  test("the fee: MYPAY_REMITTANCE_FEE to a bank account, nothing between members", () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), (fee) => {
        assert.equal(remittanceFee(remittanceType({ bankCode: "004", accountNumber: "1" }), fee), fee);
        assert.equal(remittanceFee(remittanceType({ membershipId: receiver }), fee), 0);
      }),
    );
  });

  test("a member may receive only when it is another, ACTIVE member; unknown and withdrawn look alike", () => {
    assert.equal(checkReceiver(sender, receiver, { status: "ACTIVE" }).ok, true);
    const self = checkReceiver(sender, sender, { status: "ACTIVE" });
    assert.equal(!self.ok && self.error.code, "RECIPIENT_INVALID");
    const unknown = checkReceiver(sender, receiver, undefined);
    const withdrawn = checkReceiver(sender, receiver, { status: "WITHDRAWN" });
    assert.deepEqual(unknown, withdrawn);
    assert.equal(!unknown.ok && unknown.error.code, "RECIPIENT_INVALID");
  });

  test("who sees a remittance: staff, the sender, and the receiving member once it arrived", () => {
    const statuses = ["PENDING", "SUCCEEDED", "FAILED"] as const;
    for (const status of statuses) {
      const r = remittance({ status });
      assert.equal(canSee({ membershipId: stranger, role: "staff" }, r), true);
      assert.equal(canSee({ membershipId: sender, role: "customer" }, r), true);
      assert.equal(canSee({ membershipId: stranger, role: "customer" }, r), false);
      assert.equal(canSee({ membershipId: receiver, role: "customer" }, r), status === "SUCCEEDED");
    }
    const bank = remittance({ type: "BANK", to: { bankCode: "004", accountNumber: "1" }, fee: 500 });
    assert.equal(canSee({ membershipId: receiver, role: "merchant" }, bank), false);
  });

  test("a reason shown to members is a stable code; free text never leaks", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const shown = publicReason(text);
        assert.ok(shown === text || shown === "FAILED");
        assert.match(shown ?? "", /^[A-Z][A-Z0-9_]*$/);
      }),
    );
    assert.equal(publicReason("INSUFFICIENT_BALANCE"), "INSUFFICIENT_BALANCE");
    assert.equal(publicReason('relation "money.holds" does not exist'), "FAILED");
    assert.equal(publicReason(null), null);
  });
});

describe("the step history a member reads", () => {
  const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
  const log = (entries: Array<[string, string, string, unknown?]>): LoggedStep[] =>
    entries.map(([step, phase, outcome, detail], i) => ({ step, phase, outcome, detail, at: at(i) }));

  test("shows each step's outcome and time and a failure's code; no checkpoint, no internal detail", () => {
    const steps = stepHistory(
      log([
        ["recharge", "action", "done"],
        ["hold", "action", "done"],
        ["payout", "action", "checkpoint", { note: "sending" }],
        ["payout", "action", "failed", { reason: "ACCOUNT_NOT_ACTIVE" }],
        ["hold", "compensation", "done"],
      ]),
    );
    assert.deepEqual(steps, [
      { step: "recharge", phase: "action", outcome: "done", at: at(0).toISOString() },
      { step: "hold", phase: "action", outcome: "done", at: at(1).toISOString() },
      {
        step: "payout",
        phase: "action",
        outcome: "failed",
        at: at(3).toISOString(),
        reason: "ACCOUNT_NOT_ACTIVE",
      },
      { step: "hold", phase: "compensation", outcome: "done", at: at(4).toISOString() },
    ]);
  });

  test("a run of waits on one step shows once, when the waiting began", () => {
    const steps = stepHistory(
      log([
        ["payout", "action", "checkpoint", { note: "sending" }],
        ["payout", "action", "waiting", { retryInMs: 100 }],
        ["payout", "action", "waiting", { retryInMs: 100 }],
        ["payout", "action", "waiting", { retryInMs: 100 }],
        ["payout", "action", "done"],
      ]),
    );
    assert.deepEqual(
      steps.map((s) => [s.step, s.outcome, s.at]),
      [
        ["payout", "waiting", at(1).toISOString()],
        ["payout", "done", at(4).toISOString()],
      ],
    );
  });

  test("whatever the log holds, only known outcomes, the two phases and code-shaped reasons come out", () => {
    const entry = fc.record({
      step: fc.constantFrom("recharge", "transfer", "hold", "payout", "settle"),
      phase: fc.constantFrom("action", "compensation", "other"),
      outcome: fc.constantFrom("done", "waiting", "failed", "checkpoint", "stuck", "retried", "secret"),
      detail: fc.oneof(
        fc.constant(null),
        fc.record({ reason: fc.string() }),
        fc.record({ note: fc.string() }),
      ),
      at: fc.date({ min: new Date(0), max: new Date(2 ** 40), noInvalidDate: true }),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), (entries) => {
        for (const item of stepHistory(entries)) {
          assert.ok(["done", "waiting", "failed", "stuck", "retried"].includes(item.outcome));
          assert.ok(["action", "compensation"].includes(item.phase));
          assert.deepEqual(
            Object.keys(item).sort(),
            ["at", "outcome", "phase", "step", ...(item.reason ? ["reason"] : [])].sort(),
          );
          if (item.reason !== undefined) assert.match(item.reason, /^[A-Z][A-Z0-9_]*$/);
          assert.equal(item.reason !== undefined, item.outcome === "failed");
        }
      }),
    );
  });
});
