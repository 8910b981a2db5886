import { describe } from "node:test";
import { createLogger } from "../../platform/logging.js";
import { startSandboxBank } from "../../sandbox-bank/api.js";
import { crashEveryStep } from "./crash-kit.js";

// A payout the bank refuses to the end (the settlement account is frozen): its compensations stopped
// in turn, after their commit and before it. The hold and the claim are undone once, whatever happens.

const openBank = () => startSandboxBank({ port: 0, host: "127.0.0.1", logger: createLogger("silent") });

describe("a refused settlement payout survives a crash at every compensation", () => {
  crashEveryStep(
    "settlement-payout",
    [
      { step: "hold", phase: "compensation", refuse: true },
      { step: "hold", phase: "compensation", refuse: true, beforeCommit: true },
      { step: "claimed", phase: "compensation", refuse: true },
      { step: "claimed", phase: "compensation", refuse: true, beforeCommit: true },
    ],
    openBank,
  );
});
