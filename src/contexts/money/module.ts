import { type Clock, systemClock } from "../../kernel/clock.js";
import type { Config } from "../../platform/config.js";
import type { ContextModule } from "../../platform/context.js";
import type { Db } from "../../platform/db/db.js";
import type { Logger } from "../../platform/logging.js";
import { createSagaEngine, type SagaBudget, type SagaFaults } from "../../platform/saga/engine.js";
import type { BankingApi } from "../banking/api.js";
import type { MembershipApi } from "../membership/api.js";
import { registerAdminRoutes } from "./admin-routes.js";
import type { MoneyApi } from "./api.js";
import { subscribeMoney } from "./consumers.js";
import { type MoneyDeps, moneySchema } from "./deps.js";
import { ensureSystemAccounts, moneyMigrationsDir } from "./ledger.js";
import { rechargeSaga } from "./recharge.js";
import { registerMoneyRoutes } from "./routes.js";
import { closeForLeaving, reopenWallet } from "./wallet.js";
import { createWalletSweep } from "./wallet-sweep.js";
import { withdrawSaga } from "./withdraw.js";

export interface MoneyOptions {
  readonly db: Db;
  readonly config: Config;
  readonly logger: Logger;
  readonly banking: BankingApi;
  /** Whether a member is still ACTIVE, for reopening a wallet whose withdrawal did not finish. */
  readonly membership: MembershipApi;
  readonly clock?: Clock;
  /**
   * How long a saga waits on an UNKNOWN bank answer before it reads banking's stored outcome again
   * (default 60 s; the FirmbankingCompleted event wakes it as soon as the resolver knows).
   */
  readonly sagaWaitMs?: number;
  /** Faults and waits of a saga step in a row before the saga is STUCK; by default ~20 min of waits. */
  readonly sagaBudget?: Partial<SagaBudget>;
  /** How often the saga worker looks for due sagas (default 1 s). */
  readonly sagaPollMs?: number;
  /** Backoff after an infrastructure fault in a saga step. */
  readonly sagaRetry?: { baseMs: number; maxMs: number };
  /** How long a runner holds a saga; a crashed runner's sagas are resumed after it (default 30 s). */
  readonly sagaLeaseMs?: number;
  /** Test hooks that stop a saga as if the process died. */
  readonly sagaFaults?: SagaFaults;
  /** How many due sagas the worker drives per round (fewer on PGlite, which shares our thread). */
  readonly sagaBatchSize?: number;
}

export interface Money {
  readonly api: MoneyApi;
  readonly module: ContextModule;
  readonly deps: MoneyDeps;
}

/** The money context: the ledger, wallets, recharge and withdraw sagas, and the books for staff. */
export function createMoney(options: MoneyOptions): Money {
  const { db, config, logger, banking } = options;
  const sagaWaitMs = options.sagaWaitMs ?? 60_000;
  // Twenty waits of the default 60 s: a shorter wait (tests) gets more of them, not a shorter patience.
  const waits = Math.max(20, Math.ceil((20 * 60_000) / sagaWaitMs));
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
    ...(options.sagaBatchSize ? { batchSize: options.sagaBatchSize } : {}),
    budget: { waits, ...options.sagaBudget },
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
    closeWalletForLeaving: (membershipId) => closeForLeaving(db, membershipId),
    reopenWallet: (membershipId) => reopenWallet(db, membershipId),
  };
  const sweep = createWalletSweep(db, options.membership, logger);
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
      return async () => {
        await sweep.stop();
        await engine.stop();
      };
    },
    start: () => {
      engine.startWorker();
      sweep.start();
    },
  };
  return { api, module, deps };
}
