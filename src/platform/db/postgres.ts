import postgres from "postgres";
import { type Db, parseBigint, type Queryable, type Row } from "./db.js";

type Sql = postgres.Sql<Record<string, never>>;

function queryable(sql: Sql | postgres.TransactionSql<Record<string, never>>): Queryable {
  return {
    async query<T extends Row>(text: string, params: readonly unknown[] = []) {
      const rows = await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
      // A plain array, as PGlite gives: callers see the same values whichever engine runs.
      return Array.from(rows) as unknown as T[];
    },
    async exec(text: string) {
      await sql.unsafe(text);
    },
  };
}

export interface PostgresOptions {
  max?: number;
  applicationName?: string;
}

/** PostgreSQL through the `postgres` client, with BIGINT read as a safe-integer number. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Db> {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? "mypay" },
    types: {
      bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: parseBigint },
    },
  }) as unknown as Sql;
  await sql.unsafe("SELECT 1");
  const base = queryable(sql);
  return {
    engine: "postgres",
    ...base,
    tx: async (fn) => (await sql.begin((tx) => fn(queryable(tx)))) as Awaited<ReturnType<typeof fn>>,
    close: () => sql.end({ timeout: 5 }),
  };
}
