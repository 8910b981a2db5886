import { createMypay, type Mypay, type MypayOptions } from "../app.js";
import { loadConfig } from "../platform/config.js";
import { createLogger } from "../platform/logging.js";
import { openTestBus } from "./bus.js";
import { openTestDb } from "./db.js";

export const adminEmail = "admin@mypay.local";
export const adminPassword = "admin-password-for-tests";

/**
 * The whole of mypay in-process on a fresh test database and bus, as `npm start` wires it
 * (no sockets: drive it with `mypay.app.inject`), its background work started as main.ts starts
 * it after listen. close() also drops the database and the stream.
 */
export async function startTestMypay(
  env: Record<string, string> = {},
  tuning: Pick<MypayOptions, "money" | "sagas" | "banking" | "consumerRetry" | "web"> = {},
): Promise<Mypay> {
  const db = await openTestDb();
  const bus = await openTestBus();
  const config = loadConfig({ MYPAY_BANK_PORT: "0", MYPAY_ADMIN_PASSWORD: adminPassword, ...env });
  const mypay = await createMypay({
    config,
    logger: createLogger(process.env.MYPAY_LOG_LEVEL ?? "silent"),
    db,
    bus,
    ...tuning,
  });
  mypay.startBackground();
  return {
    ...mypay,
    close: async () => {
      await mypay.close();
      await bus.close();
      await db.close();
    },
  };
}
