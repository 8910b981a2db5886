import { randomUUID } from "node:crypto";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { Context } from "@opentelemetry/api";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyServerOptions,
} from "fastify";
import type { Logger } from "pino";
import { type Failure, ProblemError } from "../../kernel/errors.js";
import { correlationFields } from "../logging.js";
import { endServerSpan, inContext, startServerSpan } from "../tracing.js";
import { sharedSerializers } from "./lazy-compile.js";
import { instrument, type Metrics } from "./metrics.js";
import { documentBodyProblems, hoistNamedSchemas } from "./openapi.js";
import { ProblemSchema, sendProblem } from "./problem.js";
import { clientErrorHandler, routerRefusals } from "./refusals.js";
import { describeValidation, validatorCompiler } from "./validation.js";

export const bodyLimitBytes = 64 * 1024;

export interface HttpServerOptions {
  logger: Logger;
  metrics: Metrics;
  title: string;
  description?: string;
  /** Serve Swagger UI at /docs and the OpenAPI document at /docs/json. */
  docs?: boolean;
  /**
   * Compile each response serializer on its route's first use (default): less memory and a faster
   * start, for a first answer a few ms slower. The sandbox bank answers its first call as fast as any.
   */
  compileOnFirstUse?: boolean;
  /** On close: "idle" (default) lets requests in flight finish; true cuts every connection. */
  forceCloseConnections?: boolean | "idle";
}

/** Response serializers compiled once per distinct schema, on first use when `lazy` (lazy-compile.ts). */
const schemaController = (lazy: boolean) =>
  ({
    compilersFactory: { buildSerializer: sharedSerializers(lazy) },
  }) as FastifyServerOptions["schemaController"];

const requestIdPattern = /^[\x21-\x7e]{1,128}$/;

declare module "fastify" {
  interface FastifyRequest {
    /** The request's server span and correlation id (tracing.ts), active in its hooks and handler. */
    traceContext: Context | null;
  }
}

/**
 * A Fastify app with our conventions: TypeBox, strict bodies, problem+json, request ids, metrics.
 * Every answer it gives, the router's and Node's refusals included, is a problem from the catalogue
 * with X-Request-Id.
 */
export async function createHttpServer(options: HttpServerOptions) {
  const logger = options.logger as FastifyBaseLogger;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: bodyLimitBytes,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && requestIdPattern.test(given) ? given : randomUUID();
    },
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    frameworkErrors: routerRefusals(options.metrics),
    clientErrorHandler: clientErrorHandler(logger),
    // Fastify's own 503 while closing is not a problem document: the onRequest hook below answers.
    return503OnClosing: false,
    forceCloseConnections: options.forceCloseConnections ?? "idle",
    // We log one line per request ourselves (onResponse), with the request id under "requestId".
    logController: new Fastify.LogController({ requestIdLogLabel: "requestId", disableRequestLogging: true }),
    schemaController: schemaController(options.compileOnFirstUse ?? true),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.addSchema(ProblemSchema);
  // Bodies are JSON only: anything else, text/plain included, is 415 rather than a string to validate.
  app.removeContentTypeParser("text/plain");
  app.addHook("onRoute", documentBodyProblems);
  traceRequests(app);
  // Connections idle when close began are cut at once; a request still in flight finishes and its
  // connection then closes too (else the server would wait for the client's keep-alive to lapse).
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    // A request that arrives on a kept-alive connection while the server closes.
    if (closing) return sendProblem(reply, { code: "NOT_READY", detail: "shutting down" });
  });
  app.addHook("onSend", async (_request, reply) => {
    if (closing) reply.header("connection", "close");
  });
  app.addHook("onResponse", async (request, reply) => {
    const ctx = request.traceContext;
    if (ctx) endServerSpan(ctx, reply.statusCode);
    request.log.info(
      {
        // Given, as the response may finish outside the request's context.
        ...(ctx && correlationFields(ctx)),
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      "request",
    );
  });
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const failure = toFailure(error);
    if (failure.code === "INTERNAL_ERROR") request.log.error({ err: error }, "unhandled error");
    return sendProblem(reply, failure);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(reply, {
      code: "NOT_FOUND",
      detail: `no route ${request.method} ${request.url.split("?")[0]}`,
    }),
  );

  if (options.docs !== false) {
    await app.register(swagger, {
      openapi: {
        openapi: "3.0.3",
        info: { title: options.title, version: "1.0.0", description: options.description ?? "" },
        components: {
          securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
        },
      },
      refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
      transformObject: hoistNamedSchemas,
    });
    await app.register(swaggerUi, { routePrefix: "/docs" });
  }
  instrument(app, options.metrics);
  return app;
}

export type HttpServer = Awaited<ReturnType<typeof createHttpServer>>;

/**
 * Every request in a server span that continues the caller's traceparent, active (with the request
 * id as correlation id, which every log line of the request then carries) from its first hook to
 * its handler: Fastify runs what follows the body's stream events in the request's async context.
 */
function traceRequests(app: FastifyInstance) {
  app.decorateRequest("traceContext", null);
  app.addHook("onRequest", (request, _reply, done) => {
    const ctx = startServerSpan(request);
    request.traceContext = ctx;
    inContext(ctx, done);
  });
}

function toFailure(error: FastifyError): Failure {
  if (error instanceof ProblemError) return error.failure;
  // A path id that is not of the route's kind names nothing: the same 404 as an id that does not
  // exist (API.md), and it never reaches the database.
  if (error.validation && error.validationContext === "params") {
    return { code: "NOT_FOUND", detail: "no such resource" };
  }
  if (error.validation) {
    return {
      code: "VALIDATION_FAILED",
      detail: describeValidation(error.validation, error.validationContext ?? "request"),
    };
  }
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { code: "PAYLOAD_TOO_LARGE", detail: `the request body is larger than ${bodyLimitBytes} bytes` };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { code: "UNSUPPORTED_MEDIA_TYPE", detail: "send the body as application/json" };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { code: "VALIDATION_FAILED", detail: "the request body is empty; send a JSON object" };
  }
  if (error.statusCode === 429) return { code: "RATE_LIMITED", detail: "too many requests; try again later" };
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    const json = error instanceof SyntaxError || error.code === "FST_ERR_CTP_INVALID_JSON_BODY";
    return {
      code: "VALIDATION_FAILED",
      detail: json ? "the request body is not valid JSON" : "the request is malformed",
    };
  }
  return { code: "INTERNAL_ERROR", detail: "the request could not be completed; it is safe to retry" };
}
