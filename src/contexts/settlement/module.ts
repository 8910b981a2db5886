import { fileURLToPath } from "node:url";
import type { Clock } from "../../kernel/clock.js";
import type { Config } from "../../platform/config.js";
import type { ContextModule } from "../../platform/context.js";
import type { Db } from "../../platform/db/db.js";
import type { Logger } from "../../platform/logging.js";
import { createSagaEngine, type SagaEngine } from "../../platform/saga/engine.js";
import { defaultSagaWaitMs, type SagaTuning, sagaEngineTuning } from "../../platform/saga/tuning.js";
import type { BankingApi } from "../banking/api.js";
import type { MembershipApi } from "../membership/api.js";
import type { MoneyCommands } from "../money/api.js";
import type { PaymentApi } from "../payment/api.js";
import { subscribeSettlement } from "./consumers.js";
import { type SettlementDeps, settlementSchema } from "./deps.js";
import { payoutSaga } from "./pay-franchise.js";
import { registerSettlementRoutes } from "./routes.js";
import { createSchedule, type Schedule } from "./schedule.js";
import { runSaga, type SettlementRunView, settleToEnd } from "./settlement-run.js";

export { settlementSchema };

export interface SettlementOptions extends SagaTuning {
  readonly db: Db;
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly membership: MembershipApi;
  readonly money: MoneyCommands;
  readonly banking: BankingApi;
  readonly payment: PaymentApi;
}

export type { SettlementRunView };

export interface Settlement {
  readonly module: ContextModule;
  readonly engine: SagaEngine;
  readonly deps: SettlementDeps;
  readonly schedule: Schedule;
  /**
   * One settlement run to its end (for the benchmark and tools): claims and records it, then answers
   * once every payout saga is PAID or FAILED. The payouts are driven by the saga worker, so the
   * background work must be started (Mypay.startBackground).
   */
  settle(options?: { cutoff?: Date; pollMs?: number }): Promise<SettlementRunView>;
}

/** The settlement context (정산): settlement runs, per-franchise payouts, the schedule. */
export function createSettlement(options: SettlementOptions): Settlement {
  const { db, logger } = options;
  const sagaWaitMs = options.sagaWaitMs ?? defaultSagaWaitMs;
  const sagaDeps = {
    ...options,
    sagaWaitMs,
    startSaga: (...args: Parameters<SagaEngine["start"]>) => engine.start(...args),
  };
  const engine: SagaEngine = createSagaEngine({
    db,
    schema: settlementSchema,
    definitions: [runSaga(sagaDeps), payoutSaga(sagaDeps)],
    logger,
    ...sagaEngineTuning(options),
  });
  let kick = () => {};
  const deps: SettlementDeps = { ...sagaDeps, engine, kickRelay: () => kick() };
  const schedule = createSchedule(deps);
  const module: ContextModule = {
    name: "settlement",
    schema: settlementSchema,
    migrationsDir: fileURLToPath(new URL("./migrations", import.meta.url)),
    async mount(env) {
      kick = env.kickRelay;
      registerSettlementRoutes(env.app, deps);
      await subscribeSettlement(env.bus, engine, logger);
      return async () => {
        await schedule.stop();
        await engine.stop();
      };
    },
    start: () => {
      engine.startWorker();
      schedule.start();
    },
  };

  return { module, engine, deps, schedule, settle: (o) => settleToEnd(deps, o) };
}
