import { describe } from "node:test";
import { createLogger } from "../../platform/logging.js";
import { startSandboxBank } from "../../sandbox-bank/api.js";
import { crashEveryStep } from "./crash-kit.js";

// A franchise's payout stopped after its bank transfer and its settle in turn, and between each
// call and its commit. Its first steps: saga-crash-hold.test.ts; its compensations: saga-crash-refusal.test.ts.

const openBank = () => startSandboxBank({ port: 0, host: "127.0.0.1", logger: createLogger("silent") });

describe("a settlement payout survives a crash once the bank is asked", () => {
  crashEveryStep(
    "settlement-payout",
    [
      { step: "payout", phase: "action" },
      // The bank paid, then the process died before recording it: the stored request id finds out.
      { step: "payout", phase: "action", beforeCommit: true },
      { step: "settle", phase: "action" },
      { step: "settle", phase: "action", beforeCommit: true },
    ],
    openBank,
  );
});
