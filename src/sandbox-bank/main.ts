// `npm run bank`: the sandbox bank alone, on MYPAY_BANK_PORT (default 8090).
import { ConfigError, loadConfig } from "../platform/config.js";
import { createLogger } from "../platform/logging.js";
import { startSandboxBank } from "./app.js";

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, "sandbox-bank");
  const bank = await startSandboxBank({
    port: config.bankPort,
    host: config.host,
    dataDir: config.dataDir,
    logger,
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "sandbox bank stopping");
    try {
      await bank.close();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, "sandbox bank did not stop cleanly");
      process.exit(1);
    }
  };
  // `on`, not `once`: a signal to `npm run bank`'s process group arrives twice (npm forwards it).
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  // A bad setting is one line, not a stack trace.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
