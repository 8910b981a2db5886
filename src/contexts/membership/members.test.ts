import assert from "node:assert/strict";
import { after, test } from "node:test";
import { principalOf } from "../../platform/auth/guard.js";
import { admin, member, signIn, startMembershipApp, testWallets } from "./test-app.js";

const wallets = testWallets();
const t = await startMembershipApp({
  money: wallets.api,
  routes: (app) =>
    app.get("/v1/admin/ping", { config: { auth: { roles: ["staff"] } } }, async (request) => ({
      caller: principalOf(request).membershipId,
    })),
});
after(() => t.close());
const staff = await signIn(t.app, admin.email, admin.password);
const staffAuth = { authorization: `Bearer ${staff.accessToken}` };

type Headers = Record<string, string>;
const get = (url: string, headers: Headers) => t.app.inject({ method: "GET", url, headers });
const patch = (id: string, headers: Headers, payload: object) =>
  t.app.inject({ method: "PATCH", url: `/v1/memberships/${id}`, headers, payload });
const remove = (id: string, headers: Headers) =>
  t.app.inject({ method: "DELETE", url: `/v1/memberships/${id}`, headers });
const login = (email: string, password: string) =>
  t.app.inject({ method: "POST", url: "/v1/auth/login", payload: { email, password } });
const events = async (id: string) =>
  (
    await t.db.query<{ type: string; data: Record<string, unknown> }>(
      "SELECT type, data FROM membership.outbox WHERE data->>'membershipId' = $1 ORDER BY seq",
      [id],
    )
  ).map((e): Record<string, unknown> => ({ type: e.type, ...e.data }));

test("me and the member's own id answer its membership", async () => {
  const m = await member(t.app, { region: "Busan" });
  const mine = await get("/v1/memberships/me", m.auth);
  assert.equal(mine.statusCode, 200);
  assert.equal(mine.json().region, "Busan");
  assert.deepEqual((await get(`/v1/memberships/${m.membershipId}`, m.auth)).json(), mine.json());
});

test("another member's id, an unknown one and a malformed one are all the same 404 NOT_FOUND", async () => {
  const a = await member(t.app);
  const b = await member(t.app);
  const answers = await Promise.all(
    [
      b.membershipId,
      "mem_0190f0c4d6a87c3a9d1e2b3c4d5e6f70",
      "nonsense",
      "bac_0190f0c4d6a87c3a9d1e2b3c4d5e6f70",
    ].map((id) => get(`/v1/memberships/${id}`, a.auth)),
  );
  for (const res of answers) {
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, "NOT_FOUND");
  }
  assert.equal((await patch(b.membershipId, a.auth, { name: "Mallory" })).statusCode, 404);
  assert.equal((await remove(b.membershipId, a.auth)).statusCode, 404);
  assert.equal((await get(`/v1/memberships/${b.membershipId}`, b.auth)).json().name, b.name);
});

test("staff may read and modify any member", async () => {
  const m = await member(t.app);
  assert.equal((await get(`/v1/memberships/${m.membershipId}`, staffAuth)).json().email, m.email);
  const res = await patch(m.membershipId, staffAuth, { region: "Jeju" });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().region, "Jeju");
});

test("a customer on a staff-only route is 403 FORBIDDEN; staff passes", async () => {
  const m = await member(t.app);
  const res = await get("/v1/admin/ping", m.auth);
  assert.equal(res.statusCode, 403);
  assert.equal(res.json().code, "FORBIDDEN");
  assert.equal((await get("/v1/admin/ping", staffAuth)).statusCode, 200);
});

test("PATCH changes name and region and publishes MemberModified", async () => {
  const m = await member(t.app);
  const res = await patch(m.membershipId, m.auth, { name: "New Name", region: "Incheon" });
  assert.equal(res.statusCode, 200);
  assert.deepEqual([res.json().name, res.json().region, res.json().email], ["New Name", "Incheon", m.email]);
  const modified = (await events(m.membershipId)).filter((e) => e.type === "MemberModified");
  assert.equal(modified.length, 1);
  assert.equal(modified[0]?.name, "New Name");
  assert.equal(modified[0]?.region, "Incheon");
  assert.equal(modified[0]?.passwordChanged, false);
  assert.equal((await login(m.email, m.password)).statusCode, 200, "the password is unchanged");
});

