import { fileURLToPath } from "node:url";
import type { Clock } from "../../kernel/clock.js";
import type { Config } from "../../platform/config.js";
import type { ContextModule } from "../../platform/context.js";
import type { Db } from "../../platform/db/db.js";
import type { Logger } from "../../platform/logging.js";
import { createSagaEngine, type SagaEngine } from "../../platform/saga/engine.js";
import { type SagaTuning, sagaEngineTuning } from "../../platform/saga/tuning.js";
import type { BankingApi } from "../banking/api.js";
import type { MembershipApi } from "../membership/api.js";
import type { MoneyCommands } from "../money/api.js";
import type { PaymentApi } from "../payment/api.js";

export const settlementSchema = "settlement";

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

export interface Settlement {
  readonly module: ContextModule;
  readonly engine: SagaEngine;
}

/** The settlement context (정산): settlement runs, per-franchise payouts, the schedule. */
export function createSettlement(options: SettlementOptions): Settlement {
  const engine = createSagaEngine({
    db: options.db,
    schema: settlementSchema,
    definitions: [],
    logger: options.logger,
    ...sagaEngineTuning(options),
  });
  const module: ContextModule = {
    name: "settlement",
    schema: settlementSchema,
    migrationsDir: fileURLToPath(new URL("./migrations", import.meta.url)),
    async mount() {
      return () => engine.stop();
    },
    start: () => engine.startWorker(),
  };
  return { module, engine };
}
