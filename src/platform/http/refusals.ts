import { randomUUID } from "node:crypto";
import { type ServerResponse, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { errorCatalogue, type Failure } from "../../kernel/errors.js";
import type { Metrics } from "./metrics.js";
import { problemBody, problemContentType, sendProblem } from "./problem.js";

/**
 * The answers Fastify and Node would otherwise write themselves (their own JSON, no request id),
 * made problems from the catalogue like every other answer (API.md "Conventions").
 */

/** Refusals the router makes before any route or hook runs (Fastify's `frameworkErrors`). */
export function routerFailure(error: FastifyError): Failure {
  switch (error.code) {
    case "FST_ERR_BAD_URL":
      return { code: "VALIDATION_FAILED", detail: "the URL is not valid: its percent-encoding is not UTF-8" };
    case "FST_ERR_MAX_PARAM_LENGTH":
      // No id of ours is that long: the same answer as for any id that does not exist.
      return { code: "NOT_FOUND", detail: "no such resource" };
    default:
      return { code: "INTERNAL_ERROR", detail: "the request could not be completed; it is safe to retry" };
  }
}

/**
 * Fastify's `frameworkErrors`. No hook runs for these requests (the router refused them before any
 * route), so the request id, the request's log line and its count are done here.
 */
export function routerRefusals(metrics: Metrics) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const failure = routerFailure(error);
    if (failure.code === "INTERNAL_ERROR") request.log.error({ err: error }, "router error");
    reply.header("x-request-id", request.id);
    const status = errorCatalogue[failure.code].status;
    request.log.info({ method: request.method, url: request.url, status }, "request");
    metrics.requests.inc({ method: request.method, route: "unmatched", status: String(status) });
    return sendProblem(reply, failure);
  };
}

/** What Node's own handler writes on a malformed request (HTTP that does not parse), as a problem. */
function clientFailure(error: NodeJS.ErrnoException): Failure {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return { code: "VALIDATION_FAILED", detail: "the request headers are too large" };
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { code: "VALIDATION_FAILED", detail: "the request did not arrive in time" };
    default:
      return { code: "VALIDATION_FAILED", detail: "the request is not valid HTTP/1.1" };
  }
}

/** Fastify's `clientErrorHandler`: answers a request that does not parse, then closes the connection. */
export function clientErrorHandler(logger: FastifyBaseLogger) {
  return (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === "ECONNRESET" || socket.destroyed) return;
    const requestId = randomUUID();
    logger.debug({ err: error, requestId }, "refused a malformed HTTP request");
    // As Node does: write nothing into a response already under way, or the client reads garbage.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) {
      const problem = { ...problemBody(clientFailure(error)), requestId };
      const body = JSON.stringify(problem);
      socket.write(
        `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n` +
          `Content-Type: ${problemContentType}\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          `X-Request-Id: ${requestId}\r\n` +
          "Connection: close\r\n\r\n" +
          body,
      );
    }
    socket.destroy(error);
  };
}
