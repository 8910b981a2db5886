// What the rest of mypay may import from the sandbox bank: starting and stopping it.
export {
  createSandboxBank,
  type SandboxBank,
  type SandboxBankOptions,
  type StartedSandboxBank,
  startSandboxBank,
} from "./app.js";
export type { Faults } from "./schemas.js";
