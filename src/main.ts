import { createMypay, type Mypay } from "./app.js";
import { createGateway } from "./gateway/gateway.js";
import { type Config, ConfigError, describeConfig, loadConfig } from "./platform/config.js";
import { lockDataDir } from "./platform/data-lock.js";
import { createLogger, type Logger } from "./platform/logging.js";
import { serviceName, startTracing } from "./platform/tracing.js";
import { startSandboxBank } from "./sandbox-bank/api.js";

const shutdownGraceMs = 15_000;

// A signal during start-up is held until there is something to stop, then stops it: without a
// listener, node would die of it with no graceful stop and a status of 143.
let signalDuringStart: NodeJS.Signals | undefined;
const holdSignal = (signal: NodeJS.Signals) => {
  signalDuringStart ??= signal;
};
process.on("SIGTERM", holdSignal);
process.on("SIGINT", holdSignal);

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`mypay: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

async function main() {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  logger.info({ config: describeConfig(config) }, "effective configuration");
  const tracing = startTracing({ serviceName: serviceName(config), otlpUrl: config.otlpUrl, logger });
  const embedded = !config.databaseUrl && !config.gateway;
  const unlock = embedded ? lockDataDir(config.dataDir) : () => {};
  if (embedded) {
    logger.warn(
      "embedded database (PGlite): it never fsyncs, so data survives a killed process but not an OS crash or power loss; set MYPAY_DATABASE_URL to run on PostgreSQL in production",
    );
  }
  const bank =
    config.bankPort === 0
      ? undefined
      : await startSandboxBank({
          port: config.bankPort,
          host: config.host,
          dataDir: config.dataDir,
          logger: logger.child({ component: "sandbox-bank" }),
        });
  const mypay = config.gateway
    ? await createGateway({ config, logger })
    : await createMypay({ config, logger, web: true });
  const address = await mypay.app.listen({ port: config.port, host: config.host });
  logger.info({ url: address }, "mypay listening");
  mypay.startBackground();
  handleSignals(logger, mypay, async () => {
    await bank?.close();
    unlock();
    await tracing.shutdown();
  });
}

function handleSignals(logger: Logger, mypay: Pick<Mypay, "close">, after: () => Promise<void>) {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing requests in flight");
    const force = setTimeout(() => {
      logger.error("shutdown took too long; exiting");
      process.exit(1);
    }, shutdownGraceMs);
    force.unref();
    try {
      await mypay.close();
      await after();
      logger.info("stopped cleanly");
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, "shutdown failed");
      process.exit(1);
    }
  };
  // `on`, not `once`: a signal to the process group reaches mypay twice (from the kernel, and again
  // forwarded by npm), and a second one with no listener would kill the graceful stop half-way.
  process.off("SIGTERM", holdSignal).off("SIGINT", holdSignal);
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  if (signalDuringStart) void stop(signalDuringStart);
}

main().catch((error) => {
  console.error(`mypay: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
