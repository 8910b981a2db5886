// The web app (issue 10), served by the gateway (and by the one embedded process): the built files of
// web/, the HTML shell for the wallet (/), the merchant pages (/merchant) and the staff console
// (/admin), with strict security headers, and the browser's session routes under /web/auth.
//
// Sessions: the access token lives in the page's memory only. The refresh token is an HttpOnly,
// SameSite=Strict cookie whose Path is /web/auth, so no script can read it and the browser sends it to
// nothing but these routes. They are CSRF-proof three times over: the cookie is SameSite=Strict; each
// route wants the header `x-mypay-web`, which no cross-site form can send and no cross-site script may
// send without a CORS preflight that nothing here answers; and a cross-site Origin or Sec-Fetch-Site is
// refused. Every /v1 route takes the bearer token only, so no ambient credential reaches them at all.
// These routes call the public /v1/auth routes through the same server (inject), so they work alike in
// the embedded process and behind the gateway.
import { existsSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyCookie from "@fastify/cookie";
import fastifyHelmet from "@fastify/helmet";
import fastifyStatic from "@fastify/static";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../platform/config.js";
import { sendProblem } from "../platform/http/problem.js";

export const webDistDir = fileURLToPath(new URL("../../web/dist/", import.meta.url));
const cookieName = "mypay_refresh";
const cookiePath = "/web/auth";
/** Paths that are never the web app's, whatever the browser accepts. */
const notPages = /^\/(v1|internal|web|assets|docs|health|ready|metrics)(\/|$)/;

export interface WebAppOptions {
  refreshTokenTtlSeconds: number;
  /** The sandbox bank, when this machine runs one: the wallet may then open a test account in it. */
  sandboxBankUrl?: string | undefined;
  /** Figures the pages show (the recharge step is API.md's 10,000 won). */
  limits: { balanceCap: number; transactionLimit: number; remittanceFee: number };
  /** Where the built files are; web/dist by default. */
  dir?: string;
}

/** Whether a bank URL is this machine's (the sandbox bank in development and tests). */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "[::1]" || host === "::1";
}

/** The web app's settings from the process's configuration. */
export const webAppOptions = (config: Config): WebAppOptions => ({
  refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
  sandboxBankUrl: isLoopback(config.bankUrl) ? config.bankUrl.replace(/\/+$/, "") : undefined,
  limits: {
    balanceCap: config.balanceCap,
    transactionLimit: config.transactionLimit,
    remittanceFee: config.remittanceFee,
  },
});

const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 128 }),
  },
  { additionalProperties: false },
);
const NoBody = Type.Object({}, { additionalProperties: false });
const SandboxBody = Type.Object(
  { bankCode: Type.String({ pattern: "^[0-9]{3}$" }) },
  { additionalProperties: false },
);

