import { Type } from "@sinclair/typebox";
import { ProblemError } from "../kernel/errors.js";
import { type Db, ident } from "./db/db.js";
import { IdParams, idPattern } from "./http/params.js";
import { responses } from "./http/problem.js";
import type { HttpServer } from "./http/server.js";
import type { Redelivery } from "./redelivery.js";

/** Staff's view of the events consumers could not handle after their retries (API.md "Administration"). */

const deadLetterId = Type.String({ pattern: idPattern("deadLetter") });
const time = Type.String({ format: "date-time" });
const optionalTime = Type.Union([time, Type.Null()]);

const DeadLetter = Type.Object(
  {
    deadLetterId,
    consumer: Type.String(),
    eventType: Type.String(),
    eventId: Type.String(),
    error: Type.String({ description: "what the consumer's last attempt failed with" }),
    attempts: Type.Integer(),
    status: Type.Union([Type.Literal("DEAD_LETTERED"), Type.Literal("REPLAYING"), Type.Literal("HANDLED")]),
    createdAt: Type.String({ format: "date-time", description: "when the first attempt failed" }),
    deadLetteredAt: time,
    replayedAt: optionalTime,
    handledAt: optionalTime,
  },
  { title: "DeadLetter" },
);

const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional({ ...deadLetterId, description: "nextCursor of the previous page" }),
  },
  { additionalProperties: false },
);

const DeadLetterList = Type.Object(
  { items: Type.Array(DeadLetter), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { title: "DeadLetterList" },
);

const Replay = Type.Object(
  { deadLetterId, status: Type.Literal("REPLAYING") },
  { title: "DeadLetterReplay" },
);

type Row = {
  id: string;
  consumer: string;
  event_type: string;
  event_id: string;
  last_error: string;
  attempts: number;
  status: "DEAD_LETTERED" | "REPLAYING" | "HANDLED";
  created_at: Date | string;
  dead_lettered_at: Date | string;
  replayed_at: Date | string | null;
  handled_at: Date | string | null;
};

const iso = (t: Date | string) => new Date(t).toISOString();
const isoOrNull = (t: Date | string | null) => (t === null ? null : iso(t));

function view(r: Row) {
  return {
    deadLetterId: r.id,
    consumer: r.consumer,
    eventType: r.event_type,
    eventId: r.event_id,
    error: r.last_error,
    attempts: r.attempts,
    status: r.status,
    createdAt: iso(r.created_at),
    deadLetteredAt: iso(r.dead_lettered_at),
    replayedAt: isoOrNull(r.replayed_at),
    handledAt: isoOrNull(r.handled_at),
  };
}

/** Every dead letter of the given schemas, as one relation. */
function deadLetters(schemas: readonly string[]): string {
  return schemas
    .map(
      (s) => `SELECT id, consumer, event->>'type' AS event_type, event_id, last_error, attempts,
        CASE WHEN handled_at IS NOT NULL THEN 'HANDLED' WHEN next_attempt_at IS NOT NULL THEN 'REPLAYING'
             ELSE 'DEAD_LETTERED' END AS status,
        created_at, dead_lettered_at, replayed_at, handled_at
      FROM ${ident(s)}.consumer_failures WHERE dead_lettered_at IS NOT NULL`,
    )
    .join(" UNION ALL ");
}

/** Newest first; `cursor` is the nextCursor of the page before. */
export async function listDeadLetters(
  db: Db,
  schemas: readonly string[],
  page: { limit?: number; cursor?: string },
) {
  const limit = page.limit ?? 20;
  if (schemas.length === 0) return { items: [], nextCursor: null };
  const rows = await db.query<Row>(
    `SELECT * FROM (${deadLetters(schemas)}) d WHERE $1::text IS NULL OR id < $1 ORDER BY id DESC LIMIT $2`,
    [page.cursor ?? null, limit + 1],
  );
  const items = rows.slice(0, limit).map(view);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.deadLetterId : null };
}

/** Makes a dead letter due at once; returns the schema that holds it, or undefined for an unknown id. */
export async function replayDeadLetter(db: Db, schemas: readonly string[], id: string) {
  for (const schema of schemas) {
    const rows = await db.query(
      `UPDATE ${ident(schema)}.consumer_failures SET replayed_at = now(), next_attempt_at = now()
       WHERE id = $1 AND dead_lettered_at IS NOT NULL RETURNING 1`,
      [id],
    );
    if (rows.length > 0) return schema;
  }
  return undefined;
}

const tags = ["administration"];
const staffOnly = { auth: { roles: ["staff" as const] } };

/** The dead-letter routes over the schemas this process mounts; a replay wakes that schema's loop. */
export function registerDeadLetterRoutes(app: HttpServer, db: Db, redeliveries: readonly Redelivery[]) {
  const schemas = redeliveries.map((r) => r.schema);
  app.get(
    "/v1/admin/dead-letters",
    {
      config: staffOnly,
      schema: {
        tags,
        summary: "Events a consumer could not handle after its retries, with the error, newest first",
        querystring: ListQuery,
        response: responses({ 200: DeadLetterList }, []),
      },
    },
    async (request) => listDeadLetters(db, schemas, request.query),
  );

  app.post(
    "/v1/admin/dead-letters/:id/replay",
    {
      config: staffOnly,
      schema: {
        tags,
        summary: "Hands a dead letter to its consumer again (at most one effect: the inbox still holds)",
        params: IdParams("deadLetter"),
        // Nothing to send: no body (or `{}`) is the whole request.
        body: Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()]),
        response: responses({ 202: Replay }, ["NOT_FOUND"]),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const schema = await replayDeadLetter(db, schemas, id);
      if (!schema) throw new ProblemError({ code: "NOT_FOUND", detail: "no such dead letter" });
      redeliveries.find((r) => r.schema === schema)?.kick();
      return reply.status(202).send({ deadLetterId: id, status: "REPLAYING" as const });
    },
  );
}
