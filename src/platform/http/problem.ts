import { type TSchema, Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type ErrorCode, errorCatalogue, errorCodes, type Failure } from "../../kernel/errors.js";

export const problemContentType = "application/problem+json";

/** RFC 9457 problem details with our stable `code` (API.md "Conventions"). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: "A URI naming the kind of problem" }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.Union(
      errorCodes.map((c) => Type.Literal(c)),
      { description: "A stable UPPER_SNAKE code" },
    ),
    instance: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
    retryAfterSeconds: Type.Optional(Type.Integer()),
  },
  { $id: "Problem", title: "Problem", additionalProperties: true },
);

export const problemRef = Type.Ref("Problem");

export function problemType(code: ErrorCode): string {
  return `https://mypay.dev/problems/${code.toLowerCase().replaceAll("_", "-")}`;
}

export function problemBody(failure: Failure, request?: FastifyRequest) {
  const { status, title } = errorCatalogue[failure.code];
  return {
    type: problemType(failure.code),
    title,
    status,
    detail: failure.detail,
    code: failure.code,
    ...(request ? { instance: request.url.split("?")[0], requestId: request.id } : {}),
    ...failure.extra,
  };
}

export function sendProblem(reply: FastifyReply, failure: Failure) {
  const body = problemBody(failure, reply.request);
  return reply.status(body.status).type(problemContentType).send(body);
}

/**
 * Response schemas for a route: its success schemas plus the problems it can answer with,
 * grouped by status; each status's description names the codes, so the OpenAPI document lists them.
 */
export function responses(
  success: Record<number, TSchema>,
  codes: readonly ErrorCode[],
): Record<number, TSchema> {
  const out: Record<number, TSchema> = { ...success };
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of ["VALIDATION_FAILED", "INTERNAL_ERROR", ...codes] as ErrorCode[]) {
    const status = errorCatalogue[code].status;
    const list = byStatus.get(status) ?? [];
    if (!list.includes(code)) list.push(code);
    byStatus.set(status, list);
  }
  for (const [status, list] of byStatus) {
    out[status] = Type.Ref("Problem", { description: `Problem: ${list.join(", ")}` });
  }
  return out;
}
