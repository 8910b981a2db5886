import { mkdirSync } from "node:fs";
import { PGlite, types } from "@electric-sql/pglite";
import { type Db, parseBigint, type Queryable, type Row } from "./db.js";

type PgliteLike = Pick<PGlite, "query" | "exec">;

function queryable(pg: PgliteLike): Queryable {
  return {
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      const result = await pg.query<T>(sql, params as unknown[]);
      return result.rows;
    },
    async exec(sql: string) {
      await pg.exec(sql);
    },
  };
}

/**
 * Embedded PostgreSQL. `dataDir` undefined means in memory (tests).
 * PGlite never fsyncs: the files survive a killed process, not an OS crash or power loss.
 */
export async function openPglite(dataDir?: string): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    parsers: { [types.INT8]: parseBigint },
  });
  const base = queryable(pg);
  return {
    engine: "pglite",
    ...base,
    tx: (fn) => pg.transaction((tx) => fn(queryable(tx))),
    close: () => pg.close(),
  };
}
