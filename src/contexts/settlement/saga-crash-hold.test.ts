import { describe } from "node:test";
import { createLogger } from "../../platform/logging.js";
import { startSandboxBank } from "../../sandbox-bank/api.js";
import { crashEveryStep } from "./crash-kit.js";

// A franchise's payout stopped after its first steps in turn (the claim it starts with, the hold),
// and between the hold's call and its commit. The bank and settle steps: saga-crash-payout.test.ts.

const openBank = () => startSandboxBank({ port: 0, host: "127.0.0.1", logger: createLogger("silent") });

describe("a settlement payout survives a crash before the bank is asked", () => {
  crashEveryStep(
    "settlement-payout",
    [
      { step: "claimed", phase: "action" },
      { step: "hold", phase: "action" },
      { step: "hold", phase: "action", beforeCommit: true },
    ],
    openBank,
  );
});
