import { ident, type Queryable } from "../db/db.js";
import { liveStatuses, type SagaRow } from "./store.js";
import type { AnySagaDefinition, SagaLogEntry, SagaStatus, SagaView } from "./types.js";

/** Reading sagas with their step log: one saga, a page of them for staff, and the STUCK count. */

export type SagaRowWithLog = SagaRow & { log: unknown[] };

export interface SagaFilter {
  /** Any of these statuses; every status when undefined. */
  readonly statuses?: readonly SagaStatus[] | undefined;
  readonly type?: string | undefined;
  /** Only sagas created before this position (the previous page's last saga), newest first. */
  readonly before?: SagaCursor | undefined;
  readonly limit: number;
}

/** Where a saga sorts in a list: its creation time exactly as stored (text keeps the microseconds). */
export interface SagaCursor {
  readonly createdAt: string;
  readonly id: string;
}

export function sagaViews(schema: string) {
  const s = ident(schema);
  const withLog = `SELECT g.*, (SELECT coalesce(jsonb_agg(to_jsonb(l) - 'saga_id' ORDER BY l.seq), '[]'::jsonb)
                   FROM ${s}.saga_steps l WHERE l.saga_id = g.id) AS log
                   FROM ${s}.sagas g`;
  return {
    /** The saga with its step log, in one round trip. */
    async view(db: Queryable, id: string): Promise<SagaRowWithLog | undefined> {
      const rows = await db.query<SagaRowWithLog>(`${withLog} WHERE g.id = $1`, [id]);
      return rows[0];
    },

    async cursor(db: Queryable, id: string): Promise<SagaCursor | undefined> {
      const rows = await db.query<{ created_at: string }>(
        `SELECT created_at::text AS created_at FROM ${s}.sagas WHERE id = $1`,
        [id],
      );
      return rows[0] && { createdAt: rows[0].created_at, id };
    },

    async list(db: Queryable, filter: SagaFilter): Promise<SagaRowWithLog[]> {
      return db.query<SagaRowWithLog>(
        `${withLog}
         WHERE ($1::text[] IS NULL OR g.status = ANY($1::text[])) AND ($2::text IS NULL OR g.type = $2)
           AND ($3::timestamptz IS NULL OR (g.created_at, g.id) < ($3::timestamptz, $4::text))
         ORDER BY g.created_at DESC, g.id DESC LIMIT $5`,
        [
          filter.statuses ? [...filter.statuses] : null,
          filter.type ?? null,
          filter.before?.createdAt ?? null,
          filter.before?.id ?? null,
          filter.limit,
        ],
      );
    },

    /** How many sagas of each type are STUCK. */
    async stuckCounts(db: Queryable): Promise<Map<string, number>> {
      const rows = await db.query<{ type: string; n: number }>(
        `SELECT type, count(*)::int AS n FROM ${s}.sagas WHERE status = 'STUCK' GROUP BY type`,
      );
      return new Map(rows.map((r) => [r.type, Number(r.n)]));
    },
  };
}

export function toView<D>(row: SagaRowWithLog, def: AnySagaDefinition | undefined): SagaView<D> {
  const log = row.log as (Omit<SagaLogEntry, "at"> & { at: string })[];
  const atStep = liveStatuses.includes(row.status) || row.status === "STUCK";
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    step: atStep ? def?.steps[row.step]?.name : undefined,
    stuckFrom: row.stuck_from,
    data: row.data as D,
    correlationId: row.correlation_id,
    attempts: row.attempts,
    waits: row.waits,
    nextRunAt: new Date(row.next_run_at),
    lastError: row.last_error,
    failureReason: row.failure_reason,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    log: log.map((entry) => ({ ...entry, at: new Date(entry.at) })),
  };
}
