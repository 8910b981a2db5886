import type { Clock } from "../../kernel/clock.js";
import type { Config } from "../../platform/config.js";
import type { Db } from "../../platform/db/db.js";
import type { Logger } from "../../platform/logging.js";
import type { SagaEngine } from "../../platform/saga/engine.js";
import type { MembershipApi } from "../membership/api.js";
import type { MoneyCommands } from "../money/api.js";

export const paymentSchema = "payment";

/** What the payment context's use cases need. */
export interface PaymentDeps {
  readonly db: Db;
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly membership: MembershipApi;
  readonly money: MoneyCommands;
  /** Runs payment and cancel sagas; state and step log live in the payment schema. */
  readonly engine: SagaEngine;
  /** How long a payment waits on an auto-recharge at the bank before it looks again (RechargeCompleted wakes it sooner). */
  readonly sagaWaitMs: number;
  readonly kickRelay: () => void;
}

/** What the saga definitions need (they are built before the engine that runs them). */
export type SagaDeps = Pick<PaymentDeps, "money" | "sagaWaitMs">;
