import { AsyncLocalStorage } from "node:async_hooks";
import { createMypay } from "../app.js";
import { loadConfig } from "../platform/config.js";
import type { Db, Queryable, Row } from "../platform/db/db.js";
import { createLogger } from "../platform/logging.js";
import { startSandboxBank } from "../sandbox-bank/api.js";
import { openTestBus } from "./bus.js";
import { openTestDb } from "./db.js";
import { adminEmail, adminPassword } from "./mypay.js";
import { fastEnv, fastTuning, login, type World } from "./world.js";

/** What one measured piece of work cost the database: round trips are what a user waits for. */
export interface StatementCount {
  /** Statements sent (query and exec calls), inside transactions or not. */
  statements: number;
  /** Transactions opened (each also costs a BEGIN and a COMMIT). */
  transactions: number;
  /** The SQL of each statement, in order, first line only: what to look at when a budget breaks. */
  readonly log: string[];
}

export interface CountedDb {
  /** Use it in place of the wrapped database: every statement through it is counted. */
  readonly db: Db;
  /**
   * Runs `work` and counts the statements made on its behalf: its own async calls, not the
   * background loops (relay, saga worker, consumers) that run beside it.
   */
  measure<T>(work: () => PromiseLike<T>): Promise<{ result: T; count: StatementCount }>;
  /** Every statement and transaction so far, background work included. */
  readonly total: { statements: number; transactions: number };
}

const empty = (): StatementCount => ({ statements: 0, transactions: 0, log: [] });

/** Wraps a Db so that statements and transactions are counted per measured piece of work. */
export function countStatements(inner: Db): CountedDb {
  const current = new AsyncLocalStorage<StatementCount>();
  const total = { statements: 0, transactions: 0 };
  const note = (sql: string) => {
    total.statements++;
    const count = current.getStore();
    if (!count) return;
    count.statements++;
    count.log.push(sql.trim().split("\n")[0]?.slice(0, 120) ?? "");
  };
  const counted = (q: Queryable): Queryable => ({
    query<T extends Row = Row>(sql: string, params?: readonly unknown[]) {
      note(sql);
      return q.query<T>(sql, params);
    },
    exec(sql: string) {
      note(sql);
      return q.exec(sql);
    },
  });
  const db: Db = {
    engine: inner.engine,
    ...counted(inner),
    tx(fn) {
      total.transactions++;
      const count = current.getStore();
      if (count) count.transactions++;
      return inner.tx((tx) => fn(counted(tx)));
    },
    close: () => inner.close(),
  };
  return {
    db,
    total,
    async measure<T>(work: () => PromiseLike<T>) {
      const count = empty();
      // then() is called inside run(): a thenable awaited later (app.inject's) would lose the count.
      const inside = () => new Promise<T>((resolve, reject) => work().then(resolve, reject));
      const result = await current.run(count, inside);
      return { result, count };
    },
  };
}

/** A World (world.ts) whose database counts statements: the same wiring as startWorld. */
export async function startCountedWorld(
  env: Record<string, string> = {},
): Promise<World & { readonly counter: CountedDb }> {
  const bank = await startSandboxBank({ port: 0, host: "127.0.0.1", logger: createLogger("silent") });
  const inner = await openTestDb();
  const counter = countStatements(inner);
  const config = loadConfig({
    MYPAY_BANK_PORT: "0",
    MYPAY_ADMIN_PASSWORD: adminPassword,
    MYPAY_BANK_URL: bank.url,
    ...fastEnv,
    ...env,
  });
  const logger = createLogger(process.env.MYPAY_LOG_LEVEL ?? "silent");
  const bus = await openTestBus();
  const mypay = await createMypay({ config, logger, db: counter.db, bus, ...fastTuning });
  mypay.startBackground();
  await mypay.contexts.banking.prepare();
  const staffToken = await login(mypay, adminEmail, adminPassword);
  return {
    mypay,
    bank,
    staffToken,
    counter,
    close: async () => {
      await mypay.close();
      await bus.close();
      await inner.close();
      await bank.close();
    },
  };
}
