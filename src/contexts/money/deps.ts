import type { Clock } from "../../kernel/clock.js";
import type { Config } from "../../platform/config.js";
import type { Db } from "../../platform/db/db.js";
import type { Logger } from "../../platform/logging.js";
import type { SagaEngine } from "../../platform/saga/engine.js";
import type { BankingApi } from "../banking/api.js";
import type { GroupCommit } from "./group-commit.js";

export const moneySchema = "money";

/** What the money context's use cases need. */
export interface MoneyDeps {
  readonly db: Db;
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly banking: BankingApi;
  /** Runs recharge and withdraw sagas; state and step log live in the money schema. */
  readonly engine: SagaEngine;
  /** How long a saga waits for an UNKNOWN bank answer before it reads banking's again (an event wakes it sooner). */
  readonly sagaWaitMs: number;
  readonly kickRelay: () => void;
  /** Posts transfers and payments that arrive together in one batch (group commit). */
  readonly group: GroupCommit;
}

/** What the saga definitions need (they are built before the engine that runs them). */
export type SagaDeps = Pick<MoneyDeps, "banking" | "config" | "sagaWaitMs">;