export async function registerWebApp(app: FastifyInstance, options: WebAppOptions): Promise<void> {
  const dir = options.dir ?? webDistDir;
  const shellFile = `${dir}index.html`;
  const built = existsSync(shellFile);
  // Read again when a build replaced it (npm start rebuilds a stale web/dist): the shell names the
  // assets of its own build.
  let cached: { mtimeMs: number; text: string } | undefined;
  const readShell = (): string | undefined => {
    try {
      const { mtimeMs } = statSync(shellFile);
      if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, text: readFileSync(shellFile, "utf8") };
      return cached.text;
    } catch {
      return undefined;
    }
  };

  await app.register(async (web) => {
    await web.register(fastifyHelmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", "data:", "blob:"],
          mediaSrc: ["'self'", "blob:"],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          workerSrc: ["'none'"],
          manifestSrc: ["'self'"],
        },
      },
      permittedCrossDomainPolicies: { permittedPolicies: "none" },
      referrerPolicy: { policy: "no-referrer" },
      frameguard: { action: "deny" },
    });
    // The camera is asked for only by the pay page's QR scanner; nothing else of the device.
    web.addHook("onSend", async (_request, reply) => {
      reply.header("permissions-policy", "camera=(self), microphone=(), geolocation=(), payment=()");
    });
    await web.register(fastifyCookie);

    if (built) {
      await web.register(fastifyStatic, {
        root: `${dir}assets`,
        prefix: "/assets/",
        decorateReply: false,
        index: false,
        // Their names carry a hash of their content: a new build has new names.
        immutable: true,
        maxAge: "365d",
        schemaHide: true,
      });
    }

    const sendShell = (request: FastifyRequest, reply: FastifyReply) => {
      const shell = readShell();
      if (!shell)
        return sendProblem(reply, {
          code: "NOT_READY",
          detail: "the web app is not built: run npm install (or npm run build)",
        });
      return reply
        .header("cache-control", "no-cache")
        .type("text/html; charset=utf-8")
        .send(shell.replace('<html lang="ko">', `<html lang="${prefersKorean(request) ? "ko" : "en"}">`));
    };
    const hidden = { hide: true };
    for (const path of ["/", "/merchant", "/admin"]) web.get(path, { schema: hidden }, sendShell);
    // The pages' own paths (/history, /merchant/franchises/…): the shell, for a browser asking for a page.
    web.get("/*", { schema: hidden }, async (request, reply) => {
      const path = request.url.split("?")[0] ?? "/";
      const wantsPage = (request.headers.accept ?? "").includes("text/html");
      if (!wantsPage || notPages.test(path) || /\.[a-z0-9]+$/i.test(path))
        return sendProblem(reply, { code: "NOT_FOUND", detail: `no route ${request.method} ${path}` });
      return sendShell(request, reply);
    });

    registerSessionRoutes(web, options);
    web.get("/web/config", { schema: hidden }, async (_request, reply) =>
      reply
        .header("cache-control", "no-store")
        .send({ sandbox: Boolean(options.sandboxBankUrl), ...options.limits }),
    );
    if (options.sandboxBankUrl) registerSandboxRoute(web, options.sandboxBankUrl);
  });
}

const prefersKorean = (request: FastifyRequest): boolean => {
  const accept = (request.headers["accept-language"] ?? "ko").toLowerCase();
  const ko = accept.indexOf("ko");
  const en = accept.indexOf("en");
  return ko !== -1 && (en === -1 || ko < en);
};

/** Refuses a request that did not come from this origin's own pages. */
function crossSite(request: FastifyRequest): string | undefined {
  if (request.headers["x-mypay-web"] !== "1") return "the x-mypay-web header is missing";
  const site = request.headers["sec-fetch-site"];
  if (typeof site === "string" && site !== "same-origin" && site !== "none") return "a cross-site request";
  const origin = request.headers.origin;
  if (typeof origin === "string") {
    // The Host header as the origin would write it (a default port left out).
    let same = false;
    try {
      const from = new URL(origin);
      same = from.host === new URL(`${from.protocol}//${request.headers.host ?? ""}`).host;
    } catch {
      same = false;
    }
    if (!same) return "a cross-origin request";
  }
  return undefined;
}

