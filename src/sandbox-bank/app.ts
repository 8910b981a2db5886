import { join } from "node:path";
import { lockDataDir } from "../platform/data-lock.js";
import { createMetrics } from "../platform/http/metrics.js";
import { createHttpServer, type HttpServer } from "../platform/http/server.js";
import type { Logger } from "../platform/logging.js";
import { type FaultInjector, registerFaults } from "./faults.js";
import { memoryJournal, openJournal } from "./journal.js";
import { registerAccountRoutes, registerTransferRoutes } from "./routes.js";
import { BankStore } from "./store.js";

export interface SandboxBank {
  app: HttpServer;
  store: BankStore;
  faults: FaultInjector;
  /** Stops the HTTP server (cutting held answers short), then closes the journal. */
  close(): Promise<void>;
}

export interface SandboxBankOptions {
  /**
   * mypay's data folder; the bank keeps its journal in `<dataDir>/sandbox-bank/journal.log`.
   * Undefined: in memory.
   */
  dataDir?: string;
  logger: Logger;
  /** The dice for injected faults (tests may pass a seeded one). */
  random?: () => number;
}

/** The store, rebuilt from the journal when the bank has a folder; one process per folder. */
async function openStore(dataDir: string | undefined): Promise<{ store: BankStore; unlock: () => void }> {
  if (!dataDir) return { store: new BankStore(memoryJournal()), unlock: () => {} };
  const dir = join(dataDir, "sandbox-bank");
  const unlock = lockDataDir(dir);
  try {
    const { journal, entries } = await openJournal(join(dir, "journal.log"));
    const store = new BankStore(journal);
    store.replay(entries);
    return { store, unlock };
  } catch (error) {
    unlock();
    throw error;
  }
}

export async function createSandboxBank(options: SandboxBankOptions): Promise<SandboxBank> {
  const { store, unlock } = await openStore(options.dataDir);
  const closeStore = async () => {
    await store.close();
    unlock();
  };
  try {
    const app = await createHttpServer({
      // A stand-in for remote banks: closing it drops every connection at once, as a bank going away
      // would; mypay's own server is the one that drains gracefully.
      forceCloseConnections: true,
      // As a bank would, it answers its first call as fast as any other (tests time calls to it tightly).
      compileOnFirstUse: false,
      logger: options.logger,
      metrics: createMetrics(),
      title: "mypay sandbox bank",
      description:
        "A stand-in for the external banks (KB, Shinhan, Woori, Hana, Kakao) for development and tests",
    });
    const faults = registerFaults(app, options.random);
    const deps = { store, faults, logger: options.logger };
    registerAccountRoutes(app, deps);
    registerTransferRoutes(app, deps);
    await app.ready();
    return {
      app,
      store,
      faults,
      async close() {
        await app.close();
        await closeStore();
      },
    };
  } catch (error) {
    await closeStore();
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
