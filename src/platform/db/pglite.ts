import { mkdirSync } from "node:fs";
import { PGlite, types } from "@electric-sql/pglite";
import { type Db, parseBigint, type Queryable, type Row } from "./db.js";
import { isFresh, pgliteTemplate } from "./pglite-template.js";

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
 * Embedded PostgreSQL. `dataDir` undefined means in memory (tests). A new one in a missing or empty
 * folder is loaded from the template cluster made at the build (pglite-template.ts).
 * PGlite never fsyncs: the files survive a killed process, not an OS crash or power loss.
 */
export async function openPglite(dataDir?: string): Promise<Db> {
  // A new database on disk starts from the initialised template rather than running initdb. One in
  // memory (a test's) runs initdb: it is then warm, as a long-running process is, which timing
  // tests rely on (a cluster loaded or reopened reads its pages cold at first).
  const template = dataDir && isFresh(dataDir) ? pgliteTemplate() : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(template ? { loadDataDir: template } : {}),
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
