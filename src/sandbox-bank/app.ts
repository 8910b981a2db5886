import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Db } from "../platform/db/db.js";
import { migrate } from "../platform/db/migrate.js";
import { openPglite } from "../platform/db/pglite.js";
import { createMetrics } from "../platform/http/metrics.js";
import { createHttpServer, type HttpServer } from "../platform/http/server.js";
import type { Logger } from "../platform/logging.js";
import { type FaultInjector, registerFaults } from "./faults.js";
import { registerAccountRoutes, registerTransferRoutes } from "./routes.js";
import { bankSchema } from "./store.js";

const migrationsDir = fileURLToPath(new URL("./migrations", import.meta.url));

export interface SandboxBank {
  app: HttpServer;
  db: Db;
  faults: FaultInjector;
  /** Stops the HTTP server (cutting held answers short), then closes the database if the bank opened it. */
  close(): Promise<void>;
}

export interface SandboxBankOptions {
  /** mypay's data folder; the bank keeps its files in `<dataDir>/sandbox-bank`. Undefined: in memory. */
  dataDir?: string;
  logger: Logger;
  /** A database to use instead of opening one; the caller keeps ownership and closes it. */
  db?: Db;
  /** The dice for injected faults (tests may pass a seeded one). */
  random?: () => number;
}

export async function createSandboxBank(options: SandboxBankOptions): Promise<SandboxBank> {
  const ownsDb = options.db === undefined;
  const db =
    options.db ?? (await openPglite(options.dataDir ? join(options.dataDir, "sandbox-bank") : undefined));
  try {
    await migrate(db, { schema: bankSchema, dirs: [migrationsDir] });
    const app = await createHttpServer({
      // A stand-in for remote banks: closing it drops every connection at once, as a bank going away
      // would; mypay's own server is the one that drains gracefully.
      forceCloseConnections: true,
      logger: options.logger,
      metrics: createMetrics(),
      title: "mypay sandbox bank",
      description:
        "A stand-in for the external banks (KB, Shinhan, Woori, Hana, Kakao) for development and tests",
    });
    const faults = registerFaults(app, options.random);
    const deps = { db, faults, logger: options.logger };
    registerAccountRoutes(app, deps);
    registerTransferRoutes(app, deps);
    await app.ready();
    return {
      app,
      db,
      faults,
      async close() {
        await app.close();
        if (ownsDb) await db.close();
      },
    };
  } catch (error) {
    if (ownsDb) await db.close();
    throw error;
  }
}

export interface StartedSandboxBank {
  /** The base URL it listens on, e.g. http://127.0.0.1:8090. */
  url: string;
  close(): Promise<void>;
}

/** Starts the bank listening on its own port (from `npm run bank`, or beside mypay in `npm start`). */
export async function startSandboxBank(options: {
  port: number;
  host: string;
  dataDir?: string;
  logger: Logger;
}): Promise<StartedSandboxBank> {
  const bank = await createSandboxBank({ logger: options.logger, dataDir: options.dataDir });
  try {
    const url = await bank.app.listen({ port: options.port, host: options.host });
    options.logger.info({ url }, "sandbox bank listening");
    return { url, close: () => bank.close() };
  } catch (error) {
    await bank.close();
    throw error;
  }
}
