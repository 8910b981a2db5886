import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { JSONWebKeySet } from "jose";
import { type Result, unwrap } from "../../kernel/errors.js";
import { principalOf } from "../../platform/auth/guard.js";
import { responses } from "../../platform/http/problem.js";
import type { HttpServer } from "../../platform/http/server.js";
import type { EventContext } from "../../platform/outbox.js";
import { toMemberView } from "./domain.js";
import { lookupMember } from "./lookup.js";
import {
  Credentials,
  Jwks,
  LookupQuery,
  MemberSearchQuery,
  Membership,
  MembershipChanges,
  MembershipList,
  MembershipLookup,
  MembershipParams,
  RefreshRequest,
  Registration,
  Session,
  ValidateRequest,
  Validation,
} from "./schemas.js";
import {
  getMember,
  listMembers,
  type MembershipDeps,
  modifyMember,
  registerMember,
  withdrawMember,
} from "./service.js";
import { login, logout, refresh, validateToken } from "./sessions.js";

const auth = ["auth"];
const membership = ["membership"];
/** Any signed-in caller; which member it may touch is decided per resource (self or staff). */
const signedIn = { auth: {} };
const staffOnly = { auth: { roles: ["staff" as const] } };

const loginRoute = {
  schema: {
    tags: auth,
    summary: "Sign in; five failures for an email within 15 minutes lock it for the rest of that time",
    body: Credentials,
    response: responses({ 200: Session }, ["INVALID_CREDENTIALS", "RATE_LIMITED"]),
  },
};
const refreshRoute = {
  schema: {
    tags: auth,
    summary: "Trade a refresh token for a new session; a spent token revokes its whole chain",
    body: RefreshRequest,
    response: responses({ 200: Session }, ["UNAUTHENTICATED"]),
  },
};
const logoutRoute = {
  schema: {
    tags: auth,
    summary:
      "Sign out: revoke the session (chain) of a refresh token, its current or a spent one, access tokens included; 204 whatever the token",
    body: RefreshRequest,
    response: responses({ 204: Type.Null({ description: "Signed out (or nothing to sign out)" }) }, []),
  },
};
const validateRoute = {
  schema: {
    tags: auth,
    summary:
      "Whether an access token is valid now (its member not withdrawn, its session not revoked), and whose it is",
    body: ValidateRequest,
    response: responses({ 200: Validation }, []),
  },
};
const jwksRoute = {
  schema: {
    tags: auth,
    summary: "The public keys that verify access tokens",
    response: responses({ 200: Jwks }, []),
  },
};
const registerRoute = {
  schema: {
    tags: membership,
    summary: "Register a personal or merchant member",
    body: Registration,
    response: responses({ 201: Membership }, ["EMAIL_TAKEN", "PHONE_TAKEN"]),
  },
};
const meRoute = {
  config: signedIn,
  schema: {
    tags: membership,
    summary: "The caller's membership",
    response: responses({ 200: Membership }, []),
  },
};
const lookupRoute = {
  config: signedIn,
  schema: {
    tags: membership,
    summary:
      "Whom an email or a mobile number belongs to (?email= or ?phone=, one of them), with the name masked, so a sender can confirm whom they pay; 10 a minute",
    querystring: LookupQuery,
    response: responses({ 200: MembershipLookup }, ["NOT_FOUND", "RATE_LIMITED"]),
  },
};
const readRoute = {
  config: signedIn,
  schema: {
    tags: membership,
    summary: "A membership: the caller's own, or any for staff",
    params: MembershipParams,
    response: responses({ 200: Membership }, ["NOT_FOUND"]),
  },
};
const searchRoute = {
  config: staffOnly,
  schema: {
    tags: membership,
    summary:
      "Staff: every member, withdrawn ones too, newest first; ?query= matches part of the email or name, or an id",
    querystring: MemberSearchQuery,
    response: responses({ 200: MembershipList }, []),
  },
};
const modifyRoute = {
  config: signedIn,
  schema: {
    tags: membership,
    summary: "Change name, region, mobile number or password (the caller's own, or any for staff)",
    params: MembershipParams,
    body: MembershipChanges,
    response: responses({ 200: Membership }, ["NOT_FOUND", "CONFLICT", "PHONE_TAKEN"]),
  },
};
const withdrawRoute = {
  config: signedIn,
  schema: {
    tags: membership,
    summary: "Withdraw (the caller's own, or any for staff): only with a money balance of 0; sign-in stops",
    params: MembershipParams,
    response: responses({ 204: Type.Null({ description: "Withdrawn" }) }, ["NOT_FOUND", "CONFLICT"]),
  },
};

