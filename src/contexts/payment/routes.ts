import { ProblemError } from "../../kernel/errors.js";
import { parseId } from "../../kernel/ids.js";
import { principalOf } from "../../platform/auth/guard.js";
import { responses } from "../../platform/http/problem.js";
import type { HttpServer } from "../../platform/http/server.js";
import { pageOf } from "../../platform/http/shapes.js";
import { runSagaRequest } from "../../platform/saga/request.js";
import { cancelAnswer, startCancel } from "./cancel.js";
import { type PaymentDeps, paymentSchema } from "./deps.js";
import { canSee } from "./domain.js";
import { paymentAnswer, startPayment } from "./pay.js";
import {
  CancelBody,
  IdempotencyHeaders,
  Payment,
  PaymentBody,
  PaymentList,
  PaymentParams,
  PaymentQuery,
} from "./schemas.js";
import { cancelByKey, findPayment, listPayments, type PaymentRow, paymentByKey } from "./store.js";
import { paymentView } from "./view.js";

/** Payments over HTTP (API.md "Payment and points"). */

const tags = ["payments"];
const signedIn = { auth: {} };

const notFound = () => new ProblemError({ code: "NOT_FOUND", detail: "no such payment" });
const parties = (row: PaymentRow) => ({ membershipId: row.membership_id, ownerId: row.owner_id });

export function registerPaymentRoutes(app: HttpServer, deps: PaymentDeps) {
  registerPay(app, deps);
  registerCancel(app, deps);
  registerList(app, deps);
  registerGet(app, deps);
}

function registerPay(app: HttpServer, deps: PaymentDeps) {
  app.post(
    "/v1/payments",
    {
      config: signedIn,
      schema: {
        tags,
        summary:
          "Pay a franchise with money (auto-recharged when short) and points; PENDING while the recharge is at the bank",
        headers: IdempotencyHeaders,
        body: PaymentBody(deps.config.transactionLimit),
        response: responses({ 201: Payment }, [
          "NOT_FOUND",
          "INSUFFICIENT_POINTS",
          "INSUFFICIENT_BALANCE",
          "NO_LINKED_ACCOUNT",
          "BALANCE_LIMIT_EXCEEDED",
          "IDEMPOTENCY_KEY_REUSED",
          "CONFLICT",
          "BANK_UNAVAILABLE",
        ]),
      },
    },
    async (request, reply) => {
      const { membershipId } = principalOf(request);
      return runSagaRequest({ ...deps, schema: paymentSchema }, request, reply, {
        scope: membershipId,
        findExisting: (key) => paymentByKey(deps.db, membershipId, key),
        start: (idempotency) =>
          startPayment(deps, { membershipId, ...request.body, idempotency, correlationId: request.id }),
        answer: (id) => paymentAnswer(deps, id),
      });
    },
  );
}

function registerCancel(app: HttpServer, deps: PaymentDeps) {
  app.post(
    "/v1/payments/:id/cancel",
    {
      config: signedIn,
      // Another member's payment, or none, is 404 before anything else is checked (the key included).
      preValidation: async (request) => {
        const { id } = request.params as { id: string };
        const paymentId = parseId("payment", id);
        const row = paymentId && (await findPayment(deps.db, paymentId));
        if (!row || !canSee(principalOf(request), parties(row))) throw notFound();
      },
      schema: {
        tags,
        summary:
          "Cancel a payment (payer, franchise owner, staff): money and used points back, earned points taken back",
        headers: IdempotencyHeaders,
        params: PaymentParams,
        body: CancelBody,
        response: responses({ 200: Payment }, [
          "NOT_FOUND",
          "ALREADY_SETTLED",
          "CONFLICT",
          "IDEMPOTENCY_KEY_REUSED",
        ]),
      },
    },
    async (request, reply) => {
      const viewer = principalOf(request);
      const { id: paymentId } = request.params;
      return runSagaRequest({ ...deps, schema: paymentSchema }, request, reply, {
        scope: viewer.membershipId,
        findExisting: (key) => cancelByKey(deps.db, paymentId, viewer.membershipId, key),
        start: (idempotency) =>
          startCancel(deps, { paymentId, viewer, idempotency, correlationId: request.id }),
        answer: () => cancelAnswer(deps, paymentId),
      });
    },
  );
}

function registerList(app: HttpServer, deps: PaymentDeps) {
  app.get(
    "/v1/payments",
    {
      config: signedIn,
      schema: {
        tags,
        summary:
          "Payments the caller may see, newest first: its own; a merchant's franchises' too; staff all",
        querystring: PaymentQuery,
        response: responses({ 200: PaymentList }, []),
      },
    },
    async (request) => {
      const { membershipId, role } = principalOf(request);
      const { limit, cursor, status, franchiseId } = request.query;
      const rows = await listPayments(deps.db, {
        viewer: role === "staff" ? undefined : membershipId,
        asOwner: role === "merchant",
        status,
        franchiseId,
        before: cursor,
        limit: limit + 1,
      });
      return pageOf(rows, limit, paymentView);
    },
  );
}

function registerGet(app: HttpServer, deps: PaymentDeps) {
  app.get(
    "/v1/payments/:id",
    {
      config: signedIn,
      schema: {
        tags,
        summary: "One payment (payer, franchise owner, staff)",
        params: PaymentParams,
        response: responses({ 200: Payment }, ["NOT_FOUND"]),
      },
    },
    async (request) => {
      const row = await findPayment(deps.db, request.params.id);
      if (!row || !canSee(principalOf(request), parties(row))) throw notFound();
      return paymentView(row);
    },
  );
}
