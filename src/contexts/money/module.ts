import { type Clock, systemClock } from "../../kernel/clock.js";
import type { Config } from "../../platform/config.js";
import type { ContextModule } from "../../platform/context.js";
import type { Db } from "../../platform/db/db.js";
import type { Logger } from "../../platform/logging.js";
import { createSagaEngine, type SagaFaults } from "../../platform/saga/engine.js";
import type { BankingApi } from "../banking/api.js";
import { registerAdminRoutes } from "./admin-routes.js";
import type { MoneyApi } from "./api.js";
import { subscribeMoney } from "./consumers.js";
import { type MoneyDeps, moneySchema } from "./deps.js";
import { ensureSystemAccounts, moneyMigrationsDir } from "./ledger.js";
import { rechargeSaga } from "./recharge.js";
import { registerMoneyRoutes } from "./routes.js";
import { withdrawSaga } from "./withdraw.js";

export interface MoneyOptions {
  readonly db: Db;
  readonly config: Config;
  readonly logger: Logger;
  readonly banking: BankingApi;
  readonly clock?: Clock;
  /** How long a saga waits on an UNKNOWN bank answer before asking again (default 5 s). */
  readonly sagaWaitMs?: number;
  /** How often the saga worker looks for due sagas (default 1 s). */
  readonly sagaPollMs?: number;
  /** Backoff after an infrastructure fault in a saga step. */
  readonly sagaRetry?: { baseMs: number; maxMs: number };
  /** How long a runner holds a saga; a crashed runner's sagas are resumed after it (default 30 s). */
  readonly sagaLeaseMs?: number;
  /** Test hooks that stop a saga as if the process died. */
  readonly sagaFaults?: SagaFaults;
}

export interface Money {
  readonly api: MoneyApi;
  readonly module: ContextModule;
  readonly deps: MoneyDeps;
}

/** The money context: the ledger, wallets, recharge and withdraw sagas, and the books for staff. */
export function createMoney(options: MoneyOptions): Money {
  const { db, config, logger, banking } = options;
  const sagaWaitMs = options.sagaWaitMs ?? 5_000;
  const engine = createSagaEngine({
    db,
    schema: moneySchema,
    definitions: [
      rechargeSaga({ banking, config, sagaWaitMs }),
      withdrawSaga({ banking, config, sagaWaitMs }),
    ],
    logger,
    pollMs: options.sagaPollMs ?? 1_000,
    ...(options.sagaRetry ? { retry: options.sagaRetry } : {}),
    ...(options.sagaLeaseMs ? { leaseMs: options.sagaLeaseMs } : {}),
    ...(options.sagaFaults ? { faults: options.sagaFaults } : {}),
  });
  let kick = () => {};
  const deps: MoneyDeps = {
    db,
    config,
    logger,
    clock: options.clock ?? systemClock,
    banking,
    engine,
    sagaWaitMs,
    kickRelay: () => kick(),
  };
  const api: MoneyApi = {
    async heldBy(membershipId) {
      const [row] = await db.query<{ held: number }>(
        "SELECT (balance + reserved_in)::bigint AS held FROM money.accounts WHERE id = $1",
        [`member_money:${membershipId}`],
      );
      return row?.held ?? 0;
    },
  };
  const module: ContextModule = {
    name: "money",
    schema: moneySchema,
    migrationsDir: moneyMigrationsDir,
    async mount(env) {
      kick = env.kickRelay;
      await db.tx((tx) => ensureSystemAccounts(tx));
      registerMoneyRoutes(env.app, deps);
      registerAdminRoutes(env.app, deps);
      await subscribeMoney(env.bus, deps);
      engine.startWorker();
      return () => engine.stop();
    },
  };
  return { api, module, deps };
}