export function eventContext(request: FastifyRequest): EventContext {
  return { correlationId: request.id, causationId: request.id };
}

/** unwrap, plus the Retry-After header a RATE_LIMITED failure asks for. */
function unwrapOrRetryLater<T>(reply: FastifyReply, result: Result<T>): T {
  const retryAfter = result.ok ? undefined : result.error.extra?.retryAfterSeconds;
  if (typeof retryAfter === "number") reply.header("retry-after", String(retryAfter));
  return unwrap(result);
}

function authRoutes(app: HttpServer, deps: MembershipDeps, jwks: JSONWebKeySet) {
  app.post("/v1/auth/login", loginRoute, async (request, reply) =>
    unwrapOrRetryLater(reply, await login(deps, request.body)),
  );
  app.post("/v1/auth/refresh", refreshRoute, async (request) =>
    unwrap(await refresh(deps, request.body, eventContext(request))),
  );
  app.post("/v1/auth/logout", logoutRoute, async (request, reply) => {
    await logout(deps, request.body, eventContext(request));
    return reply.status(204).send();
  });
  app.post("/v1/auth/validate", validateRoute, async (request) => validateToken(deps, request.body));
  app.get("/v1/auth/jwks", jwksRoute, async (_request, reply) => {
    // Verifiers cache it; jose fetches again when a token names a kid it does not know.
    reply.header("cache-control", "public, max-age=300");
    return jwks;
  });
}

function memberRoutes(app: HttpServer, deps: MembershipDeps) {
  app.post("/v1/memberships", registerRoute, async (request, reply) => {
    const member = unwrap(await registerMember(deps, request.body, eventContext(request)));
    return reply.status(201).send(toMemberView(member));
  });
  app.get("/v1/memberships/me", meRoute, async (request) => {
    const principal = principalOf(request);
    return toMemberView(unwrap(await getMember(deps, principal, principal.membershipId)));
  });
  // A static segment: Fastify's router matches it before /:id, whatever the registration order.
  app.get("/v1/memberships/lookup", lookupRoute, async (request, reply) =>
    unwrapOrRetryLater(reply, await lookupMember(deps, principalOf(request), request.query)),
  );
  app.get("/v1/memberships/:id", readRoute, async (request) =>
    toMemberView(unwrap(await getMember(deps, principalOf(request), request.params.id))),
  );
  app.get("/v1/admin/members", searchRoute, async (request) => listMembers(deps, request.query));
  app.patch("/v1/memberships/:id", modifyRoute, async (request) => {
    const command = { principal: principalOf(request), id: request.params.id, changes: request.body };
    return toMemberView(unwrap(await modifyMember(deps, command, eventContext(request))));
  });
  app.delete("/v1/memberships/:id", withdrawRoute, async (request, reply) => {
    const command = { principal: principalOf(request), id: request.params.id };
    unwrap(await withdrawMember(deps, command, eventContext(request)));
    return reply.status(204).send();
  });
}

/** Membership's HTTP routes. Register the auth guard (registerAuth) on the app first. */
export function registerMembershipRoutes(app: HttpServer, deps: MembershipDeps, jwks: JSONWebKeySet) {
  authRoutes(app, deps, jwks);
  memberRoutes(app, deps);
}
