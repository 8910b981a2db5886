import { ok, ProblemError } from "../../kernel/errors.js";
import { canAccess, principalOf } from "../../platform/auth/guard.js";
import { IdParams } from "../../platform/http/params.js";
import { responses } from "../../platform/http/problem.js";
import type { HttpServer } from "../../platform/http/server.js";
import { pageOf } from "../../platform/http/shapes.js";
import { runSagaRequest } from "../../platform/saga/request.js";
import { type SettlementDeps, settlementSchema } from "./deps.js";
import { cutoffProblem } from "./domain.js";
import {
  IdempotencyHeaders,
  Run,
  RunList,
  RunQuery,
  RunRequest,
  runView,
  SettlementDetail,
  SettlementList,
  SettlementQuery,
  settlementView,
} from "./schemas.js";
import { startRun } from "./settlement-run.js";
import { findRun, findSettlement, listRuns, listSettlements, runByKey } from "./store.js";

/** Settlement over HTTP (API.md "Settlement"): staff run it; merchants and staff read the settlements. */

const tags = ["settlement"];
const staffOnly = { auth: { roles: ["staff" as const] } };
const merchantsAndStaff = { auth: { roles: ["merchant" as const, "staff" as const] } };
const signedIn = { auth: {} };

const notFound = () => new ProblemError({ code: "NOT_FOUND", detail: "no such resource" });

async function runBody(deps: SettlementDeps, runId: string) {
  const run = await findRun(deps.db, runId);
  if (!run) throw new Error(`no settlement run ${runId}`);
  return runView(run);
}

function registerRunRoute(app: HttpServer, deps: SettlementDeps) {
  app.post(
    "/v1/admin/settlements/run",
    {
      config: staffOnly,
      // Every field is optional: no body at all means `{}` (and hashes as `{}` for the Idempotency-Key).
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags,
        summary: "Settle every franchise's NORMAL payments made before the cutoff (default now)",
        headers: IdempotencyHeaders,
        body: RunRequest,
        response: responses({ 201: Run }, ["IDEMPOTENCY_KEY_REUSED"]),
      },
    },
    async (request, reply) => {
      const now = deps.clock.now();
      const cutoff = request.body.cutoff === undefined ? now : new Date(request.body.cutoff);
      const problem = cutoffProblem(cutoff, now);
      if (problem) throw new ProblemError({ code: "VALIDATION_FAILED", detail: problem });
      const { membershipId } = principalOf(request);
      return runSagaRequest({ ...deps, schema: settlementSchema }, request, reply, {
        scope: membershipId,
        findExisting: (key) => runByKey(deps.db, membershipId, key),
        start: async (idempotency) => {
          const cmd = { cutoff, requestedBy: membershipId, idempotency, scheduledFor: null };
          const runId = await startRun(deps, { ...cmd, correlationId: request.id });
          if (runId === undefined) throw new Error("a run staff asked for has no schedule slot to lose");
          return ok(runId);
        },
        answer: async (id) => ({ status: 201, body: await runBody(deps, id) }),
      });
    },
  );
}

function registerRunRead(app: HttpServer, deps: SettlementDeps) {
  app.get(
    "/v1/admin/settlements/runs/:id",
    {
      config: staffOnly,
      schema: {
        tags,
        summary: "One settlement run with its totals and how its payouts stand",
        params: IdParams("settlementRun"),
        response: responses({ 200: Run }, ["NOT_FOUND"]),
      },
    },
    async (request) => {
      const run = await findRun(deps.db, request.params.id);
      if (!run) throw notFound();
      return runView(run);
    },
  );
}

function registerRunList(app: HttpServer, deps: SettlementDeps) {
  app.get(
    "/v1/admin/settlements/runs",
    {
      config: staffOnly,
      schema: {
        tags,
        summary: "Settlement runs, newest first, each as GET /v1/admin/settlements/runs/{id} answers it",
        querystring: RunQuery,
        response: responses({ 200: RunList }, []),
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listRuns(deps.db, { before: cursor, limit: limit + 1 });
      return pageOf(rows, limit, runView);
    },
  );
}

function registerSettlementList(app: HttpServer, deps: SettlementDeps) {
  app.get(
    "/v1/settlements",
    {
      config: merchantsAndStaff,
      schema: {
        tags,
        summary: "Settlements, newest first: a merchant's franchises'; staff's all (?franchiseId=, ?runId=)",
        querystring: SettlementQuery,
        response: responses({ 200: SettlementList }, []),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { limit, cursor, franchiseId, runId } = request.query;
      const ownerId = principal.role === "staff" ? undefined : principal.membershipId;
      const rows = await listSettlements(deps.db, {
        ownerId,
        franchiseId,
        runId,
        before: cursor,
        limit: limit + 1,
      });
      return pageOf(rows, limit, settlementView);
    },
  );
}

function registerSettlementRead(app: HttpServer, deps: SettlementDeps) {
  app.get(
    "/v1/settlements/:id",
    {
      config: signedIn,
      schema: {
        tags,
        summary: "One settlement with the ids of the payments it settles (the franchise's owner, staff)",
        params: IdParams("settlement"),
        response: responses({ 200: SettlementDetail }, ["NOT_FOUND"]),
      },
    },
    async (request) => {
      const found = await findSettlement(deps.db, request.params.id);
      if (!found || !canAccess(principalOf(request), found.owner_id)) throw notFound();
      const paymentIds = await deps.payment.claimedPaymentIds({
        runId: found.run_id,
        franchiseId: found.franchise_id,
        settlementId: found.id,
      });
      return { ...settlementView(found), paymentIds };
    },
  );
}

export function registerSettlementRoutes(app: HttpServer, deps: SettlementDeps) {
  registerRunRoute(app, deps);
  registerRunRead(app, deps);
  registerRunList(app, deps);
  registerSettlementList(app, deps);
  registerSettlementRead(app, deps);
}
