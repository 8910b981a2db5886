import { fileURLToPath } from "node:url";
import type { Clock } from "../../kernel/clock.js";
import type { Config } from "../../platform/config.js";
import type { ContextModule } from "../../platform/context.js";
import type { Db } from "../../platform/db/db.js";
import type { Logger } from "../../platform/logging.js";
import { createSagaEngine, type SagaEngine } from "../../platform/saga/engine.js";
import { defaultSagaWaitMs, type SagaTuning, sagaEngineTuning } from "../../platform/saga/tuning.js";
import type { MembershipApi } from "../membership/api.js";
import type { MoneyCommands } from "../money/api.js";
import type { PaymentApi } from "./api.js";
import { cancelSaga } from "./cancel.js";
import { subscribePayment } from "./consumers.js";
import { type PaymentDeps, paymentSchema } from "./deps.js";
import { paymentSaga } from "./pay.js";
import { registerPaymentRoutes } from "./routes.js";
import { settlementClaims } from "./settlement-claims.js";

export { paymentSchema };

export interface PaymentOptions extends SagaTuning {
  readonly db: Db;
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly membership: MembershipApi;
  readonly money: MoneyCommands;
}

export interface Payment {
  readonly api: PaymentApi;
  readonly module: ContextModule;
  readonly engine: SagaEngine;
}

/** The payment context (결제): payment slips, cancellation, the point accrual policy. */
export function createPayment(options: PaymentOptions): Payment {
  const sagaWaitMs = options.sagaWaitMs ?? defaultSagaWaitMs;
  const engine = createSagaEngine({
    db: options.db,
    schema: paymentSchema,
    definitions: [paymentSaga({ ...options, sagaWaitMs }), cancelSaga({ ...options, sagaWaitMs })],
    logger: options.logger,
    ...sagaEngineTuning(options),
  });
  let kick = () => {};
  const deps: PaymentDeps = { ...options, engine, sagaWaitMs, kickRelay: () => kick() };
  const module: ContextModule = {
    name: "payment",
    schema: paymentSchema,
    migrationsDir: fileURLToPath(new URL("./migrations", import.meta.url)),
    async mount(env) {
      kick = env.kickRelay;
      registerPaymentRoutes(env.app, deps);
      await subscribePayment(env.bus, deps);
      return () => engine.stop();
    },
    start: () => engine.startWorker(),
  };
  return { api: settlementClaims(options.db, () => kick()), module, engine };
}
