import assert from "node:assert/strict";
import { after, test } from "node:test";
import { admin, member, newMember, register, signIn, startMembershipApp } from "./test-app.js";

const t = await startMembershipApp();
after(() => t.close());

type Headers = Record<string, string>;
const lookup = (email: string, headers: Headers = {}) =>
  t.app.inject({ method: "GET", url: `/v1/memberships/lookup?email=${encodeURIComponent(email)}`, headers });
const unknownEmail = () => newMember().email.replace("@", ".nobody@");

test("an email answers the member's id and masked name, and nothing more, whatever its case", async () => {
  const caller = await member(t.app);
  const payee = newMember({ name: "김민지", region: "Busan" });
  const { membershipId } = await register(t.app, payee);
  const res = await lookup(payee.email.toUpperCase(), caller.auth);
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), { membershipId, maskedName: "김*지" });
  const latin = newMember({ name: "Kim Minji" });
  const found = await lookup(latin.email, caller.auth);
  assert.equal(found.statusCode, 404, "not registered yet");
  await register(t.app, latin);
  assert.equal((await lookup(latin.email, caller.auth)).json().maskedName, "K*m M***i");
});

test("customers, merchants and staff may look up; without a token it is 401", async () => {
  const payee = await member(t.app, { name: "홍길동" });
  const merchant = await member(t.app, { type: "merchant" });
  const staff = await signIn(t.app, admin.email, admin.password);
  for (const headers of [merchant.auth, { authorization: `Bearer ${staff.accessToken}` }]) {
    const res = await lookup(payee.email, headers);
    assert.deepEqual(res.json(), { membershipId: payee.membershipId, maskedName: "홍*동" });
  }
  const anonymous = await lookup(payee.email);
  assert.equal(anonymous.statusCode, 401);
  assert.equal(anonymous.json().code, "UNAUTHENTICATED");
});

test("an unknown email and a withdrawn member's are the same 404 NOT_FOUND", async () => {
  const caller = await member(t.app);
  const leaving = await member(t.app);
  const withdraw = await t.app.inject({
    method: "DELETE",
    url: `/v1/memberships/${leaving.membershipId}`,
    headers: leaving.auth,
  });
  assert.equal(withdraw.statusCode, 204);
  for (const email of [unknownEmail(), leaving.email]) {
    const res = await lookup(email, caller.auth);
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, "NOT_FOUND");
    assert.doesNotMatch(res.body, /@/, "the answer does not echo the email");
  }
});

test("a missing, malformed or overlong email, or an unknown parameter, is 400 VALIDATION_FAILED", async () => {
  const caller = await member(t.app);
  const urls = [
    "/v1/memberships/lookup",
    "/v1/memberships/lookup?email=",
    "/v1/memberships/lookup?email=not-an-email",
    "/v1/memberships/lookup?email=a%20b%40example.com",
    `/v1/memberships/lookup?email=${"a".repeat(250)}%40example.com`,
    `/v1/memberships/lookup?email=${encodeURIComponent(caller.email)}&region=Seoul`,
  ];
  for (const url of urls) {
    const res = await t.app.inject({ method: "GET", url, headers: caller.auth });
    assert.equal(res.statusCode, 400, url);
    assert.equal(res.json().code, "VALIDATION_FAILED", url);
  }
});

test("the 11th lookup within a minute is 429 with Retry-After; other callers are not limited; a minute later it works", async () => {
  const prober = await member(t.app);
  const other = await member(t.app);
  const payee = await member(t.app, { name: "남궁민수" });
  // Unknown emails count as much as found ones.
  for (let i = 0; i < 10; i += 1) {
    const res = await lookup(i % 2 === 0 ? unknownEmail() : payee.email, prober.auth);
    assert.equal(res.statusCode, i % 2 === 0 ? 404 : 200, `lookup ${i + 1}`);
  }
  const limited = await lookup(payee.email, prober.auth);
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.json().code, "RATE_LIMITED");
  const wait = limited.json().retryAfterSeconds;
  assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 60, `retryAfterSeconds ${wait}`);
  assert.equal(limited.headers["retry-after"], String(wait));
  assert.equal((await lookup(payee.email, other.auth)).json().maskedName, "남**수");

  t.clock.advance(61);
  assert.equal((await lookup(payee.email, prober.auth)).statusCode, 200);
  // Counts that left the window were cleaned up by the lookup that followed.
  const since = new Date(t.clock.now().getTime() - 60_000);
  const stale = await t.db.query("SELECT 1 FROM membership.lookups WHERE looked_up_at <= $1", [since]);
  assert.equal(stale.length, 0);
});

test("the OpenAPI document describes the lookup: its query, its answer and its problems", async () => {
  type Op = {
    parameters: Array<{ in: string; name: string; required?: boolean }>;
    responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
  };
  const doc = (await t.app.inject({ url: "/docs/json" })).json() as {
    paths: Record<string, { get?: Op }>;
    components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
  };
  const op = doc.paths["/v1/memberships/lookup"]?.get;
  assert.ok(op, "GET /v1/memberships/lookup is documented");
  assert.deepEqual(
    op.parameters.map((p) => [p.in, p.name, p.required]),
    [
      ["query", "email", false],
      ["query", "phone", false],
    ],
    "one of the two: by email or by mobile number",
  );
  assert.deepEqual(Object.keys(op.responses).sort(), ["200", "400", "401", "404", "429", "500"]);
  const ref = op.responses["200"]?.content?.["application/json"]?.schema.$ref;
  assert.equal(ref, "#/components/schemas/MembershipLookup");
  assert.deepEqual(Object.keys(doc.components.schemas.MembershipLookup?.properties ?? {}), [
    "membershipId",
    "maskedName",
  ]);
});
