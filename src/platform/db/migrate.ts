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

/** A string literal for names and checksums (letters, digits, '/', '_', '.'). */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * Applies each file once, in order, in one transaction per schema. An advisory lock makes two
 * processes starting at the same time take turns; the second sees the files as applied.
 */
export function migrate(db: Db, set: MigrationSet): Promise<string[]> {
  return apply(db, ident(set.schema), load(set.dirs));
}

/** migrate() with the files already read. */
function apply(db: Db, schema: string, migrations: readonly Migration[]): Promise<string[]> {
  return db.tx(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`mypay.migrate.${schema}`]);
    await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${schema};
      CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
        name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const rows = await tx.query<{ name: string; checksum: string }>(
      `SELECT name, checksum FROM ${schema}.schema_migrations`,
    );
    const applied = new Map(rows.map((r) => [r.name, r.checksum]));
    const pending = migrations.filter((m) => {
      const seen = applied.get(m.name);
      if (seen !== undefined && seen !== m.checksum)
        throw new Error(`migration ${schema}:${m.name} was changed after it was applied`);
      return seen === undefined;
    });
    if (pending.length === 0) return [];
    // Every pending file and its record in one statement: a fresh database pays one round trip per
    // schema, not two per file (issue 8, footprint). Each file starts on the schema's search path.
    const script = pending.map(
      (m) =>
        `SET LOCAL search_path TO ${schema}, public;\n${m.sql}\n;\n` +
        `INSERT INTO ${schema}.schema_migrations (name, checksum) VALUES (${literal(m.name)}, ${literal(m.checksum)});`,
    );
    try {
      await tx.exec(`${script.join("\n")}\nSET LOCAL search_path TO public`);
    } catch (error) {
      const names = pending.map((m) => m.name).join(", ");
      throw new Error(
        `migrating ${schema} (${names}) failed: ${error instanceof Error ? error.message : error}`,
        {
          cause: error,
        },
      );
    }
    const done = pending.map((m) => m.name);
    return done;
  });
}

/**
 * Brings every schema up to date. When nothing is pending (every start but the first after a new
 * file) that is one query for them all: the applied files of every schema, compared with the folders.
 * Otherwise, or on a database that has none of them yet, each schema is migrated as migrate() does.
 */
export async function migrateAll(db: Db, sets: readonly MigrationSet[]): Promise<string[]> {
  if (sets.length === 0) return [];
  const wanted = sets.map((set) => ({ name: set.schema, schema: ident(set.schema), files: load(set.dirs) }));
  const applied = await db
    .query<{ schema: string; name: string; checksum: string }>(
      wanted
        .map(
          (w) => `SELECT ${literal(w.schema)} AS schema, name, checksum FROM ${w.schema}.schema_migrations`,
        )
        .join(" UNION ALL "),
    )
    // A schema without its table yet: a first start, migrated below.
    .catch(() => undefined);
  if (applied) {
    const seen = new Set(applied.map((r) => `${r.schema}\u0000${r.name}\u0000${r.checksum}`));
    const current = wanted.every((w) =>
      w.files.every((m) => seen.has(`${w.schema}\u0000${m.name}\u0000${m.checksum}`)),
    );
    if (current) return [];
  }
  const done: string[] = [];
  for (const w of wanted)
    done.push(...(await apply(db, w.schema, w.files)).map((file) => `${w.name}:${file}`));
  return done;
}