function registerSessionRoutes(web: FastifyInstance, options: WebAppOptions) {
  const secure = (request: FastifyRequest) => {
    const host = (request.headers.host ?? "").replace(/:\d+$/, "");
    return !(host === "127.0.0.1" || host === "localhost" || host === "[::1]");
  };
  const setCookie = (request: FastifyRequest, reply: FastifyReply, token: string) =>
    reply.setCookie(cookieName, token, {
      httpOnly: true,
      sameSite: "strict",
      path: cookiePath,
      secure: secure(request),
      maxAge: options.refreshTokenTtlSeconds,
    });
  const clearCookie = (request: FastifyRequest, reply: FastifyReply) =>
    reply.clearCookie(cookieName, {
      httpOnly: true,
      sameSite: "strict",
      path: cookiePath,
      secure: secure(request),
    });

  const guard = async (request: FastifyRequest, reply: FastifyReply) => {
    const why = crossSite(request);
    if (why) return sendProblem(reply, { code: "FORBIDDEN", detail: `refused: ${why}` });
  };
  const forward = (request: FastifyRequest, url: string, payload: unknown) =>
    request.server.inject({
      method: "POST",
      url,
      payload: payload as Record<string, unknown>,
      headers: {
        "content-type": "application/json",
        "x-request-id": request.id,
        "x-forwarded-for": request.ip,
        ...(typeof request.headers["user-agent"] === "string"
          ? { "user-agent": request.headers["user-agent"] }
          : {}),
      },
    });
  /** The answer of a /v1/auth route passed on, its refresh token moved into the cookie. */
  const answer = (
    request: FastifyRequest,
    reply: FastifyReply,
    res: Awaited<ReturnType<typeof forward>>,
    refused?: "clear the cookie",
  ) => {
    if (res.statusCode !== 200) {
      // A refresh token refused (spent, revoked, expired) is of no more use to keep.
      if (res.statusCode === 401 && refused) clearCookie(request, reply);
      return reply
        .status(res.statusCode)
        .type(String(res.headers["content-type"] ?? "application/problem+json"))
        .send(res.body);
    }
    const tokens = res.json() as { accessToken: string; refreshToken: string; expiresIn: number };
    setCookie(request, reply, tokens.refreshToken);
    return reply
      .header("cache-control", "no-store")
      .send({ accessToken: tokens.accessToken, expiresIn: tokens.expiresIn });
  };
  const hidden = { hide: true };

  web.post(
    "/web/auth/login",
    { schema: { ...hidden, body: LoginBody }, preHandler: guard },
    async (request, reply) => answer(request, reply, await forward(request, "/v1/auth/login", request.body)),
  );
  web.post(
    "/web/auth/refresh",
    { schema: { ...hidden, body: NoBody }, preHandler: guard },
    async (request, reply) => {
      const token = request.cookies[cookieName];
      if (!token) return sendProblem(reply, { code: "UNAUTHENTICATED", detail: "no session" });
      const res = await forward(request, "/v1/auth/refresh", { refreshToken: token });
      return answer(request, reply, res, "clear the cookie");
    },
  );
  web.post(
    "/web/auth/logout",
    { schema: { ...hidden, body: NoBody }, preHandler: guard },
    async (request, reply) => {
      const token = request.cookies[cookieName];
      if (token) await forward(request, "/v1/auth/logout", { refreshToken: token });
      clearCookie(request, reply);
      return reply.status(204).send();
    },
  );
}

function registerSandboxRoute(web: FastifyInstance, bankUrl: string) {
  // The sandbox bank opens a test account in the signed-in member's name, with money to recharge from.
  web.post(
    "/web/sandbox/accounts",
    { schema: { hide: true, body: SandboxBody } },
    async (request: FastifyRequest<{ Body: { bankCode: string } }>, reply) => {
      const authorization = request.headers.authorization;
      if (!authorization) return sendProblem(reply, { code: "UNAUTHENTICATED", detail: "log in first" });
      const me = await request.server.inject({
        method: "GET",
        url: "/v1/memberships/me",
        headers: { authorization, "x-request-id": request.id },
      });
      if (me.statusCode !== 200)
        return reply.status(me.statusCode).type("application/problem+json").send(me.body);
      const { name } = me.json() as { name: string };
      try {
        const res = await fetch(`${bankUrl}/accounts`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ bankCode: request.body.bankCode, holderName: name, balance: 5_000_000 }),
          signal: AbortSignal.timeout(5_000),
        });
        if (!res.ok)
          return sendProblem(reply, { code: "BANK_NOT_SUPPORTED", detail: "the sandbox bank refused" });
        const account = (await res.json()) as Record<string, unknown>;
        return reply.status(201).send({
          bankCode: account.bankCode,
          accountNumber: account.accountNumber,
          holderName: account.holderName,
          balance: account.balance,
        });
      } catch {
        return sendProblem(reply, { code: "BANK_UNAVAILABLE", detail: "the sandbox bank is not answering" });
      }
    },
  );
}