test("PATCH validates like registration and changes nothing when invalid", async () => {
  const m = await member(t.app);
  for (const body of [
    {},
    { name: " " },
    { password: "short" },
    { email: "x@example.com" },
    { region: "a\u0007b" },
  ]) {
    const res = await patch(m.membershipId, m.auth, body);
    assert.equal(res.statusCode, 400, JSON.stringify(body));
    assert.equal(res.json().code, "VALIDATION_FAILED");
  }
  assert.equal((await get("/v1/memberships/me", m.auth)).json().name, m.name);
});

test("a new password works, the old does not, and it ends every refresh token", async () => {
  const m = await member(t.app);
  const res = await patch(m.membershipId, m.auth, { password: "a-brand-new-password" });
  assert.equal(res.statusCode, 200);
  assert.equal((await login(m.email, m.password)).statusCode, 401);
  assert.equal((await login(m.email, "a-brand-new-password")).statusCode, 200);
  const refreshed = await t.app.inject({
    method: "POST",
    url: "/v1/auth/refresh",
    payload: { refreshToken: m.refreshToken },
  });
  assert.equal(refreshed.statusCode, 401);
  const modified = (await events(m.membershipId)).find((e) => e.type === "MemberModified");
  assert.equal(modified?.passwordChanged, true);
  assert.doesNotMatch(JSON.stringify(modified), /a-brand-new-password/);
});

test("withdrawal needs a money balance of 0: else 409 CONFLICT and nothing changes", async () => {
  const m = await member(t.app);
  wallets.hold(m.membershipId, 10_000);
  const res = await remove(m.membershipId, m.auth);
  assert.equal(res.statusCode, 409);
  assert.equal(res.json().code, "CONFLICT");
  assert.equal((await get("/v1/memberships/me", m.auth)).json().status, "ACTIVE");
  assert.equal((await login(m.email, m.password)).statusCode, 200);
});

test("DELETE withdraws: 204, status WITHDRAWN, no more login or refresh, MemberWithdrawn published", async () => {
  const m = await member(t.app);
  const res = await remove(m.membershipId, m.auth);
  assert.equal(res.statusCode, 204);
  assert.equal(res.body, "");
  assert.equal((await get(`/v1/memberships/${m.membershipId}`, staffAuth)).json().status, "WITHDRAWN");
  const denied = await login(m.email, m.password);
  assert.equal(denied.statusCode, 401);
  assert.equal(denied.json().code, "INVALID_CREDENTIALS");
  const refreshed = await t.app.inject({
    method: "POST",
    url: "/v1/auth/refresh",
    payload: { refreshToken: m.refreshToken },
  });
  assert.equal(refreshed.statusCode, 401);
  const validation = await t.app.inject({
    method: "POST",
    url: "/v1/auth/validate",
    payload: { token: m.accessToken },
  });
  assert.deepEqual(validation.json(), { valid: false });
  assert.equal((await patch(m.membershipId, staffAuth, { name: "Back" })).statusCode, 409);
  assert.equal(
    (await remove(m.membershipId, staffAuth)).statusCode,
    204,
    "a repeated DELETE answers the same",
  );
  const withdrawn = (await events(m.membershipId)).filter((e) => e.type === "MemberWithdrawn");
  assert.equal(withdrawn.length, 1);
  assert.ok(!Number.isNaN(Date.parse(String(withdrawn[0]?.withdrawnAt))));
});

test("staff may withdraw a member", async () => {
  const m = await member(t.app);
  assert.equal((await remove(m.membershipId, staffAuth)).statusCode, 204);
  assert.equal((await login(m.email, m.password)).statusCode, 401);
});
