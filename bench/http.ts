// mypay and the sandbox bank in this very process, on real sockets: for figures that are one call and
// not a load (settling), where sharing the event loop with the caller costs nothing. Loads run against
// bench/server.ts in a process of its own instead.
import { createMypay, type Mypay } from "../src/app.js";
import { loadConfig } from "../src/platform/config.js";
import type { Db } from "../src/platform/db/db.js";
import { createLogger } from "../src/platform/logging.js";
import { type StartedSandboxBank, startSandboxBank } from "../src/sandbox-bank/api.js";
import type { Endpoints } from "./world.js";

export interface HttpWorld extends Endpoints {
  readonly mypay: Mypay;
  readonly sandbox: StartedSandboxBank;
  close(): Promise<void>;
}

export async function startHttpWorld(db: Db): Promise<HttpWorld> {
  const logger = createLogger("silent");
  const sandbox = await startSandboxBank({ port: 0, host: "127.0.0.1", logger });
  const config = loadConfig({
    MYPAY_BANK_PORT: "0",
    MYPAY_BANK_URL: sandbox.url,
    MYPAY_ADMIN_PASSWORD: "bench-password",
    MYPAY_PORT: "0",
  });
  const mypay = await createMypay({ config, logger, db });
  const base = await mypay.app.listen({ port: 0, host: "127.0.0.1" });
  mypay.startBackground();
  await mypay.contexts.banking.prepare();
  return {
    mypay,
    sandbox,
    base,
    bank: sandbox.url,
    close: async () => {
      await mypay.close();
      await sandbox.close();
    },
  };
}
