import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import { type ErrorCode, ProblemError } from "../../kernel/errors.js";
import { responses } from "../http/problem.js";
import type { Revocations } from "./revocations.js";
import type { Principal, Role, TokenVerifier } from "./tokens.js";

/** A route that needs a signed-in caller, optionally of certain roles. */
export interface AuthRequirement {
  readonly roles?: readonly Role[];
}

declare module "fastify" {
  interface FastifyContextConfig {
    auth?: AuthRequirement;
  }
  interface FastifyRequest {
    /** Set for routes with `config.auth`; null elsewhere. */
    principal: Principal | null;
  }
}

/** The OpenAPI security requirement of routes with `config.auth` (the scheme is declared by the server). */
export const bearerSecurity = [{ bearerAuth: [] as string[] }];

const bearerPattern = /^Bearer ([\x21-\x7e]{1,4096})$/i;

function unauthenticated(reply: FastifyReply, detail: string): ProblemError {
  // RFC 6750: tell the client which scheme to use.
  reply.header("www-authenticate", 'Bearer realm="mypay"');
  return new ProblemError({ code: "UNAUTHENTICATED", detail });
}

/** Checks access tokens: well signed, unexpired, and neither its member nor its chain revoked. */
export interface TokenCheck {
  readonly verifier: TokenVerifier;
  readonly revocations: Revocations;
}

/** The principal of a token that is good now; undefined otherwise. No database call. */
export async function checkToken(check: TokenCheck, token: string): Promise<Principal | undefined> {
  const principal = await check.verifier.verify(token);
  return principal && !check.revocations.refuses(principal) ? principal : undefined;
}

async function authenticate(check: TokenCheck, request: FastifyRequest, reply: FastifyReply) {
  const requirement = request.routeOptions.config?.auth;
  if (!requirement) return;
  const header = request.headers.authorization;
  if (!header) throw unauthenticated(reply, "send an access token: Authorization: Bearer <accessToken>");
  const token = bearerPattern.exec(header)?.[1];
  const principal = token ? await checkToken(check, token) : undefined;
  if (!principal)
    throw unauthenticated(reply, "the access token is invalid, expired or revoked; sign in again");
  if (requirement.roles && !requirement.roles.includes(principal.role)) {
    throw new ProblemError({
      code: "FORBIDDEN",
      detail: `the role '${principal.role}' may not use this route`,
    });
  }
  request.principal = principal;
}

/** Adds the security requirement and the 401/403 problems to an authenticated route's OpenAPI entry. */
function describeAuth(route: RouteOptions) {
  const requirement = route.config?.auth;
  if (!requirement) return;
  const codes: ErrorCode[] = requirement.roles ? ["UNAUTHENTICATED", "FORBIDDEN"] : ["UNAUTHENTICATED"];
  const schema = route.schema ?? {};
  const declared = (schema.response ?? {}) as Record<number, unknown>;
  route.schema = {
    ...schema,
    security: (schema as { security?: unknown }).security ?? bearerSecurity,
    response: { ...responses({}, codes), ...declared },
  } as RouteOptions["schema"];
}

/**
 * Checks access tokens for every route whose options carry `config: { auth: { roles? } }`:
 * no, a bad or a revoked token → 401 UNAUTHENTICATED, a role not listed → 403 FORBIDDEN; otherwise
 * `request.principal` is the caller. Register it before the routes it guards.
 */
// biome-ignore lint/suspicious/noExplicitAny: any type provider
export function registerAuth(app: FastifyInstance<any, any, any, any, any>, check: TokenCheck) {
  app.decorateRequest("principal", null);
  app.addHook("onRoute", describeAuth);
  app.addHook("onRequest", async (request, reply) => authenticate(check, request, reply));
}

/** The caller of a route registered with `config.auth`; a bug if called on any other route. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error(`route ${request.routeOptions.url} has no config.auth`);
  return request.principal;
}

/**
 * Whether the caller may see a member's resource: its own, or any as staff. When it may not, answer
 * 404 NOT_FOUND exactly as for a missing resource, so ids of others do not leak.
 */
export function canAccess(principal: Principal, ownerId: string): boolean {
  return principal.role === "staff" || principal.membershipId === ownerId;
}
