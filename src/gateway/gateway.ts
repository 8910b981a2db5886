import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from "cockatiel";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ErrorCode } from "../kernel/errors.js";
import { type Config, type ContextName, contextNames } from "../platform/config.js";
import { createMetrics } from "../platform/http/metrics.js";
import { registerOperations } from "../platform/http/operations.js";
import { sendProblem } from "../platform/http/problem.js";
import { createHttpServer, type HttpServer } from "../platform/http/server.js";
import type { Logger } from "../platform/logging.js";
import { traceHeaders } from "../platform/tracing.js";
import { mergeDocuments } from "./openapi.js";
import { ownerOf, sagaOwners } from "./routes.js";
import { registerWebApp, webAppOptions } from "./web.js";

/**
 * The gateway of the distributed deployment (MYPAY_CONTEXTS=gateway): the only public entry. It
 * routes each /v1 request by path to the context that serves it (MYPAY_SERVICE_URLS), merges the
 * staff lists every context keeps of its own, and serves one OpenAPI document merged from the
 * services' own. It holds no data: each service checks the access token itself. A service that
 * does not answer is 503 `<CONTEXT>_UNAVAILABLE`, at once while its breaker is open.
 */

export interface GatewayOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** How long one proxied request may take (the service's own bank waits included). */
  readonly requestTimeoutMs?: number;
  /** Serve the web app (on by default). */
  readonly web?: boolean;
}

export interface Gateway {
  readonly app: HttpServer;
  startBackground(): void;
  close(): Promise<void>;
}

class Unreachable extends Error {
  constructor(readonly context: ContextName) {
    super(`${context} did not answer`);
  }
}

