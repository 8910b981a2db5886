import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import type { Mypay } from "./app.js";
import { errorCatalogue, errorCodes } from "./kernel/errors.js";
import { adminEmail, adminPassword, startTestMypay } from "./testing/mypay.js";

// The HTTP edge as a client (or a fuzzer) meets it: every answer is problem+json from the catalogue,
// carries X-Request-Id, and nothing malformed reaches the database.

let mypay: Mypay;
let staff: Record<string, string>;
before(async () => {
  mypay = await startTestMypay();
  const login = await mypay.app.inject({
    method: "POST",
    url: "/v1/auth/login",
    payload: { email: adminEmail, password: adminPassword },
  });
  staff = { authorization: `Bearer ${login.json().accessToken}` };
});
after(() => mypay.close());

type Answer = { statusCode: number; headers: Record<string, unknown>; body: string };

/** A problem+json answer with a catalogue code, its status, and X-Request-Id; returns the code. */
function assertProblem(res: Answer, status: number, what: string): string {
  const context = `${what}: ${res.statusCode} ${res.body}`;
  assert.equal(res.statusCode, status, context);
  assert.match(String(res.headers["content-type"]), /^application\/problem\+json/, context);
  assert.ok(res.headers["x-request-id"], `${context}: no X-Request-Id`);
  const body = JSON.parse(res.body) as { code: keyof typeof errorCatalogue; status: number };
  assert.ok(errorCodes.includes(body.code), `${context}: not a catalogue code`);
  assert.equal(errorCatalogue[body.code].status, status, context);
  assert.equal(body.status, status, context);
  return body.code;
}

type Operation = { requestBody?: unknown };
const openapi = async () =>
  (await mypay.app.inject({ url: "/docs/json" })).json() as {
    paths: Record<string, Record<string, Operation>>;
  };

const hex32 = "0190f0c4d6a87c3a9d1e2b3c4d5e6f70";
const junkIds = [
  "%00",
  `mem_${hex32.slice(0, 16)}%00${hex32.slice(16)}`,
  "0123456789abcdef0123456789abcdef01234567",
  `zzz_${hex32}`,
  `pay_${hex32}`,
  encodeURIComponent("1' OR '1'='1"),
  encodeURIComponent("'; DROP TABLE membership.members;--"),
];

describe("path ids", () => {
  test("item 10: every route with a path id answers a malformed id with 404 NOT_FOUND, never 500", async () => {
    const doc = await openapi();
    const routes = Object.entries(doc.paths).filter(([path]) => path.includes("{"));
    assert.ok(routes.length >= 5, "the document lists the routes with path parameters");
    let calls = 0;
    for (const [path, ops] of routes) {
      for (const [method, op] of Object.entries(ops)) {
        for (const junk of junkIds) {
          const url = path.replaceAll(/\{[^}]+\}/g, junk);
          const what = `${method.toUpperCase()} ${url}`;
          const payload = op.requestBody ? {} : undefined;
          const signedOut = await mypay.app.inject({ method: method.toUpperCase() as "GET", url, payload });
          assert.equal(assertProblem(signedOut, 401, what), "UNAUTHENTICATED");
          const res = await mypay.app.inject({
            method: method.toUpperCase() as "GET",
            url,
            payload,
            headers: staff,
          });
          assert.equal(assertProblem(res, 404, what), "NOT_FOUND");
          calls += 1;
        }
      }
    }
    assert.ok(calls >= 7 * junkIds.length, "every operation with a path id was called");
    // The staff member the walk used is still there: no DELETE reached the database with junk.
    const me = await mypay.app.inject({ url: "/v1/memberships/me", headers: staff });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().status, "ACTIVE");
  });
});

