import type { Clock } from "../../kernel/clock.js";
import type { Config } from "../../platform/config.js";
import type { Db } from "../../platform/db/db.js";
import type { Logger } from "../../platform/logging.js";
import type { SagaEngine } from "../../platform/saga/engine.js";
import type { BankingApi } from "../banking/api.js";
import type { MembershipApi } from "../membership/api.js";
import type { MoneyCommands } from "../money/api.js";

export const remittanceSchema = "remittance";

/** What the remittance context's use cases need. */
export interface RemittanceDeps {
  readonly db: Db;
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly membership: MembershipApi;
  readonly money: MoneyCommands;
  readonly banking: BankingApi;
  /** Runs the remittance sagas; their state and step log live in the remittance schema. */
  readonly engine: SagaEngine;
  readonly kickRelay: () => void;
}

/** What the saga definitions need (they are built before the engine that runs them). */
export interface SagaDeps {
  readonly money: MoneyCommands;
  readonly banking: BankingApi;
  /** How long a saga waits on an answer it cannot have yet (an event wakes it sooner). */
  readonly sagaWaitMs: number;
}
