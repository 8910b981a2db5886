import { describe } from "node:test";
import { createLogger } from "../../platform/logging.js";
import { startSandboxBank } from "../../sandbox-bank/api.js";
import { crashEveryStep } from "./crash-kit.js";

// The run saga stopped after each of its steps in turn, and between an action's call and its commit.

const openBank = () => startSandboxBank({ port: 0, host: "127.0.0.1", logger: createLogger("silent") });

describe("the settlement run survives a crash at every step", () => {
  crashEveryStep(
    "settlement-run",
    [
      { step: "claim", phase: "action" },
      { step: "claim", phase: "action", beforeCommit: true },
      { step: "record", phase: "action" },
      { step: "record", phase: "action", beforeCommit: true },
    ],
    openBank,
  );
});