// Hop-by-hop and recomputed headers are not passed on (RFC 9110 §7.6.1); fetch decodes a compressed
// answer itself, so its encoding is not passed on either.
const dropped = new Set([
  "accept-encoding",
  "content-encoding",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "host",
  "upgrade",
]);

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  // A request waits at most for one call to another service and two bank waits behind it.
  const timeoutMs = options.requestTimeoutMs ?? config.serviceTimeoutMs + 2 * config.bankTimeoutMs + 1_000;
  const urls = config.serviceUrls;
  for (const name of contextNames) {
    if (!urls[name])
      throw new Error(`MYPAY_SERVICE_URLS must give the URL of every context; ${name} has none`);
  }
  const breakers = Object.fromEntries(
    contextNames.map((name) => {
      const breaker = circuitBreaker(
        handleWhen((e) => e instanceof Unreachable),
        { halfOpenAfter: 2_000, breaker: new ConsecutiveBreaker(5) },
      );
      breaker.onStateChange((state) =>
        logger.warn({ service: name, state }, "gateway breaker changed state"),
      );
      return [name, breaker];
    }),
  ) as Record<ContextName, ReturnType<typeof circuitBreaker>>;

  const metrics = createMetrics();
  const app = await createHttpServer({
    logger,
    metrics,
    title: "mypay",
    description: "Easy payment (간편결제): prepaid money, remittance, payments, points and settlement.",
    docs: false,
  });
  let closing = false;
  registerOperations(app, {
    checks: Object.fromEntries(
      contextNames.map((name) => [
        name,
        async () => (breakers[name].state === CircuitState.Open ? "not answering" : undefined),
      ]),
    ),
    closing: () => closing,
  });

  /** One call to a service; Unreachable when it gives no answer. */
  async function call(name: ContextName, request: FastifyRequest, path: string): Promise<Response> {
    const { method } = request;
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.headers)) {
      if (typeof value === "string" && !dropped.has(key)) headers[key] = value;
    }
    headers["x-request-id"] = request.id;
    const before = request.headers["x-forwarded-for"];
    headers["x-forwarded-for"] = typeof before === "string" ? `${before}, ${request.ip}` : request.ip;
    // The gateway's span is the parent of the service's.
    Object.assign(headers, traceHeaders());
    const hasBody = method !== "GET" && method !== "HEAD" && request.body !== undefined;
    try {
      return await breakers[name].execute(async () => {
        try {
          return await fetch(`${urls[name]}${path}`, {
            method,
            headers,
            body: hasBody ? JSON.stringify(request.body) : undefined,
            signal: AbortSignal.timeout(timeoutMs),
            redirect: "manual",
          });
        } catch {
          throw new Unreachable(name);
        }
      });
    } catch (error) {
      if (error instanceof Unreachable) throw error;
      throw new Unreachable(name); // the breaker is open
    }
  }

  const unavailable = (reply: FastifyReply, name: ContextName) =>
    sendProblem(reply, {
      code: `${name.toUpperCase()}_UNAVAILABLE` as ErrorCode,
      detail: `the ${name} service cannot be reached now; try again (a request with the same Idempotency-Key is safe to repeat)`,
    });

  async function relay(reply: FastifyReply, response: Response) {
    reply.status(response.status);
    response.headers.forEach((value, key) => {
      if (!dropped.has(key)) reply.header(key, value);
    });
    return reply.send(Buffer.from(await response.arrayBuffer()));
  }

  const pathAndQuery = (request: FastifyRequest) => request.raw.url ?? request.url;

  // The staff lists each context keeps of its own: asked of every one that keeps them, merged.
  async function merged(
    request: FastifyRequest,
    reply: FastifyReply,
    owners: readonly ContextName[],
    order: (a: Item, b: Item) => number,
    idOf: (item: Item) => string,
  ) {
    const query = new URLSearchParams(pathAndQuery(request).split("?")[1] ?? "");
    const limit = Number(query.get("limit") ?? 20);
    // Asked of all at once; one that does not answer makes the whole list unavailable.
    const asked = await Promise.all(
      owners.map((name) =>
        call(name, request, pathAndQuery(request)).catch((error: unknown) => {
          if (error instanceof Unreachable) return error;
          throw error;
        }),
      ),
    );
    const unreachable = asked.find((a) => a instanceof Unreachable);
    if (unreachable) return unavailable(reply, unreachable.context);
    const answers = asked as Response[];
    const refused = answers.find((a) => a.status !== 200);
    if (refused) return relay(reply, refused);
    const lists = (await Promise.all(answers.map((a) => a.json()))) as Array<{
      items: Item[];
      nextCursor: string | null;
    }>;
    const all = lists.flatMap((l) => l.items).sort(order);
    const items = all.slice(0, limit);
    const more = all.length > limit || lists.some((l) => l.nextCursor !== null);
    return reply.send({
      items,
      nextCursor: more && items.length > 0 ? idOf(items[items.length - 1]!) : null,
    });
  }

  /** A staff action on an item one of the owners holds: the first that knows it answers. */
  async function firstKnowing(request: FastifyRequest, reply: FastifyReply, owners: readonly ContextName[]) {
    for (const name of owners) {
      let response: Response;
      try {
        response = await call(name, request, pathAndQuery(request));
      } catch {
        return unavailable(reply, name);
      }
      if (response.status !== 404) return relay(reply, response);
    }
    return sendProblem(reply, { code: "NOT_FOUND", detail: "there is no such item" });
  }

  type Item = Record<string, unknown>;
  const newestSagaFirst = (a: Item, b: Item) =>
    String(b.createdAt).localeCompare(String(a.createdAt)) || String(b.id).localeCompare(String(a.id));
  const newestLetterFirst = (a: Item, b: Item) =>
    String(b.deadLetterId).localeCompare(String(a.deadLetterId));
  const hidden = { schema: { hide: true } };
  app.get("/v1/admin/sagas", hidden, (request, reply) =>
    merged(request, reply, sagaOwners, newestSagaFirst, (i) => String(i.id)),
  );
  app.post("/v1/admin/sagas/:id/retry", hidden, (request, reply) => firstKnowing(request, reply, sagaOwners));
  app.get("/v1/admin/dead-letters", hidden, (request, reply) =>
    merged(request, reply, contextNames, newestLetterFirst, (i) => String(i.deadLetterId)),
  );
  app.post("/v1/admin/dead-letters/:id/replay", hidden, (request, reply) =>
    firstKnowing(request, reply, contextNames),
  );

  app.route({
    method: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    url: "/v1/*",
    schema: { hide: true },
    handler: async (request, reply) => {
      const path = pathAndQuery(request);
      const owner = ownerOf(path.split("?")[0]!);
      if (!owner) {
        return sendProblem(reply, {
          code: "NOT_FOUND",
          detail: `no route ${request.method} ${path.split("?")[0]}`,
        });
      }
      try {
        return await relay(reply, await call(owner, request, path));
      } catch {
        return unavailable(reply, owner);
      }
    },
  });

  // One OpenAPI document, merged from the services' own; asked again until every one has answered.
  let document: Record<string, unknown> | undefined;
  let complete = false;
  const docs = new Map<ContextName, Record<string, unknown>>();
  async function refreshDocs() {
    await Promise.all(
      contextNames
        .filter((name) => !docs.has(name))
        .map(async (name) => {
          try {
            const response = await fetch(`${urls[name]}/docs/json`, { signal: AbortSignal.timeout(5_000) });
            if (response.ok) docs.set(name, (await response.json()) as Record<string, unknown>);
          } catch {
            // Asked again on the next request for the document.
          }
        }),
    );
    complete = docs.size === contextNames.length;
    document = mergeDocuments(contextNames.flatMap((n) => (docs.has(n) ? [docs.get(n)!] : [])));
  }
  await app.register(swagger, {
    mode: "static",
    specification: { document: mergeDocuments([]) as never },
  });
  app.addHook("onRequest", async (request) => {
    if (!complete && request.url.startsWith("/docs/json")) await refreshDocs();
  });
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    transformSpecificationClone: false,
    transformSpecification: (original) => document ?? original,
  });
  if (options.web !== false) await registerWebApp(app, webAppOptions(config));
  await app.ready();

  return {
    app,
    startBackground() {
      void refreshDocs();
    },
    async close() {
      closing = true;
      await app.close();
    },
  };
}
