import type { Clock } from "../../kernel/clock.js";
import type { Config } from "../../platform/config.js";
import type { Db } from "../../platform/db/db.js";
import type { Logger } from "../../platform/logging.js";
import type { BankPort } from "./bank-port.js";

/** What banking's use cases run with; built once by createBanking. */
export interface BankingDeps {
  readonly db: Db;
  readonly bank: BankPort;
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The member's name as registered (membership), undefined when there is no such member. */
  readonly memberName: (membershipId: string) => Promise<string | undefined>;
  /** Tells the outbox relay that events were committed (a no-op until the module is mounted). */
  readonly kickRelay: () => void;
  /** The resolver's first backoff delay; doubles per unanswered check up to a minute. */
  readonly resolverBaseMs: number;
  /** The longest wait between two checks of one UNKNOWN request. */
  readonly resolverMaxMs: number;
  /** Unanswered checks after which the resolver stops asking about a request (staff can recheck it). */
  readonly resolverMaxChecks: number;
  /** A REQUESTED row this old is treated as left by a process that died before calling the bank. */
  readonly staleRequestMs: number;
  /** Dice for the backoff's jitter. */
  readonly random: () => number;
}
