import { Type } from "@sinclair/typebox";
import type { Db } from "../db/db.js";
import { responses, sendProblem } from "./problem.js";
import type { HttpServer } from "./server.js";

export interface Readiness {
  /** The process's database, if it has one (the gateway has none). */
  db?: Db;
  /** Extra dependency checks (e.g. the event bus); each returns an error message or undefined. */
  checks?: Record<string, () => Promise<string | undefined>>;
  /** True once shutdown began: the process stops taking new work. */
  closing: () => boolean;
}

const Status = Type.Object({
  status: Type.String(),
  checks: Type.Optional(Type.Record(Type.String(), Type.String())),
});

/** GET /health (the process is alive) and GET /ready (its dependencies answer). */
export function registerOperations(app: HttpServer, readiness: Readiness) {
  app.get(
    "/health",
    { schema: { tags: ["operations"], summary: "The process is alive", response: { 200: Status } } },
    async () => ({ status: "ok" }),
  );
  app.get(
    "/ready",
    {
      schema: {
        tags: ["operations"],
        summary: "The database and the event bus answer",
        response: responses({ 200: Status }, ["NOT_READY"]),
      },
    },
    async (_request, reply) => {
      if (readiness.closing()) return sendProblem(reply, { code: "NOT_READY", detail: "shutting down" });
      const checks: Record<string, string> = {};
      const { db } = readiness;
      const all = {
        ...(db ? { database: async () => void (await db.query("SELECT 1")) } : {}),
        ...readiness.checks,
      };
      for (const [name, check] of Object.entries(all)) {
        try {
          const problem = await check();
          checks[name] = problem ?? "ok";
        } catch (error) {
          checks[name] = error instanceof Error ? error.message : "unreachable";
        }
      }
      const failing = Object.entries(checks).filter(([, v]) => v !== "ok");
      if (failing.length > 0) {
        return sendProblem(reply, {
          code: "NOT_READY",
          detail: `not ready: ${failing.map(([k]) => k).join(", ")}`,
          extra: { checks },
        });
      }
      return { status: "ready", checks };
    },
  );
}
