import { createMypay } from "./app.js";
import { createInProcessBus } from "./platform/bus/in-process.js";
import { loadConfig } from "./platform/config.js";
import { openPglite } from "./platform/db/pglite.js";
import { createLogger } from "./platform/logging.js";

/**
 * The settings the document is built with: fixed, not the caller's environment, because some of them
 * (the per-transaction limit, the fee) appear in the schemas and the document must be the same on every
 * machine. The bank is never called: nothing here starts the background work or asks the bank.
 */
const documentEnv = {
  MYPAY_BANK_PORT: "0",
  MYPAY_BANK_URL: "http://127.0.0.1:9",
  MYPAY_ADMIN_PASSWORD: "openapi-document-only",
  MYPAY_CORPORATE_ACCOUNT: "0000000000",
  MYPAY_LOG_LEVEL: "silent",
};

/**
 * mypay's OpenAPI document, as the embedded deployment serves it at GET /docs/json, built in-process on
 * an in-memory database that is thrown away afterwards (`npm run client` writes it to packages/client).
 */
export async function openApiDocument(): Promise<object> {
  const logger = createLogger("silent");
  const db = await openPglite();
  const bus = createInProcessBus(logger);
  try {
    const mypay = await createMypay({ config: loadConfig(documentEnv), logger, db, bus });
    try {
      return structuredClone(mypay.app.swagger()) as object;
    } finally {
      await mypay.close();
    }
  } finally {
    await bus.close();
    await db.close();
  }
}
