/** The database port: the same SQL runs on PGlite (embedded) and PostgreSQL. */
export type Row = Record<string, unknown>;

export interface Queryable {
  /** One parameterised statement ($1, $2, ...); returns the rows. */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** A script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly engine: "pglite" | "postgres";
  /** Runs fn in one transaction: committed when fn resolves, rolled back when it throws. */
  tx<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A SQL identifier we build statements with (schema names); never user input. */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a safe SQL identifier: ${name}`);
  return name;
}

export interface DbErrorInfo {
  code?: string;
  constraint?: string;
}

/** The SQLSTATE and constraint of a database error, whichever driver raised it. */
export function dbErrorInfo(error: unknown): DbErrorInfo {
  if (typeof error !== "object" || error === null) return {};
  const e = error as { code?: unknown; constraint?: unknown; constraint_name?: unknown };
  const info: DbErrorInfo = {};
  if (typeof e.code === "string") info.code = e.code;
  const constraint = e.constraint ?? e.constraint_name;
  if (typeof constraint === "string") info.constraint = constraint;
  return info;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const info = dbErrorInfo(error);
  return info.code === "23505" && (constraint === undefined || info.constraint === constraint);
}

/** BIGINT values arrive as strings; money must stay a safe integer. */
export function parseBigint(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`BIGINT out of the safe integer range: ${text}`);
  return n;
}
