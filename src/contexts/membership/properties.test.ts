import assert from "node:assert/strict";
import { after, test } from "node:test";
import { fullFormats } from "ajv-formats/dist/formats.js";
import fc from "fast-check";
import { errorCodes } from "../../kernel/errors.js";
import { newMember, register, startMembershipApp } from "./test-app.js";

const t = await startMembershipApp();
after(() => t.close());

// The rules of API.md, written out again independently of the TypeBox schemas.
const length = (s: string) => [...s].length;
const hidden = /[\p{Cc}\p{Cs}]/u;
const visible = (v: unknown) =>
  typeof v === "string" &&
  length(v) >= 1 &&
  length(v) <= 100 &&
  !hidden.test(v) &&
  /[^\p{Cc}\p{Cs}\s]/u.test(v);
const emailFormat = fullFormats.email as RegExp;
const email = (v: unknown) => typeof v === "string" && length(v) <= 254 && emailFormat.test(v);
const password = (v: unknown) =>
  typeof v === "string" && length(v) >= 8 && length(v) <= 128 && !/\p{Cs}/u.test(v);
const fields = ["email", "name", "password", "region", "type"];

function validRegistration(body: unknown): body is Record<string, string> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  return (
    Object.keys(b).sort().join() === fields.join() &&
    visible(b.name) &&
    visible(b.region) &&
    email(b.email) &&
    password(b.password) &&
    (b.type === "personal" || b.type === "merchant")
  );
}

const text = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom("", " ", "\t", "a\u0000b", "\ud800", "서울", "x".repeat(101), "\u3000", "ok\u2028"),
);
const anyJson = fc.jsonValue({ maxDepth: 2 });
const validBody = fc.record({
  name: fc
    .oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.constantFrom("김민수", "Ada Lovelace", " x "))
    .filter(visible),
  email: fc.emailAddress().filter(email),
  password: fc.string({ minLength: 8, maxLength: 40 }),
  region: fc.oneof(fc.string({ minLength: 1, maxLength: 100 }), fc.constant("서울")).filter(visible),
  type: fc.constantFrom("personal", "merchant"),
});
// A valid body with one field broken, dropped or added: the near misses most likely to slip through.
const nearMiss = fc
  .tuple(
    validBody,
    fc.constantFrom(...fields, "extra"),
    fc.option(fc.oneof(text, anyJson), { nil: undefined }),
  )
  .map(([body, key, value]) => {
    const out: Record<string, unknown> = { ...body };
    if (value === undefined) delete out[key];
    else out[key] = value;
    return out;
  });
const registration = fc.oneof(validBody, nearMiss, anyJson);

const memberCount = async () =>
  (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM membership.members"))[0]?.n ?? 0;

function assertProblemOrSuccess(res: {
  statusCode: number;
  headers: Record<string, unknown>;
  json(): unknown;
}) {
  assert.ok(res.statusCode < 500, `status ${res.statusCode}`);
  if (res.statusCode >= 400) {
    assert.match(String(res.headers["content-type"]), /^application\/problem\+json/);
    const code = (res.json() as { code?: string }).code;
    assert.ok(code && (errorCodes as string[]).includes(code), `code ${code}`);
  }
}

test("POST /v1/memberships: any JSON body gets a 201 or a coded problem, and only a valid one stores a member", async () => {
  const taken = new Set<string>(
    (await t.db.query<{ e: string }>("SELECT lower(email) AS e FROM membership.members")).map((r) => r.e),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.oneof({ weight: 4, arbitrary: registration }, { weight: 1, arbitrary: anyJson }),
      async (body) => {
        const before = await memberCount();
        const res = await t.app.inject({
          method: "POST",
          url: "/v1/memberships",
          payload: JSON.stringify(body),
          headers: { "content-type": "application/json" },
        });
        assertProblemOrSuccess(res);
        const stored = (await memberCount()) - before;
        const valid = validRegistration(body);
        const fresh = valid && !taken.has(body.email.toLowerCase());
        assert.equal(
          res.statusCode === 201,
          fresh,
          `${res.statusCode} ${res.body} for ${JSON.stringify(body)}`,
        );
        assert.equal(stored, fresh ? 1 : 0);
        if (fresh) taken.add(body.email.toLowerCase());
      },
    ),
    { numRuns: 150 },
  );
});

test("POST /v1/auth/login: any JSON body gets a session only for the right credentials, else a coded problem", async () => {
  const known = newMember();
  await register(t.app, known);
  const before = await memberCount();
  const credentials = fc.record({
    email: fc.oneof(fc.constantFrom(known.email, known.email.toUpperCase()), fc.emailAddress(), text),
    password: fc.oneof(fc.constant(known.password), fc.string({ maxLength: 20 }), text),
  });
  const nearMiss = fc
    .tuple(credentials, fc.constantFrom("email", "password", "extra"), fc.option(anyJson, { nil: undefined }))
    .map(([body, key, value]) => {
      const out: Record<string, unknown> = { ...body };
      if (value === undefined) delete out[key];
      else out[key] = value;
      return out;
    });
  await fc.assert(
    fc.asyncProperty(fc.oneof(credentials, nearMiss, anyJson), async (body) => {
      const res = await t.app.inject({
        method: "POST",
        url: "/v1/auth/login",
        payload: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
      assertProblemOrSuccess(res);
      if (res.statusCode === 200) {
        const b = body as Record<string, unknown>;
        assert.equal(String(b.email).toLowerCase(), known.email.toLowerCase());
        assert.equal(b.password, known.password);
        assert.deepEqual(Object.keys(b).sort(), ["email", "password"]);
      }
    }),
    { numRuns: 200 },
  );
  assert.equal(await memberCount(), before);
});

test("bodies that are not JSON at all get a coded 4xx problem", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.constantFrom("/v1/memberships", "/v1/auth/login", "/v1/auth/refresh", "/v1/auth/validate"),
      async (raw, url) => {
        const res = await t.app.inject({
          method: "POST",
          url,
          payload: raw,
          headers: { "content-type": "application/json" },
        });
        assertProblemOrSuccess(res);
      },
    ),
    { numRuns: 100 },
  );
});
