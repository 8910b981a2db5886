import { newId } from "../kernel/ids.js";
import type { EventEnvelope } from "./bus/bus.js";
import { ident, type Queryable } from "./db/db.js";
import { traceparentFor } from "./tracing.js";

export interface NewEvent<T = unknown> {
  readonly type: string;
  readonly version?: number;
  readonly data: T;
}

export interface EventContext {
  /** The business transaction this change belongs to (a request id or an upstream event's). */
  readonly correlationId: string;
  /** The event or request that caused the change. */
  readonly causationId?: string | null;
  readonly occurredAt?: Date;
  /**
   * The trace their handling continues. By default the active one, when it is this correlation
   * id's: a caller whose change is committed in another's batch passes its own.
   */
  readonly traceparent?: string;
}

/**
 * Writes events to the schema's outbox inside the caller's transaction: they are published if and
 * only if that transaction commits.
 */
export async function recordEvents(
  tx: Queryable,
  schema: string,
  events: readonly NewEvent[],
  context: EventContext,
): Promise<EventEnvelope[]> {
  return recordEventGroups(tx, schema, [{ events, context }]);
}

/** Events of many changes, each with its own context, in one statement (a group commit's batch). */
export async function recordEventGroups(
  tx: Queryable,
  schema: string,
  groups: readonly { readonly events: readonly NewEvent[]; readonly context: EventContext }[],
): Promise<EventEnvelope[]> {
  const envelopes: EventEnvelope[] = groups.flatMap(({ events, context }) => {
    const occurredAt = (context.occurredAt ?? new Date()).toISOString();
    const traceparent = context.traceparent ?? traceparentFor(context.correlationId);
    return events.map((e) => ({
      id: newId("event"),
      type: e.type,
      version: e.version ?? 1,
      occurredAt,
      source: schema,
      correlationId: context.correlationId,
      causationId: context.causationId ?? null,
      ...(traceparent ? { traceparent } : {}),
      data: e.data,
    }));
  });
  if (envelopes.length === 0) return [];
  await tx.query(
    `INSERT INTO ${ident(schema)}.outbox
       (id, type, version, occurred_at, source, correlation_id, causation_id, traceparent, data)
     SELECT e->>'id', e->>'type', (e->>'version')::int, (e->>'occurredAt')::timestamptz, e->>'source',
            e->>'correlationId', e->>'causationId', e->>'traceparent', e->'data'
     FROM jsonb_array_elements($1::jsonb) AS e`,
    [envelopes],
  );
  return envelopes;
}
