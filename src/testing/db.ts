import { randomBytes } from "node:crypto";
import postgres from "postgres";
import type { Db } from "../platform/db/db.js";
import { openPglite } from "../platform/db/pglite.js";
import { openPostgres } from "../platform/db/postgres.js";

/** Set by `npm run test:distributed`: run the same tests on a real PostgreSQL server. */
export const testDatabaseUrl = process.env.MYPAY_TEST_DATABASE_URL || undefined;

/**
 * A fresh, empty database for one test file: PGlite in memory by default, or a new database with a
 * unique name on the PostgreSQL server (dropped again by close()).
 */
export async function openTestDb(): Promise<Db> {
  if (!testDatabaseUrl) return openPglite();
  const name = `mypay_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(testDatabaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString(), { max: 10, applicationName: name });
  return {
    ...db,
    close: async () => {
      await db.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    },
  };
}
