import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { createBackgroundLoop } from "./background-loop.js";
import { type Db, ident } from "./db/db.js";
import type { Logger } from "./logging.js";

/** This process, as the holder of its idempotency claims; a restart is a new holder. */
export const processHolder = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;

/** Renewed this often; a row older than its lease means the process is gone (a beat missed twice over). */
export const heartbeatEveryMs = 1_500;
export const heartbeatLeaseMs = 5_000;

export interface Heartbeat {
  /** Renews this process's row in every schema (the first beat must land before requests are served). */
  beat(): Promise<void>;
  start(): void;
  /** Stops beating and deletes the rows: a clean shutdown leaves no claim behind to take over. */
  stop(): Promise<void>;
}

/** Keeps `process_heartbeats` of the given schemas saying that this process is alive. */
export function createHeartbeat(options: {
  db: Db;
  schemas: readonly string[];
  logger: Logger;
  holder?: string;
}): Heartbeat {
  const { db, logger } = options;
  const holder = options.holder ?? processHolder;
  const schemas = options.schemas.map(ident);

  async function beat() {
    for (const s of schemas) {
      await db.query(
        `INSERT INTO ${s}.process_heartbeats (holder, alive_until)
         VALUES ($1, now() + $2 * interval '1 millisecond')
         ON CONFLICT (holder) DO UPDATE SET alive_until = EXCLUDED.alive_until`,
        [holder, heartbeatLeaseMs],
      );
    }
  }

  const loop = createBackgroundLoop({
    round: async () => {
      await beat();
      return heartbeatEveryMs;
    },
    onError(error) {
      logger.error({ err: error }, "heartbeat failed");
      return heartbeatEveryMs;
    },
  });

  return {
    async beat() {
      // Rows of processes gone for a day have no claim left to judge (their leases ran out long ago).
      for (const s of schemas)
        await db.query(`DELETE FROM ${s}.process_heartbeats WHERE alive_until < now() - interval '1 day'`);
      await beat();
    },
    start: loop.start,
    async stop() {
      await loop.stop();
      for (const s of schemas)
        await db.query(`DELETE FROM ${s}.process_heartbeats WHERE holder = $1`, [holder]);
    },
  };
}
