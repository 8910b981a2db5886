import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Mypay } from "./app.js";
import { errorCatalogue, errorCodes } from "./kernel/errors.js";
import { adminEmail, adminPassword, startTestMypay } from "./testing/mypay.js";
import { startWorld } from "./testing/world.js";

let mypay: Mypay;
before(async () => {
  mypay = await startTestMypay();
});
after(() => mypay.close());

type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>;
  components: {
    schemas: Record<string, { properties?: Record<string, { anyOf?: Array<{ enum?: string[] }> }> }>;
  };
};
const openapi = async () => (await mypay.app.inject({ url: "/docs/json" })).json() as OpenApi;
type Parameter = { in: string; name: string; required?: boolean; schema?: { default?: unknown } };

async function signIn(email: string, password: string) {
  const res = await mypay.app.inject({ method: "POST", url: "/v1/auth/login", payload: { email, password } });
  assert.equal(res.statusCode, 200, res.body);
  return { authorization: `Bearer ${res.json().accessToken}` };
}

// API.md's routes built so far (OpenAPI path syntax).
const contractRoutes = [
  ["post", "/v1/memberships"],
  ["post", "/v1/auth/login"],
  ["post", "/v1/auth/refresh"],
  ["post", "/v1/auth/validate"],
  ["get", "/v1/memberships/me"],
  ["get", "/v1/memberships/lookup"],
  ["get", "/v1/memberships/{id}"],
  ["patch", "/v1/memberships/{id}"],
  ["delete", "/v1/memberships/{id}"],
  ["get", "/v1/banks"],
  ["patch", "/v1/admin/banks/{bankCode}"],
  ["post", "/v1/bank-accounts"],
  ["get", "/v1/bank-accounts"],
  ["delete", "/v1/bank-accounts/{id}"],
  ["get", "/v1/firmbanking"],
  ["post", "/v1/franchises"],
  ["get", "/v1/franchises"],
  ["get", "/v1/franchises/{id}"],
  ["patch", "/v1/admin/franchises/{id}/commission"],
  ["get", "/v1/admin/franchises/{id}/commission-history"],
  ["get", "/v1/money/me"],
  ["post", "/v1/money/recharge"],
  ["post", "/v1/money/withdraw"],
  ["get", "/v1/money/history"],
  ["get", "/v1/money/recharges/{id}"],
  ["get", "/v1/money/withdrawals/{id}"],
  ["post", "/v1/remittances"],
  ["get", "/v1/remittances"],
  ["get", "/v1/remittances/{id}"],
  ["post", "/v1/payments"],
  ["get", "/v1/payments"],
  ["get", "/v1/payments/{id}"],
  ["post", "/v1/payments/{id}/cancel"],
  ["get", "/v1/points/me"],
  ["post", "/v1/admin/settlements/run"],
  ["get", "/v1/settlements"],
  ["get", "/v1/settlements/{id}"],
  ["get", "/v1/admin/sagas"],
  ["get", "/v1/admin/dead-letters"],
  ["post", "/v1/admin/dead-letters/{id}/replay"],
  ["get", "/v1/admin/stats/money"],
  ["get", "/v1/admin/ledger/trial-balance"],
  ["get", "/v1/admin/reconciliation"],
  ["get", "/v1/admin/members/{id}/activity"],
  ["get", "/health"],
  ["get", "/ready"],
  ["get", "/metrics"],
] as const;

