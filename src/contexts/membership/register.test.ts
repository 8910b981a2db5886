import assert from "node:assert/strict";
import { after, test } from "node:test";
import { newMember, register, startMembershipApp } from "./test-app.js";

const t = await startMembershipApp();
after(() => t.close());

const post = (payload: unknown) =>
  t.app.inject({ method: "POST", url: "/v1/memberships", payload: payload as object });
const countByEmail = async (email: string) =>
  (
    await t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM membership.members WHERE lower(email) = lower($1)",
      [email],
    )
  )[0]?.n;
const outbox = (membershipId: string) =>
  t.db.query<{ type: string; data: Record<string, unknown> }>(
    "SELECT type, data FROM membership.outbox WHERE data->>'membershipId' = $1 ORDER BY seq",
    [membershipId],
  );

test("registration answers 201 with the membership and publishes MemberRegistered", async () => {
  const body = newMember({ type: "merchant", name: "김가맹 Store" });
  const res = await post(body);
  assert.equal(res.statusCode, 201);
  const m = res.json();
  assert.match(m.membershipId, /^mem_[0-9a-f]{32}$/);
  const { password: _password, ...profile } = body;
  assert.deepEqual(m, {
    ...profile,
    phone: null,
    membershipId: m.membershipId,
    role: "merchant",
    status: "ACTIVE",
    createdAt: m.createdAt,
  });
  assert.ok(!Number.isNaN(Date.parse(m.createdAt)));
  assert.equal("password" in m, false);
  const events = await outbox(m.membershipId);
  assert.deepEqual(
    events.map((e) => e.type),
    ["MemberRegistered"],
  );
  assert.deepEqual(events[0]?.data, {
    membershipId: m.membershipId,
    name: body.name,
    email: body.email,
    region: body.region,
    type: "merchant",
    registeredAt: m.createdAt,
  });
});

test("a personal member has the customer role; the password is stored only as a scrypt hash", async () => {
  const body = newMember();
  const m = await register(t.app, body);
  const [row] = await t.db.query<{ password_hash: string }>(
    "SELECT password_hash FROM membership.members WHERE id = $1",
    [m.membershipId],
  );
  assert.match(String(row?.password_hash), /^scrypt\$/);
  assert.equal(
    (await t.app.inject({ method: "POST", url: "/v1/memberships", payload: newMember() })).json().role,
    "customer",
  );
});

test("an email already registered, in any case, is 409 EMAIL_TAKEN with no second member or event", async () => {
  const body = newMember({ email: "Dup.Licate@Example.com" });
  await register(t.app, body);
  const before = await t.db.query("SELECT id FROM membership.outbox");
  for (const email of ["Dup.Licate@Example.com", "dup.licate@example.com", "DUP.LICATE@EXAMPLE.COM"]) {
    const res = await post(newMember({ email }));
    assert.equal(res.statusCode, 409);
    assert.equal(res.headers["content-type"], "application/problem+json; charset=utf-8");
    assert.equal(res.json().code, "EMAIL_TAKEN");
  }
  assert.equal(await countByEmail(body.email), 1);
  assert.equal((await t.db.query("SELECT id FROM membership.outbox")).length, before.length);
});

test("invalid bodies are 400 VALIDATION_FAILED naming the field, and store nothing", async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ password: "short7!" }, /body\/password must NOT have fewer than 8 characters/],
    [{ password: "x".repeat(129) }, /body\/password must NOT have more than 128 characters/],
    [{ name: "" }, /body\/name/],
    [{ name: "   " }, /body\/name must match pattern/],
    [{ name: "x".repeat(101) }, /body\/name must NOT have more than 100 characters/],
    [{ name: "bad\u0000name" }, /body\/name must match pattern/],
    [{ region: "Seoul\nBusan" }, /body\/region must match pattern/],
    [{ region: "lone \ud800 surrogate" }, /body\/region must match pattern/],
    [{ email: "not-an-email" }, /body\/email must match format "email"/],
    [{ type: "staff" }, /body\/type/],
    [{ role: "staff" }, /body has an unknown field 'role'/],
    [{ name: 42 }, /body\/name must be string/],
  ];
  for (const [override, detail] of cases) {
    const body = newMember(override);
    const res = await post(body);
    assert.equal(res.statusCode, 400, JSON.stringify(override));
    assert.equal(res.json().code, "VALIDATION_FAILED");
    assert.match(res.json().detail, detail);
    assert.equal(await countByEmail(String(body.email)), 0);
  }
  const { password: _, ...missing } = newMember();
  assert.match((await post(missing)).json().detail, /body is missing the field 'password'/);
  assert.equal((await post([newMember()])).statusCode, 400);
});

test("the member and its event are written in one transaction: when the event cannot be, neither is", async () => {
  const body = newMember();
  await t.db.exec("ALTER TABLE membership.outbox RENAME TO outbox_away");
  try {
    const res = await post(body);
    assert.equal(res.statusCode, 500);
    assert.equal(res.json().code, "INTERNAL_ERROR");
    assert.doesNotMatch(res.body, /outbox|relation|SELECT|INSERT/i);
  } finally {
    await t.db.exec("ALTER TABLE membership.outbox_away RENAME TO outbox");
  }
  assert.equal(await countByEmail(body.email), 0);
  assert.equal((await post(body)).statusCode, 201);
});

test("the OpenAPI document lists every membership route with its success and problem responses", async () => {
  const doc = (await t.app.inject({ method: "GET", url: "/docs/json" })).json();
  const expect: Array<[string, string, string[]]> = [
    ["/v1/memberships", "post", ["201", "400", "409", "500"]],
    ["/v1/auth/login", "post", ["200", "400", "401", "429"]],
    ["/v1/auth/refresh", "post", ["200", "401"]],
    ["/v1/auth/validate", "post", ["200", "400"]],
    ["/v1/auth/jwks", "get", ["200"]],
    ["/v1/memberships/me", "get", ["200", "401"]],
    ["/v1/memberships/{id}", "get", ["200", "401", "404"]],
    ["/v1/memberships/{id}", "patch", ["200", "400", "401", "404", "409"]],
    ["/v1/memberships/{id}", "delete", ["204", "401", "404", "409"]],
  ];
  for (const [path, method, statuses] of expect) {
    const op = doc.paths[path]?.[method];
    assert.ok(op, `${method} ${path}`);
    for (const s of statuses) assert.ok(op.responses[s], `${method} ${path} ${s}`);
  }
  assert.deepEqual(doc.paths["/v1/memberships/me"].get.security, [{ bearerAuth: [] }]);
  assert.equal(doc.paths["/v1/memberships"].post.security, undefined);
});
