import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Mypay } from "../app.js";
import { adminEmail, adminPassword, startTestMypay } from "../testing/mypay.js";

// The web app as the gateway serves it (src/gateway/web.ts): the security headers every page gets, the
// refresh cookie only the session routes see, and the refusals that make those routes CSRF-proof.
let mypay: Mypay;
before(async () => {
  mypay = await startTestMypay({}, { web: true });
});
after(() => mypay.close());

const page = (url: string, headers: Record<string, string> = {}) =>
  mypay.app.inject({ method: "GET", url, headers: { accept: "text/html", ...headers } });
const same = { "content-type": "application/json", "x-mypay-web": "1", origin: "http://localhost:80" };
const session = (path: string, payload: unknown, headers: Record<string, string> = {}) =>
  mypay.app.inject({
    method: "POST",
    url: `/web/auth/${path}`,
    payload: payload as Record<string, unknown>,
    headers: { ...same, host: "localhost:80", ...headers },
  });
const cookieOf = (res: { headers: Record<string, unknown> }) => {
  const raw = res.headers["set-cookie"];
  return (Array.isArray(raw) ? raw : [raw]).filter(Boolean).join("\n");
};
const tokenIn = (setCookie: string) => /mypay_refresh=([^;]*)/.exec(setCookie)?.[1] ?? "";

describe("pages", () => {
  test("the wallet, the merchant pages and the console are the shell, with a strict CSP", async () => {
    for (const path of [
      "/",
      "/merchant",
      "/admin",
      "/history",
      "/merchant/franchises/fra_x",
      "/admin/banks",
    ]) {
      const res = await page(path);
      assert.equal(res.statusCode, 200, path);
      assert.match(String(res.headers["content-type"]), /^text\/html/);
      assert.match(res.body, /<script type="module" crossorigin src="\/assets\/[^"]+\.js"><\/script>/);
      assert.doesNotMatch(res.body, /<script>|<script type="module">[^<]/, "no inline script");
      const csp = String(res.headers["content-security-policy"]);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /default-src 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(res.headers["x-frame-options"], "DENY");
      assert.equal(res.headers["x-content-type-options"], "nosniff");
      assert.match(String(res.headers["strict-transport-security"]), /max-age=\d+/);
      assert.match(String(res.headers["permissions-policy"]), /camera=\(self\), microphone=\(\)/);
      assert.equal(res.headers["cache-control"], "no-cache");
    }
  });

  test("the page's language follows Accept-Language", async () => {
    assert.match((await page("/", { "accept-language": "en-US,en;q=0.9" })).body, /<html lang="en">/);
    assert.match(
      (await page("/", { "accept-language": "ko-KR,ko;q=0.9,en;q=0.5" })).body,
      /<html lang="ko">/,
    );
  });

  test("assets are served with a long cache; what is no page stays a problem", async () => {
    const shell = (await page("/")).body;
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(shell)![1]!;
    const asset = await mypay.app.inject({ url: script });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers["content-type"]), /javascript/);
    assert.match(String(asset.headers["cache-control"]), /immutable/);
    for (const url of ["/v1/nothing-here", "/assets/nope.js", "/favicon.ico"]) {
      const res = await page(url);
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().code, "NOT_FOUND");
    }
    // An API client that does not ask for HTML gets the problem, not a page.
    const api = await mypay.app.inject({ url: "/history" });
    assert.equal(api.statusCode, 404);
    assert.match(String(api.headers["content-type"]), /problem\+json/);
  });
});

test("the pages' headers stay on the pages: the API and Swagger UI answer as before", async () => {
  const docs = await mypay.app.inject({ url: "/docs/json" });
  assert.equal(docs.statusCode, 200);
  assert.equal(docs.headers["content-security-policy"], undefined);
  const health = await mypay.app.inject({ url: "/health" });
  assert.equal(health.statusCode, 200);
  assert.equal(health.headers["x-frame-options"], undefined);
});

