import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Db, ident } from "./db.js";

export interface MigrationSet {
  /** The schema the files are applied into (the owning context's). */
  schema: string;
  /** Folders of numbered `.sql` files, applied in this order. */
  dirs: readonly string[];
}

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** The outbox, inbox and idempotency tables that every context's schema holds. */
export const platformMigrationsDir = fileURLToPath(new URL("../migrations", import.meta.url));

function load(dirs: readonly string[]): Migration[] {
  return dirs.flatMap((dir) => {
    const tag = dir === platformMigrationsDir ? "platform" : "context";
    return readdirSync(dir)
      .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
      .sort()
      .map((f) => {
        const sql = readFileSync(join(dir, f), "utf8");
        return { name: `${tag}/${f}`, sql, checksum: createHash("sha256").update(sql).digest("hex") };
      });
  });
}

/**
 * Applies each file once, in order, in one transaction per schema. An advisory lock makes two
 * processes starting at the same time take turns; the second sees the files as applied.
 */
export async function migrate(db: Db, set: MigrationSet): Promise<string[]> {
  const schema = ident(set.schema);
  const migrations = load(set.dirs);
  return db.tx(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`mypay.migrate.${schema}`]);
    await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${schema};
      CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
        name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const rows = await tx.query<{ name: string; checksum: string }>(
      `SELECT name, checksum FROM ${schema}.schema_migrations`,
    );
    const applied = new Map(rows.map((r) => [r.name, r.checksum]));
    const done: string[] = [];
    for (const m of migrations) {
      const seen = applied.get(m.name);
      if (seen !== undefined) {
        if (seen !== m.checksum)
          throw new Error(`migration ${schema}:${m.name} was changed after it was applied`);
        continue;
      }
      await tx.exec(`SET LOCAL search_path TO ${schema}, public;\n${m.sql}`);
      await tx.query(`INSERT INTO ${schema}.schema_migrations (name, checksum) VALUES ($1, $2)`, [
        m.name,
        m.checksum,
      ]);
      done.push(m.name);
    }
    await tx.exec("SET LOCAL search_path TO public");
    return done;
  });
}
