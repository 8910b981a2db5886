import { timingSafeEqual } from "node:crypto";
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  wrap,
} from "cockatiel";
import { type ErrorCode, ProblemError } from "../kernel/errors.js";
import {
  type Contract,
  checksOf,
  fromWire,
  type Implementation,
  type Operation,
  toWire,
} from "./contract.js";
import type { HttpServer } from "./http/server.js";
import type { Logger } from "./logging.js";

/**
 * A contract over HTTP (the distributed deployment): `serveContract` mounts one internal route per
 * operation, `contractClient` calls them. Internal routes live under /internal, are left out of the
 * OpenAPI document, are never routed by the gateway, and take only the service token.
 */

export const internalPrefix = "/internal";

export const pathOf = (contract: Contract, operation: string) =>
  `${internalPrefix}/${contract.context}/${operation}`;

/** The code a caller gets when a context does not answer: MONEY_UNAVAILABLE and so on. */
export const unavailableCode = (contract: Contract) =>
  `${contract.context.toUpperCase()}_UNAVAILABLE` as ErrorCode;

/**
 * Another service did not give an answer. NOT_SENT: the call never reached it (refused connection,
 * open breaker), so nothing happened. UNKNOWN: it may have been done (a timeout, a reset, a 5xx):
 * ask again with the same id, never guess. Thrown, not answered, so that a saga step retries it, and
 * a request shows it as 503 `<CONTEXT>_UNAVAILABLE`.
 */
export class ServiceUnavailableError extends ProblemError {
  readonly outcome: "NOT_SENT" | "UNKNOWN";
  constructor(contract: Contract, outcome: "NOT_SENT" | "UNKNOWN", why: string) {
    super({
      code: unavailableCode(contract),
      detail: `the ${contract.context} service cannot be reached now; try again`,
    });
    this.outcome = outcome;
    this.message = `${contract.context}: ${outcome}: ${why}`;
  }
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith("Bearer ") ? header.slice(7) : "");
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Mounts the contract's operations on this process's server, answered by `impl`. */
export function serveContract<C extends Contract>(
  app: HttpServer,
  contract: C,
  impl: Implementation<C>,
  token: string,
) {
  for (const [name, operation] of Object.entries(contract.operations)) {
    const checks = checksOf(operation);
    const call = (impl as Record<string, (...args: unknown[]) => Promise<unknown>>)[name]!;
    app.post(pathOf(contract, name), { schema: { hide: true } }, async (request, reply) => {
      if (!tokenMatches(request.headers.authorization, token)) {
        throw new ProblemError({ code: "UNAUTHENTICATED", detail: "a service token is required" });
      }
      const body = request.body as { args?: unknown } | null;
      const args = Array.isArray(body?.args) ? body.args.map(fromWire) : undefined;
      const wrong = args ? checks.args(args) : "the body must be {args: [...]}";
      if (wrong) throw new ProblemError({ code: "VALIDATION_FAILED", detail: `${name}: ${wrong}` });
      const answer = await call.apply(impl, args!);
      return reply.header("content-type", "application/json").send(JSON.stringify({ value: toWire(answer) }));
    });
  }
}

export interface ClientOptions {
  readonly baseUrl: string;
  readonly token: string;
  /** How long one attempt waits for the answer. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Attempts of a safe operation before the caller hears UNKNOWN (default 3). */
  readonly attempts?: number;
  /** Consecutive failures that open the breaker, and how long it stays open. */
  readonly breakAfter?: number;
  readonly halfOpenAfterMs?: number;
  /** Headers to add to every call (trace context). */
  readonly headers?: () => Record<string, string>;
}

export interface ContractClient<C extends Contract> {
  readonly api: Implementation<C>;
  /** False while the breaker is open: calls fail at once with NOT_SENT. */
  available(): boolean;
}

/** Whether the error says the connection was never made: the request cannot have been received. */
function neverSent(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } })?.cause?.code;
  return code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN";
}

/** The typed HTTP client of a contract: timeouts, retries of safe operations, a circuit breaker. */
export function contractClient<C extends Contract>(contract: C, options: ClientOptions): ContractClient<C> {
  const breaker = circuitBreaker(
    handleWhen((e) => e instanceof ServiceUnavailableError),
    {
      halfOpenAfter: options.halfOpenAfterMs ?? 2_000,
      breaker: new ConsecutiveBreaker(options.breakAfter ?? 5),
    },
  );
  breaker.onStateChange((state) =>
    options.logger.warn({ service: contract.context, state }, "service circuit breaker changed state"),
  );
  const retrying = retry(
    handleWhen((e) => e instanceof ServiceUnavailableError),
    {
      maxAttempts: (options.attempts ?? 3) - 1,
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 400 }),
    },
  );
  const safe = wrap(retrying, breaker);

  async function attempt(name: string, operation: Operation, args: readonly unknown[]): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${options.baseUrl}${pathOf(contract, name)}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${options.token}`,
          ...options.headers?.(),
        },
        body: JSON.stringify({ args: args.map(toWire) }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const sent = neverSent(error) ? "NOT_SENT" : "UNKNOWN";
      throw new ServiceUnavailableError(contract, sent, `${name}: ${(error as Error).message}`);
    }
    let body: { value?: unknown; code?: string };
    try {
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw new ServiceUnavailableError(
        contract,
        "UNKNOWN",
        `${name}: unreadable answer (${(error as Error).message})`,
      );
    }
    if (response.status >= 500) {
      throw new ServiceUnavailableError(contract, "UNKNOWN", `${name}: ${response.status} ${body.code}`);
    }
    if (response.status !== 200) {
      // A wrong token or arguments: a fault of ours, which no retry mends.
      throw new Error(`${contract.context}.${name} was refused: ${response.status} ${body.code}`);
    }
    const wrong = checksOf(operation).answer(body.value);
    if (wrong) throw new Error(`${contract.context}.${name} answered outside its contract: ${wrong}`);
    return fromWire(body.value);
  }

  const api = Object.fromEntries(
    Object.entries(contract.operations).map(([name, operation]) => [
      name,
      async (...args: unknown[]) => {
        try {
          return await (operation.retry ? safe : breaker).execute(() => attempt(name, operation, args));
        } catch (error) {
          if (error instanceof BrokenCircuitError) {
            throw new ServiceUnavailableError(contract, "NOT_SENT", `${name}: the breaker is open`);
          }
          throw error;
        }
      },
    ]),
  ) as unknown as Implementation<C>;
  return { api, available: () => breaker.state !== CircuitState.Open };
}