describe("the browser's session", () => {
  test("login puts the refresh token in an HttpOnly, SameSite=Strict cookie for /web/auth only", async () => {
    const res = await session("login", { email: adminEmail, password: adminPassword });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(typeof body.accessToken, "string");
    assert.equal(body.refreshToken, undefined, "the refresh token never reaches a script");
    const cookie = cookieOf(res);
    assert.match(cookie, /mypay_refresh=[^;]+/);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Strict/i);
    assert.match(cookie, /Path=\/web\/auth(;|$)/);
    assert.match(cookie, /Max-Age=\d+/);
    // Served on a host other than this machine, the cookie is for HTTPS only.
    const remote = await session(
      "login",
      { email: adminEmail, password: adminPassword },
      { host: "pay.example.com", origin: "https://pay.example.com" },
    );
    assert.match(cookieOf(remote), /Secure/);
    assert.doesNotMatch(cookie, /Secure/);
  });

  test("refresh rotates the cookie; a spent one is refused and clears it", async () => {
    const login = await session("login", { email: adminEmail, password: adminPassword });
    const first = tokenIn(cookieOf(login));
    const refreshed = await session("refresh", {}, { cookie: `mypay_refresh=${first}` });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const second = tokenIn(cookieOf(refreshed));
    assert.ok(second && second !== first);
    const me = await mypay.app.inject({
      url: "/v1/memberships/me",
      headers: { authorization: `Bearer ${refreshed.json().accessToken}` },
    });
    assert.equal(me.json().email, adminEmail);
    const replay = await session("refresh", {}, { cookie: `mypay_refresh=${first}` });
    assert.equal(replay.statusCode, 401);
    assert.equal(replay.json().code, "UNAUTHENTICATED");
    assert.match(cookieOf(replay), /mypay_refresh=;/);
    // The replay revoked the chain: the newer cookie is refused too.
    assert.equal((await session("refresh", {}, { cookie: `mypay_refresh=${second}` })).statusCode, 401);
  });

  test("no cookie is 401; logout clears the cookie", async () => {
    assert.equal((await session("refresh", {})).statusCode, 401);
    const login = await session("login", { email: adminEmail, password: adminPassword });
    const token = tokenIn(cookieOf(login));
    const out = await session("logout", {}, { cookie: `mypay_refresh=${token}` });
    assert.equal(out.statusCode, 204);
    assert.match(cookieOf(out), /mypay_refresh=;/);
  });

  test("wrong credentials pass the API's problem on and set no cookie", async () => {
    const res = await session("login", { email: adminEmail, password: "not-the-password" });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, "INVALID_CREDENTIALS");
    assert.equal(cookieOf(res), "");
  });

  test("a request from another site is refused and changes nothing (CSRF)", async () => {
    const login = await session("login", { email: adminEmail, password: adminPassword });
    const cookie = `mypay_refresh=${tokenIn(cookieOf(login))}`;
    const attempts: Array<[string, Record<string, string>]> = [
      ["no x-mypay-web header (a plain form post)", { "x-mypay-web": "" }],
      ["another origin", { origin: "https://evil.example" }],
      ["a cross-site fetch", { "sec-fetch-site": "cross-site" }],
    ];
    for (const [why, headers] of attempts) {
      const res = await session("refresh", {}, { cookie, ...headers });
      assert.equal(res.statusCode, 403, why);
      assert.equal(res.json().code, "FORBIDDEN", why);
      assert.equal(cookieOf(res), "", why);
    }
    // A form's text/plain body is not even read.
    const form = await mypay.app.inject({
      method: "POST",
      url: "/web/auth/refresh",
      payload: "x=1",
      headers: { "content-type": "text/plain", cookie, host: "localhost:80" },
    });
    assert.equal(form.statusCode, 415);
    // The cookie still works: nothing above spent it.
    assert.equal((await session("refresh", {}, { cookie })).statusCode, 200);
  });
});

test("the sandbox's test-account helper needs a login", async () => {
  const res = await mypay.app.inject({
    method: "POST",
    url: "/web/sandbox/accounts",
    payload: { bankCode: "004" },
  });
  assert.equal(res.statusCode, 401);
  assert.equal(res.json().code, "UNAUTHENTICATED");
});
