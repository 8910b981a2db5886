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
import { subscribeRemittance } from "./consumers.js";
import { type RemittanceDeps, remittanceSchema } from "./deps.js";
import { bankRemittanceSaga } from "./remit-to-bank.js";
import { memberRemittanceSaga } from "./remit-to-member.js";
import { registerRemittanceRoutes } from "./routes.js";

export { remittanceSchema };

export interface RemittanceOptions extends SagaTuning {
  readonly db: Db;
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly membership: MembershipApi;
  readonly money: MoneyCommands;
  readonly banking: BankingApi;
}

export interface Remittance {
  readonly module: ContextModule;
  readonly engine: SagaEngine;
}

/** The remittance context (송금): member→member and member→bank remittances and their sagas. */
export function createRemittance(options: RemittanceOptions): Remittance {
  const { money, banking } = options;
  const sagaWaitMs = options.sagaWaitMs ?? defaultSagaWaitMs;
  const engine = createSagaEngine({
    db: options.db,
    schema: remittanceSchema,
    definitions: [
      memberRemittanceSaga({ money, banking, sagaWaitMs }),
      bankRemittanceSaga({ money, banking, sagaWaitMs }),
    ],
    logger: options.logger,
    ...sagaEngineTuning(options),
  });
  let kick = () => {};
  const deps: RemittanceDeps = {
    db: options.db,
    config: options.config,
    logger: options.logger,
    clock: options.clock,
    membership: options.membership,
    money,
    banking,
    engine,
    kickRelay: () => kick(),
  };
  const module: ContextModule = {
    name: "remittance",
    schema: remittanceSchema,
    migrationsDir: fileURLToPath(new URL("./migrations", import.meta.url)),
    async mount(env) {
      kick = env.kickRelay;
      registerRemittanceRoutes(env.app, deps);
      await subscribeRemittance(env.bus, deps);
      return () => engine.stop();
    },
    start: () => engine.startWorker(),
  };
  return { module, engine };
}