describe("framework refusals", () => {
  test("item 11: a URL that is not valid percent-encoding is a problem with a request id", async () => {
    for (const url of ["/v1/memberships/%C0%AE", "/v1/%E0%A4%A", "/v1/bank-accounts/%"]) {
      const res = await mypay.app.inject({ url, headers: staff });
      assert.equal(assertProblem(res, 400, url), "VALIDATION_FAILED");
      assert.doesNotMatch(res.body, /FST_ERR/);
    }
  });

  test("item 11: a path id over the router's length limit is 404 NOT_FOUND, not 414", async () => {
    for (const url of [
      `/v1/memberships/mem_${"a".repeat(120)}`,
      `/v1/money/recharges/rch_${"%41".repeat(101)}`,
    ]) {
      const res = await mypay.app.inject({ url, headers: staff });
      assert.equal(assertProblem(res, 404, url), "NOT_FOUND");
      assert.doesNotMatch(res.body, /FST_ERR/);
    }
  });

  test("item 11: an unknown route or method, and a poisoned body, are problems with a request id", async () => {
    assert.equal(
      assertProblem(await mypay.app.inject({ url: "/nowhere" }), 404, "GET /nowhere"),
      "NOT_FOUND",
    );
    const put = await mypay.app.inject({ method: "PUT", url: "/v1/banks", payload: {} });
    assert.equal(assertProblem(put, 404, "PUT /v1/banks"), "NOT_FOUND");
    const poisoned = await mypay.app.inject({
      method: "POST",
      url: "/v1/memberships",
      headers: { "content-type": "application/json" },
      payload: '{"constructor": {"prototype": {"admin": true}}}',
    });
    assert.equal(assertProblem(poisoned, 400, "constructor poisoning"), "VALIDATION_FAILED");
  });

  test("item 11: malformed HTTP on a real socket gets a problem with a request id, then the close", async () => {
    await mypay.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = mypay.app.server.address() as { port: number };
    const raw = async (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, "127.0.0.1", () => socket.write(request));
        let text = "";
        socket.on("data", (d) => {
          text += d;
        });
        socket.on("error", reject);
        socket.on("close", () => resolve(text));
      });
    const malformed = [
      "GET /health HTTP/1.1\r\nHost: x\r\nNot a header\r\n\r\n",
      "BREW /health HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /health HTTP/9.9\r\n\r\n",
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
    ];
    for (const request of malformed) {
      const text = await raw(request);
      const [head = "", body = ""] = text.split("\r\n\r\n");
      const headers = Object.fromEntries(
        head
          .split("\r\n")
          .slice(1)
          .map((line) => [
            line.slice(0, line.indexOf(":")).toLowerCase(),
            line.slice(line.indexOf(":") + 1).trim(),
          ]),
      );
      const statusCode = Number(head.split(" ")[1]);
      assert.equal(
        assertProblem({ statusCode, headers, body }, 400, JSON.stringify(request.slice(0, 40))),
        "VALIDATION_FAILED",
      );
      assert.match(String(headers["x-request-id"]), /^[0-9a-f-]{36}$/);
      assert.equal(headers.connection, "close");
    }
  });
});

describe("request bodies", () => {
  test("item 12: every body that is not JSON is 415 UNSUPPORTED_MEDIA_TYPE, text/plain included", async () => {
    const bodies: Array<[string, string]> = [
      ["text/plain", '{"name":"Kim"}'],
      ["text/plain; charset=utf-8", "hello"],
      ["application/xml", "<member><name>Kim</name></member>"],
      [
        "multipart/form-data; boundary=x",
        '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nKim\r\n--x--\r\n',
      ],
      ["application/x-www-form-urlencoded", "name=Kim"],
      ["application/octet-stream", "\x00\x01"],
    ];
    for (const [contentType, payload] of bodies) {
      const res = await mypay.app.inject({
        method: "POST",
        url: "/v1/memberships",
        headers: { "content-type": contentType },
        payload,
      });
      assert.equal(assertProblem(res, 415, contentType), "UNSUPPORTED_MEDIA_TYPE");
    }
  });

  test("item 12: the OpenAPI document lists 413 and 415 on every operation with a body", async () => {
    const doc = (await mypay.app.inject({ url: "/docs/json" })).json() as {
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
    };
    let withBody = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!op.requestBody) continue;
        withBody += 1;
        for (const status of ["413", "415"]) {
          assert.ok(op.responses[status], `${method} ${path} does not document ${status}`);
        }
        assert.match(JSON.stringify(op.responses["415"]), /UNSUPPORTED_MEDIA_TYPE/);
      }
    }
    assert.ok(withBody >= 8, "the document has the operations with a body");
  });
});
