import { unwrap } from "../../kernel/errors.js";
import { principalOf } from "../../platform/auth/guard.js";
import { responses } from "../../platform/http/problem.js";
import type { HttpServer } from "../../platform/http/server.js";
import { toFranchiseView } from "./domain-franchise.js";
import {
  CommissionBody,
  CommissionHistory,
  CommissionHistoryQuery,
  Franchise,
  FranchiseList,
  FranchiseParams,
  FranchiseQuery,
  FranchiseRegistration,
} from "./franchise-schemas.js";
import {
  commissionHistory,
  type FranchiseDeps,
  listVisibleFranchises,
  modifyCommission,
  readFranchise,
  registerFranchise,
} from "./franchises.js";
import { eventContext } from "./routes.js";

/** Franchises and commission over HTTP (API.md "Franchises (merchants) and commission"). */

const tags = ["franchises"];
const merchants = { auth: { roles: ["merchant" as const] } };
const merchantsAndStaff = { auth: { roles: ["merchant" as const, "staff" as const] } };
const staffOnly = { auth: { roles: ["staff" as const] } };
const signedIn = { auth: {} };

const registerRoute = {
  config: merchants,
  schema: {
    tags,
    summary: "Register a franchise with a settlement account held in your name (merchants); 200 bps to start",
    body: FranchiseRegistration,
    response: responses({ 201: Franchise }, [
      "NOT_FOUND",
      "BANK_NOT_SUPPORTED",
      "BANK_ACCOUNT_INVALID",
      "BANK_UNAVAILABLE",
    ]),
  },
};
const listRoute = {
  config: merchantsAndStaff,
  schema: {
    tags,
    summary: "Franchises, newest first: a merchant's own; staff's all, or one owner's (?ownerId=)",
    querystring: FranchiseQuery,
    response: responses({ 200: FranchiseList }, ["FORBIDDEN"]),
  },
};
const readRoute = {
  config: signedIn,
  schema: {
    tags,
    summary: "A franchise; its settlement account only for its owner and staff",
    params: FranchiseParams,
    response: responses({ 200: Franchise }, ["NOT_FOUND"]),
  },
};
const commissionRoute = {
  config: staffOnly,
  schema: {
    tags,
    summary: "Change a franchise's commission (staff); payments made after the change use it",
    params: FranchiseParams,
    body: CommissionBody,
    response: responses({ 200: Franchise }, ["NOT_FOUND"]),
  },
};
const historyRoute = {
  config: staffOnly,
  schema: {
    tags,
    summary: "Every commission rate of a franchise, newest first; the last is the one it registered with",
    params: FranchiseParams,
    querystring: CommissionHistoryQuery,
    response: responses({ 200: CommissionHistory }, ["NOT_FOUND"]),
  },
};

export function registerFranchiseRoutes(app: HttpServer, deps: FranchiseDeps) {
  app.post("/v1/franchises", registerRoute, async (request, reply) => {
    const principal = principalOf(request);
    const franchise = unwrap(await registerFranchise(deps, principal, request.body, eventContext(request)));
    return reply.status(201).send(toFranchiseView(franchise, true));
  });
  app.get("/v1/franchises", listRoute, async (request) =>
    unwrap(await listVisibleFranchises(deps, principalOf(request), request.query)),
  );
  app.get("/v1/franchises/:id", readRoute, async (request) =>
    unwrap(await readFranchise(deps, principalOf(request), request.params.id)),
  );
  app.patch("/v1/admin/franchises/:id/commission", commissionRoute, async (request) => {
    const command = {
      principal: principalOf(request),
      id: request.params.id,
      commissionBps: request.body.commissionBps,
    };
    return unwrap(await modifyCommission(deps, command, eventContext(request)));
  });
  app.get("/v1/admin/franchises/:id/commission-history", historyRoute, async (request) =>
    unwrap(await commissionHistory(deps, request.params.id, request.query)),
  );
}
