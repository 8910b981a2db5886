import type { Registry } from "prom-client";
import type { Clock } from "../kernel/clock.js";
import type { EventBus } from "./bus/bus.js";
import type { Config } from "./config.js";
import type { Db } from "./db/db.js";
import type { HttpServer } from "./http/server.js";
import type { Logger } from "./logging.js";

/** What the composition root hands every context when it mounts it. */
export interface ContextEnv {
  readonly config: Config;
  readonly db: Db;
  readonly bus: EventBus;
  readonly app: HttpServer;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Tells the outbox relay of this context that new events were committed (it also polls). */
  readonly kickRelay: () => void;
  /** The process's Prometheus registry, for the context's own metrics. */
  readonly metrics: Registry;
}

/** A bounded context as the composition root sees it (src/app.ts wires these; nothing else does). */
export interface ContextModule {
  readonly name: string;
  /** Its own Postgres schema. */
  readonly schema: string;
  /** Its folder of numbered .sql files. */
  readonly migrationsDir: string;
  /**
   * Registers routes and event subscriptions and prepares background jobs, without starting them.
   * Returns a stop function, if any, that also stops the jobs start() started.
   */
  mount(env: ContextEnv): Promise<(() => Promise<void>) | undefined>;
  /**
   * Starts the background jobs once the server is ready (after listen): work that starts before
   * then competes with start-up and with the first requests for the event loop.
   */
  start?(): void;
  /** Why the context cannot serve yet (for /ready), or undefined when it can. */
  problem?(): Promise<string | undefined>;
}
