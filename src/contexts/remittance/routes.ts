import { ProblemError } from "../../kernel/errors.js";
import { principalOf } from "../../platform/auth/guard.js";
import { responses } from "../../platform/http/problem.js";
import type { HttpServer } from "../../platform/http/server.js";
import { pageOf } from "../../platform/http/shapes.js";
import { runSagaRequest } from "../../platform/saga/request.js";
import { type RemittanceDeps, remittanceSchema } from "./deps.js";
import { canSee, type Remittance as RemittanceRecord, remittanceView, stepHistory } from "./domain.js";
import {
  IdempotencyHeaders,
  Remittance,
  RemittanceBody,
  RemittanceDetail,
  RemittanceList,
  RemittanceParams,
  RemittanceQuery,
} from "./schemas.js";
import { startRemittance } from "./start-remittance.js";
import { findRemittance, listRemittances, remittanceByKey } from "./store.js";

/** The member's remittance routes (API.md "Remittance"). */

const tags = ["remittance"];
const signedIn = { auth: {} };
const sendErrors = [
  "RECIPIENT_INVALID",
  "BANK_ACCOUNT_INVALID",
  "BANK_NOT_SUPPORTED",
  "BANK_UNAVAILABLE",
  "IDEMPOTENCY_KEY_REUSED",
  "CONFLICT",
] as const;

const notFound = () => new ProblemError({ code: "NOT_FOUND", detail: "no such remittance" });

export function registerRemittanceRoutes(app: HttpServer, deps: RemittanceDeps) {
  registerSend(app, deps);
  registerReads(app, deps);
}

/** The answer while the saga is under way: the remittance as it stands (PENDING). */
async function answer(deps: RemittanceDeps, id: string) {
  const remittance = await findRemittance(deps.db, id);
  if (!remittance) throw new Error(`no remittance ${id}`);
  return { status: 201, body: remittanceView(remittance) };
}

function registerSend(app: HttpServer, deps: RemittanceDeps) {
  app.post(
    "/v1/remittances",
    {
      config: signedIn,
      schema: {
        tags,
        summary: "Send money to another member or to any bank account",
        description:
          "Auto-recharges from the linked account when the balance is short. A bank answer that times out " +
          "leaves the remittance PENDING until the bank's outcome is known (GET /v1/remittances/{id}).",
        headers: IdempotencyHeaders,
        body: RemittanceBody(deps.config.transactionLimit),
        response: responses({ 201: Remittance }, sendErrors),
      },
    },
    async (request, reply) => {
      const { membershipId } = principalOf(request);
      return runSagaRequest({ ...deps, schema: remittanceSchema }, request, reply, {
        scope: membershipId,
        findExisting: (key) => remittanceByKey(deps.db, membershipId, key),
        start: (idempotency) =>
          startRemittance(deps, {
            senderId: membershipId,
            to: request.body.to,
            amount: request.body.amount,
            memo: request.body.memo ?? null,
            idempotency,
            correlationId: request.id,
          }),
        answer: (id) => answer(deps, id),
      });
    },
  );
}

function registerReads(app: HttpServer, deps: RemittanceDeps) {
  app.get(
    "/v1/remittances",
    {
      config: signedIn,
      schema: {
        tags,
        summary: "The caller's sent remittances and the ones it received, newest first",
        querystring: RemittanceQuery,
        response: responses({ 200: RemittanceList }, []),
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const membershipId = principalOf(request).membershipId;
      const rows = await listRemittances(deps.db, { membershipId, before: cursor, limit: limit + 1 });
      return page(rows, limit);
    },
  );

  app.get(
    "/v1/remittances/:id",
    {
      config: signedIn,
      schema: {
        tags,
        summary: "One remittance with its step history (sender, receiving member, staff)",
        params: RemittanceParams,
        response: responses({ 200: RemittanceDetail }, ["NOT_FOUND"]),
      },
    },
    async (request) => {
      const remittance = await findRemittance(deps.db, request.params.id);
      if (!remittance || !canSee(principalOf(request), remittance)) throw notFound();
      const saga = await deps.engine.get(remittance.id);
      return { ...remittanceView(remittance), steps: stepHistory(saga?.log ?? []) };
    },
  );
}

const page = (rows: readonly RemittanceRecord[], limit: number) => pageOf(rows, limit, remittanceView);
