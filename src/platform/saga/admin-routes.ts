import { Type } from "@sinclair/typebox";
import { Gauge, type Registry } from "prom-client";
import { ProblemError, unwrap } from "../../kernel/errors.js";
import { responses } from "../http/problem.js";
import type { HttpServer } from "../http/server.js";
import type { Logger } from "../logging.js";
import type { SagaEngine, SagaStatus, SagaView } from "./engine.js";
import { liveStatuses } from "./store.js";

/** Staff's view of the sagas (API.md "Administration"): list them with their step log, retry a STUCK one. */

// Sagas are named by the business id they serve (rch_…, wdr_…).
const sagaId = Type.String({ pattern: "^[a-z]{3}_[0-9a-f]{32}$" });
const time = Type.String({ format: "date-time" });
const statuses = ["RUNNING", "WAITING", "COMPENSATING", "COMPLETED", "COMPENSATED", "STUCK"] as const;
const Status = Type.Union(statuses.map((s) => Type.Literal(s)));

const LogEntry = Type.Object({
  seq: Type.Integer(),
  step: Type.String(),
  phase: Type.Union([Type.Literal("action"), Type.Literal("compensation")]),
  outcome: Type.Union(
    ["done", "waiting", "failed", "checkpoint", "stuck", "retried"].map((o) => Type.Literal(o)),
  ),
  detail: Type.Unknown({ description: "what the step recorded: a reason, a wait, the last error" }),
  at: time,
});

const Saga = Type.Object(
  {
    sagaId,
    type: Type.String(),
    status: Status,
    step: Type.Union([Type.String(), Type.Null()], { description: "the step it runs or is stuck at" }),
    stuckFrom: Type.Union([Status, Type.Null()], { description: "where a retry puts a STUCK saga back" }),
    attempts: Type.Integer({ description: "faults of the current step in a row" }),
    waits: Type.Integer({ description: "waits of the current step in a row that got no answer" }),
    lastError: Type.Union([Type.String(), Type.Null()]),
    failureReason: Type.Union([Type.String(), Type.Null()]),
    data: Type.Unknown({ description: "the saga's data: amounts, accounts and request ids" }),
    nextRunAt: time,
    createdAt: time,
    updatedAt: time,
    log: Type.Array(LogEntry),
  },
  { title: "Saga" },
);

const ListQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Literal("STUCK"), Type.Literal("RUNNING")], {
        description: "STUCK, or RUNNING for any saga under way (running, waiting or compensating)",
      }),
    ),
    type: Type.Optional(Type.String({ pattern: "^[a-z][a-z0-9_-]{0,39}$", description: "e.g. recharge" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional({ ...sagaId, description: "nextCursor of the previous page" }),
  },
  { additionalProperties: false },
);

const SagaList = Type.Object(
  { items: Type.Array(Saga), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { title: "SagaList" },
);

function view(s: SagaView) {
  return {
    sagaId: s.id,
    type: s.type,
    status: s.status,
    step: s.step ?? null,
    stuckFrom: s.stuckFrom,
    attempts: s.attempts,
    waits: s.waits,
    lastError: s.lastError,
    failureReason: s.failureReason,
    data: s.data,
    nextRunAt: s.nextRunAt.toISOString(),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    log: s.log.map((e) => ({ ...e, at: e.at.toISOString() })),
  };
}

const statusesOf = (status: "STUCK" | "RUNNING" | undefined): readonly SagaStatus[] | undefined =>
  status === undefined ? undefined : status === "STUCK" ? ["STUCK"] : liveStatuses;

/** The time a saga id was made (its UUIDv7's first 48 bits), for a cursor this process does not hold. */
function cursorFromId(id: string): Awaited<ReturnType<SagaEngine["cursor"]>> {
  const hex = /^sag_([0-9a-f]{12})[0-9a-f]{20}$/.exec(id)?.[1];
  return hex ? { createdAt: new Date(Number.parseInt(hex, 16)).toISOString(), id } : undefined;
}

/** Newest first across the engines (each its own schema); the cursor is the last saga of the page before. */
async function listSagas(
  engines: readonly SagaEngine[],
  query: { status?: "STUCK" | "RUNNING"; type?: string; limit?: number; cursor?: string },
) {
  const limit = query.limit ?? 20;
  let before: Awaited<ReturnType<SagaEngine["cursor"]>>;
  if (query.cursor !== undefined) {
    for (const e of engines) before ??= await e.cursor(query.cursor);
    // A saga of another service (the gateway merges every service's list): its id tells its time.
    before ??= cursorFromId(query.cursor);
    if (!before) throw new ProblemError({ code: "VALIDATION_FAILED", detail: "the cursor names no saga" });
  }
  const filter = { statuses: statusesOf(query.status), type: query.type, before, limit: limit + 1 };
  const found = (await Promise.all(engines.map((e) => e.list(filter)))).flat();
  found.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
  const items = found.slice(0, limit);
  return { items: items.map(view), nextCursor: found.length > limit ? items[items.length - 1]!.id : null };
}

const tags = ["administration"];
const staffOnly = { auth: { roles: ["staff" as const] } };

/** The saga routes over the engines of the contexts this process mounts. */
export function registerSagaAdminRoutes(app: HttpServer, engines: readonly SagaEngine[]) {
  app.get(
    "/v1/admin/sagas",
    {
      config: staffOnly,
      schema: {
        tags,
        summary: "Sagas with their step log, newest first; a STUCK one is out of retries and needs a person",
        querystring: ListQuery,
        response: responses({ 200: SagaList }, []),
      },
    },
    async (request) => listSagas(engines, request.query),
  );

  app.post(
    "/v1/admin/sagas/:id/retry",
    {
      config: staffOnly,
      schema: {
        tags,
        summary: "Puts a STUCK saga back to work with a fresh retry budget (202 with the saga)",
        params: Type.Object({ id: sagaId }, { additionalProperties: false }),
        // Nothing to send: no body (or `{}`) is the whole request.
        body: Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()]),
        response: responses({ 202: Saga }, ["NOT_FOUND", "CONFLICT"]),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      for (const engine of engines) {
        const retried = await engine.retry(id);
        if (!retried.ok && retried.error.code === "NOT_FOUND") continue;
        return reply.status(202).send(view(unwrap(retried)));
      }
      throw new ProblemError({ code: "NOT_FOUND", detail: "there is no such saga" });
    },
  );
}

/** `mypay_sagas_stuck{type}`: how many sagas wait for a person, counted at each scrape. */
export function registerSagaMetrics(registry: Registry, engines: readonly SagaEngine[], logger: Logger) {
  new Gauge({
    name: "mypay_sagas_stuck",
    help: "Sagas out of their retry budget (STUCK), waiting for staff, by type",
    labelNames: ["type"] as const,
    registers: [registry],
    async collect() {
      try {
        const totals = new Map<string, number>();
        for (const e of engines)
          for (const [type, n] of await e.stuckCounts()) totals.set(type, (totals.get(type) ?? 0) + n);
        this.reset();
        for (const [type, n] of totals) this.set({ type }, n);
      } catch (error) {
        // The scrape goes on with the last counts rather than failing every other metric.
        logger.warn({ err: error }, "counting STUCK sagas failed");
      }
    },
  });
}