describe("the OpenAPI document", () => {
  test("is OpenAPI 3 and lists every contract route with its responses", async () => {
    const doc = await openapi();
    assert.match(doc.openapi, /^3\./);
    for (const [method, path] of contractRoutes) {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${method.toUpperCase()} ${path} is missing from /docs/json`);
      const statuses = Object.keys(op.responses);
      assert.ok(
        statuses.some((s) => s.startsWith("2")),
        `${method} ${path} has no success response`,
      );
    }
  });

  test("every /v1 route declares its problem responses and JSON bodies have schemas", async () => {
    const doc = await openapi();
    for (const [path, ops] of Object.entries(doc.paths).filter(([p]) => p.startsWith("/v1"))) {
      for (const [method, op] of Object.entries(ops)) {
        const statuses = Object.keys(op.responses);
        assert.ok(statuses.includes("400"), `${method} ${path} does not declare 400`);
        assert.ok(statuses.includes("500"), `${method} ${path} does not declare 500`);
        if (method === "post" || method === "patch") {
          const body = JSON.stringify(op.requestBody ?? {});
          assert.match(body, /"schema"/, `${method} ${path} has no request body schema`);
        }
      }
    }
  });

  test("every error code of the catalogue has an HTTP status and appears in the document", async () => {
    const text = JSON.stringify(await openapi());
    for (const code of errorCodes) {
      const { status } = errorCatalogue[code];
      assert.ok(status >= 400 && status <= 599, `${code} has no error status`);
      assert.ok(text.includes(`"${code}"`), `${code} is not in /docs/json`);
    }
  });

  test("item 15: a query parameter with a default is optional, and the handler still gets the default", async () => {
    const doc = (await mypay.app.inject({ url: "/docs/json" })).json() as {
      paths: Record<string, Record<string, { parameters?: Parameter[] }>>;
    };
    const defaulted: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const p of (op.parameters ?? []).filter(
          (p) => p.in === "query" && p.schema?.default !== undefined,
        )) {
          defaulted.push(`${method} ${path} ${p.name}`);
          assert.notEqual(p.required, true, `${method} ${path}: ${p.name} has a default but is required`);
        }
      }
    }
    for (const name of [
      "get /v1/money/history limit",
      "get /v1/bank-accounts limit",
      "get /v1/admin/stats/money groupBy",
    ]) {
      assert.ok(defaulted.includes(name), `${name} is documented with its default`);
    }
    const staff = await signIn(adminEmail, adminPassword);
    const stats = await mypay.app.inject({ url: "/v1/admin/stats/money", headers: staff });
    assert.equal(stats.statusCode, 200, stats.body);
    const history = await mypay.app.inject({ url: "/v1/money/history", headers: staff });
    assert.equal(history.statusCode, 200, history.body);
    assert.deepEqual(history.json().items, []);
  });

  test("item 15: components.schemas names the type of every /v1 success response, by $ref", async () => {
    const doc = await openapi();
    const named = Object.keys(doc.components.schemas);
    for (const type of [
      "Membership",
      "Session",
      "Bank",
      "BankAccount",
      "Recharge",
      "Withdrawal",
      "Franchise",
      "CommissionHistory",
      "Problem",
    ]) {
      assert.ok(named.includes(type), `components.schemas has no ${type} (it has ${named.join(", ")})`);
    }
    for (const [path, ops] of Object.entries(doc.paths).filter(([p]) => p.startsWith("/v1"))) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, response] of Object.entries(op.responses).filter(([s]) => s.startsWith("2"))) {
          const content = (response as { content?: Record<string, { schema: { $ref?: string } }> }).content;
          if (!content) continue; // 204: no body
          const ref = content["application/json"]?.schema.$ref;
          assert.match(
            String(ref),
            /^#\/components\/schemas\//,
            `${method} ${path} ${status} is not a named schema`,
          );
          const name = String(ref).split("/").at(-1) ?? "";
          assert.ok(
            doc.components.schemas[name],
            `${method} ${path} ${status}: ${ref} is not in components.schemas`,
          );
        }
      }
    }
  });

  test("Swagger UI is served at /docs", async () => {
    const res = await mypay.app.inject({ url: "/docs/" });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /swagger/i);
  });
});

describe("the HTTP edge", () => {
  test("echoes a request id or makes one, on every response", async () => {
    const given = await mypay.app.inject({ url: "/health", headers: { "x-request-id": "req-abc-123" } });
    assert.equal(given.headers["x-request-id"], "req-abc-123");
    const made = await mypay.app.inject({ url: "/nowhere" });
    assert.match(String(made.headers["x-request-id"]), /^[0-9a-f-]{36}$/);
  });

  test("an unknown route is a 404 problem", async () => {
    const res = await mypay.app.inject({ url: "/v1/nothing-here" });
    assert.equal(res.statusCode, 404);
    assert.match(String(res.headers["content-type"]), /^application\/problem\+json/);
    assert.equal(res.json().code, "NOT_FOUND");
  });

  const register = (payload: string, contentType = "application/json") =>
    mypay.app.inject({
      method: "POST",
      url: "/v1/memberships",
      payload,
      headers: { "content-type": contentType },
    });

  test("malformed JSON is a 400 that says so, without internals", async () => {
    const res = await register('{"name": "Kim", ');
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, "VALIDATION_FAILED");
    assert.match(res.json().detail, /not valid JSON/);
    assert.doesNotMatch(res.body, /at .*\.(ts|js):\d+|SELECT|INSERT/);
  });

  test("a body over 64 KiB is refused with 413", async () => {
    const res = await register(JSON.stringify({ name: "x".repeat(70 * 1024) }));
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().code, "PAYLOAD_TOO_LARGE");
  });

  test("a body that is not JSON is refused with 415", async () => {
    const res = await register("name=Kim", "application/x-www-form-urlencoded");
    assert.equal(res.statusCode, 415);
    assert.equal(res.json().code, "UNSUPPORTED_MEDIA_TYPE");
  });

  test("SQL-looking text is stored as text, verbatim, and harms nothing", async () => {
    const name = "Robert'); DROP TABLE membership.members;--";
    const res = await register(
      JSON.stringify({
        name,
        email: "bobby@example.com",
        password: "tables-are-fine",
        region: "서울 '--",
        type: "personal",
      }),
    );
    assert.equal(res.statusCode, 201);
    assert.equal(res.json().name, name);
    const login = await mypay.app.inject({
      method: "POST",
      url: "/v1/auth/login",
      payload: { email: "bobby@example.com", password: "tables-are-fine" },
    });
    assert.equal(login.statusCode, 200);
  });

  test("prototype-poisoning bodies are refused", async () => {
    const res = await register('{"__proto__": {"admin": true}, "name": "Kim"}');
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, "VALIDATION_FAILED");
  });
});

describe("operations", () => {
  test("/ready is 503 naming banking while the bank has not set up its contracts; 200 once it has", async () => {
    // This instance's bank (the default URL) does not answer: a member linking now would be refused.
    assert.equal((await mypay.app.inject({ url: "/health" })).json().status, "ok");
    const waiting = await mypay.app.inject({ url: "/ready" });
    assert.equal(waiting.statusCode, 503);
    assert.equal(waiting.json().code, "NOT_READY");
    assert.match(waiting.json().checks.banking, /waiting for the bank/);
    assert.equal(waiting.json().checks.database, "ok");
    const world = await startWorld();
    try {
      const ready = await world.mypay.app.inject({ url: "/ready" });
      assert.equal(ready.statusCode, 200);
      assert.deepEqual(ready.json().checks, { database: "ok", eventBus: "ok", banking: "ok" });
    } finally {
      await world.close();
    }
  });

  test("/metrics counts requests per route and exposes process metrics", async () => {
    await mypay.app.inject({ url: "/health" });
    const text = (await mypay.app.inject({ url: "/metrics" })).body;
    assert.match(text, /http_requests_total\{method="GET",route="\/health",status="200"\} \d+/);
    assert.match(text, /http_request_duration_seconds_bucket/);
    assert.match(text, /process_cpu_user_seconds_total/);
    // Staff can see how well money's group commit batches (requests ÷ batches).
    assert.match(text, /mypay_ledger_batches_total \d+/);
    assert.match(text, /mypay_ledger_batched_requests_total \d+/);
  });
});
