import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths } from "./schema.js";
/** An RFC 9457 error answer: `code` is the stable UPPER_SNAKE name to act on. */
export type Problem = components["schemas"]["Problem"];
export type ProblemCode = Problem["code"];

export interface MypayClientOptions {
  /** The gateway, e.g. http://127.0.0.1:8080 (paths start with /v1). */
  baseUrl: string;
  /** Sent as `authorization: Bearer …` on every request that does not set its own. */
  accessToken?: string;
  fetch?: (request: Request) => Promise<Response>;
}

/** openapi-fetch's client, typed by mypay's OpenAPI document, with the token it sends. */
export type MypayClient = Client<paths> & {
  readonly accessToken: string | undefined;
  /** The same client signed in as someone else (or nobody): a new client; this one is unchanged. */
  withToken(accessToken: string | undefined): MypayClient;
};

const bearer = (token: string): Middleware => ({
  onRequest({ request }) {
    if (!request.headers.has("authorization")) request.headers.set("authorization", `Bearer ${token}`);
    return request;
  },
});

export function createMypayClient(options: MypayClientOptions): MypayClient {
  const { baseUrl, accessToken, fetch } = options;
  const client = createClient<paths>({ baseUrl, ...(fetch ? { fetch } : {}) });
  if (accessToken) client.use(bearer(accessToken));
  return Object.assign(client, {
    accessToken,
    withToken: (token: string | undefined) => createMypayClient({ ...options, accessToken: token }),
  });
}

/** A fresh `Idempotency-Key`: send the same one again only to retry the same request. */
export const newIdempotencyKey = (): string => crypto.randomUUID();

/** What every openapi-fetch call resolves to: the parsed body under `data` or `error`, and the response. */
export interface Answer<Data> {
  data?: Data;
  error?: unknown;
  response: Response;
}

/** Thrown by expectOk for an answer that is not 2xx; `problem` is its problem+json body, if it had one. */
export class MypayProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    readonly body: unknown,
  ) {
    super(
      `mypay answered ${status}${problem ? ` ${problem.code}: ${problem.detail}` : `: ${JSON.stringify(body)}`}`,
    );
    this.name = "MypayProblemError";
  }
}

const isProblem = (body: unknown): body is Problem =>
  typeof body === "object" && body !== null && typeof (body as { code?: unknown }).code === "string";

/** The problem of an answer that is not 2xx, or undefined for a success (or a body that is no problem). */
export function problemOf(answer: Answer<unknown>): Problem | undefined {
  if (answer.response.ok) return undefined;
  return isProblem(answer.error) ? answer.error : undefined;
}

/** The body of a 2xx answer; anything else throws MypayProblemError with the problem's code. */
export function expectOk<Data>(answer: Answer<Data>): Data {
  if (!answer.response.ok) {
    throw new MypayProblemError(answer.response.status, problemOf(answer), answer.error);
  }
  return answer.data as Data;
}
