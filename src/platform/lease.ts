import type { Queryable } from "./db/db.js";

/**
 * A named lease in a schema's lease table (created with the outbox as `relay_lease`; any job of the
 * schema may name one there): held by one holder until it runs out, judged by the database's clock.
 */
export interface Lease {
  /** Takes or renews it in one statement: free, run out, or already ours. */
  take(): Promise<boolean>;
  /** Gives it up, if it is still ours. */
  release(): Promise<void>;
}

export function createLease(
  db: Queryable,
  o: { readonly schema: string; readonly name: string; readonly holder: string; readonly leaseMs: number },
): Lease {
  return {
    async take() {
      const rows = await db.query(
        `INSERT INTO ${o.schema}.relay_lease AS l (name, holder, lease_until)
         VALUES ($3, $1, now() + $2 * interval '1 millisecond')
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until
         WHERE l.holder = EXCLUDED.holder OR l.lease_until < now()
         RETURNING holder`,
        [o.holder, o.leaseMs, o.name],
      );
      return rows.length > 0;
    },
    async release() {
      await db.query(`DELETE FROM ${o.schema}.relay_lease WHERE name = $1 AND holder = $2`, [
        o.name,
        o.holder,
      ]);
    },
  };
}
