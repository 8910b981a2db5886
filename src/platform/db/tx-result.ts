import type { Result } from "../../kernel/errors.js";
import type { Db, Queryable } from "./db.js";

class Refused extends Error {
  constructor(readonly result: Result<never>) {
    super("refused");
  }
}

/**
 * Runs fn in one transaction that commits only when fn's result is ok: an expected failure rolls
 * back whatever fn wrote and comes back as the value.
 */
export async function txResult<T>(db: Db, fn: (tx: Queryable) => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await db.tx(async (tx) => {
      const result = await fn(tx);
      if (!result.ok) throw new Refused(result as Result<never>);
      return result;
    });
  } catch (error) {
    if (error instanceof Refused) return error.result;
    throw error;
  }
}
