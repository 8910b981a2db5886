import { type Clock, systemClock } from "../../kernel/clock.js";
import type { Config } from "../../platform/config.js";
import type { ContextModule } from "../../platform/context.js";
import type { Db } from "../../platform/db/db.js";
import type { Logger } from "../../platform/logging.js";
import { createSagaEngine } from "../../platform/saga/engine.js";
import { defaultSagaWaitMs, type SagaTuning, sagaEngineTuning } from "../../platform/saga/tuning.js";
import type { BankingApi } from "../banking/api.js";
import type { MembershipApi } from "../membership/api.js";
import { registerAdminRoutes } from "./admin-routes.js";
import type { MoneyApi } from "./api.js";
import { moneyCommands } from "./commands.js";
import { subscribeMoney } from "./consumers.js";
import { type MoneyDeps, moneySchema } from "./deps.js";
import { createGroupCommit, registerGroupCommitMetrics } from "./group-commit.js";
import { ensureSystemAccounts, moneyMigrationsDir } from "./ledger.js";
import { rechargeSaga } from "./recharge.js";
import { registerMoneyRoutes } from "./routes.js";
import { closeForLeaving, reopenWallet } from "./wallet.js";
import { createWalletSweep } from "./wallet-sweep.js";
import { withdrawSaga } from "./withdraw.js";

export interface MoneyOptions extends SagaTuning {
  readonly db: Db;
  readonly config: Config;
  readonly logger: Logger;
  readonly banking: BankingApi;
  /** Whether a member is still ACTIVE, for reopening a wallet whose withdrawal did not finish. */
  readonly membership: MembershipApi;
  readonly clock?: Clock;
}

export interface Money {
  readonly api: MoneyApi;
  readonly module: ContextModule;
  readonly deps: MoneyDeps;
}

/** The money context: the ledger, wallets, recharge and withdraw sagas, and the books for staff. */
export function createMoney(options: MoneyOptions): Money {
  const { db, config, logger, banking } = options;
  const sagaWaitMs = options.sagaWaitMs ?? defaultSagaWaitMs;
  const group = createGroupCommit(db);
  const engine = createSagaEngine({
    db,
    schema: moneySchema,
    definitions: [
      rechargeSaga({ banking, config, sagaWaitMs, group }),
      withdrawSaga({ banking, config, sagaWaitMs }),
    ],
    logger,
    ...sagaEngineTuning(options),
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
    group,
  };
  const api: MoneyApi = {
    closeWalletForLeaving: (membershipId) => closeForLeaving(db, membershipId),
    reopenWallet: (membershipId) => reopenWallet(db, membershipId),
    ...moneyCommands(deps),
  };
  const sweep = createWalletSweep(db, options.membership, logger);
  const module: ContextModule = {
    name: "money",
    schema: moneySchema,
    migrationsDir: moneyMigrationsDir,
    async mount(env) {
      kick = env.kickRelay;
      registerGroupCommitMetrics(env.metrics, deps.group);
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
