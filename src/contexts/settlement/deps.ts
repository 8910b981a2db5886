import type { Clock } from "../../kernel/clock.js";
import type { Config } from "../../platform/config.js";
import type { Db, Queryable } from "../../platform/db/db.js";
import type { Logger } from "../../platform/logging.js";
import type { NewSaga, SagaEngine } from "../../platform/saga/engine.js";
import type { BankingApi } from "../banking/api.js";
import type { MembershipApi } from "../membership/api.js";
import type { MoneyCommands } from "../money/api.js";
import type { PaymentApi } from "../payment/api.js";

export const settlementSchema = "settlement";

/** What the settlement context's sagas need (they are built before the engine that runs them). */
export interface SettlementSagaDeps {
  readonly membership: MembershipApi;
  readonly money: MoneyCommands;
  readonly banking: BankingApi;
  readonly payment: PaymentApi;
  /** How long a payout waits on an UNKNOWN bank answer; also the first delay before a refused payout is retried. */
  readonly sagaWaitMs: number;
  /** Starts a payout saga inside the run's transaction (the engine, bound once it exists). */
  readonly startSaga: (tx: Queryable, saga: NewSaga) => Promise<void>;
}

/** What the settlement context's use cases need. */
export interface SettlementDeps extends SettlementSagaDeps {
  readonly db: Db;
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly engine: SagaEngine;
  readonly kickRelay: () => void;
}
