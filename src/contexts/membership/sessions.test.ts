import assert from "node:assert/strict";
import { after, test } from "node:test";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { admin, member, newMember, register, signIn, startMembershipApp } from "./test-app.js";

const t = await startMembershipApp();
after(() => t.close());

const login = (email: string, password: string) =>
  t.app.inject({ method: "POST", url: "/v1/auth/login", payload: { email, password } });
const refresh = (refreshToken: string) =>
  t.app.inject({ method: "POST", url: "/v1/auth/refresh", payload: { refreshToken } });
const validate = async (token: string) =>
  (await t.app.inject({ method: "POST", url: "/v1/auth/validate", payload: { token } })).json();
const me = (accessToken: string) =>
  t.app.inject({
    method: "GET",
    url: "/v1/memberships/me",
    headers: { authorization: `Bearer ${accessToken}` },
  });

test("login answers an EdDSA access token for the member's role, a refresh token and expiresIn", async () => {
  const body = newMember({ type: "merchant" });
  const { membershipId } = await register(t.app, body);
  const res = await login(body.email.toUpperCase(), body.password);
  assert.equal(res.statusCode, 200);
  const session = res.json();
  assert.deepEqual(Object.keys(session).sort(), ["accessToken", "expiresIn", "refreshToken"]);
  assert.equal(session.expiresIn, 900);
  assert.equal(decodeProtectedHeader(session.accessToken).alg, "EdDSA");
  const claims = decodeJwt(session.accessToken);
  assert.equal(claims.sub, membershipId);
  assert.equal(claims.role, "merchant");
  assert.equal(Number(claims.exp) - Number(claims.iat), 900);
  assert.equal((await me(session.accessToken)).json().membershipId, membershipId);
  const stored = await t.db.query("SELECT 1 FROM membership.refresh_tokens WHERE token_hash = $1", [
    session.refreshToken,
  ]);
  assert.equal(stored.length, 0, "refresh tokens are stored only as hashes");
});

test("the staff member from configuration signs in with the staff role", async () => {
  const session = await signIn(t.app, admin.email, admin.password);
  const m = (await me(session.accessToken)).json();
  assert.equal(m.role, "staff");
  assert.equal(m.type, "staff");
  assert.equal(decodeJwt(session.accessToken).role, "staff");
});

test("a wrong password or an unknown email is 401 INVALID_CREDENTIALS, alike", async () => {
  const body = newMember();
  await register(t.app, body);
  const wrong = await login(body.email, `${body.password}x`);
  const unknown = await login("nobody@example.com", body.password);
  for (const res of [wrong, unknown]) {
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, "INVALID_CREDENTIALS");
  }
  assert.equal(wrong.json().detail, unknown.json().detail);
});

test("after 5 failures within 15 minutes an email is locked (429, Retry-After), even for the right password", async () => {
  const body = newMember();
  await register(t.app, body);
  for (let i = 0; i < 5; i++) assert.equal((await login(body.email, "wrong-password")).statusCode, 401);
  const locked = await login(body.email.toUpperCase(), body.password);
  assert.equal(locked.statusCode, 429);
  assert.equal(locked.json().code, "RATE_LIMITED");
  const retryAfter = Number(locked.headers["retry-after"]);
  assert.ok(retryAfter > 0 && retryAfter <= 900, String(retryAfter));
  assert.equal(locked.json().retryAfterSeconds, retryAfter);
  t.clock.advance(retryAfter);
  assert.equal((await login(body.email, body.password)).statusCode, 200);
});

test("a successful login clears earlier failures", async () => {
  const body = newMember();
  await register(t.app, body);
  for (let i = 0; i < 4; i++) await login(body.email, "wrong-password");
  await signIn(t.app, body.email, body.password);
  for (let i = 0; i < 4; i++) await login(body.email, "wrong-password");
  assert.equal((await login(body.email, body.password)).statusCode, 200);
});

test("refresh rotates: a new pair, and the old refresh token stops working", async () => {
  const m = await member(t.app);
  const res = await refresh(m.refreshToken);
  assert.equal(res.statusCode, 200);
  const next = res.json();
  assert.notEqual(next.refreshToken, m.refreshToken);
  assert.equal((await me(next.accessToken)).statusCode, 200);
  const third = await refresh(next.refreshToken);
  assert.equal(third.statusCode, 200);
  assert.equal((await me(third.json().accessToken)).statusCode, 200);
});

test("reusing a spent refresh token revokes the whole chain, but not other sessions", async () => {
  const m = await member(t.app);
  const otherSession = await signIn(t.app, m.email, m.password);
  const next = (await refresh(m.refreshToken)).json();
  const replay = await refresh(m.refreshToken);
  assert.equal(replay.statusCode, 401);
  assert.equal(replay.json().code, "UNAUTHENTICATED");
  assert.equal((await refresh(next.refreshToken)).statusCode, 401, "the chain's newest token is revoked too");
  assert.equal((await refresh(otherSession.refreshToken)).statusCode, 200, "another login is another chain");
});

test("an unknown, malformed or expired refresh token is 401", async () => {
  assert.equal((await refresh("no-such-token")).statusCode, 401);
  assert.equal((await refresh("")).statusCode, 400);
  const m = await member(t.app);
  t.clock.advance(31 * 86_400);
  const expired = await refresh(m.refreshToken);
  assert.equal(expired.statusCode, 401);
  assert.equal(expired.json().code, "UNAUTHENTICATED");
});

test("an access token expires after its lifetime; garbage is 401 too", async () => {
  const m = await member(t.app);
  assert.equal((await me(m.accessToken)).statusCode, 200);
  t.clock.advance(910); // past the lifetime and the few seconds of clock skew allowed
  const expired = await me(m.accessToken);
  assert.equal(expired.statusCode, 401);
  assert.equal(expired.json().code, "UNAUTHENTICATED");
  assert.equal((await me("garbage")).statusCode, 401);
  assert.equal((await t.app.inject({ method: "GET", url: "/v1/memberships/me" })).statusCode, 401);
});

test("validate tells whether an access token is valid, and whose it is", async () => {
  const m = await member(t.app);
  assert.deepEqual(await validate(m.accessToken), {
    valid: true,
    membershipId: m.membershipId,
    role: "customer",
  });
  assert.deepEqual(await validate("garbage"), { valid: false });
  assert.deepEqual(await validate(m.refreshToken), { valid: false });
  t.clock.advance(910); // past the lifetime and the few seconds of clock skew allowed
  assert.deepEqual(await validate(m.accessToken), { valid: false });
});

test("GET /v1/auth/jwks serves the public key that verifies the access tokens", async () => {
  const res = await t.app.inject({ method: "GET", url: "/v1/auth/jwks" });
  assert.equal(res.statusCode, 200);
  const { keys } = res.json();
  assert.equal(keys.length, 1);
  assert.equal(keys[0].kty, "OKP");
  assert.equal(keys[0].crv, "Ed25519");
  assert.equal(keys[0].d, undefined, "never the private part");
  const m = await member(t.app);
  assert.equal(decodeProtectedHeader(m.accessToken).kid, keys[0].kid);
});

test("concurrent wrong logins for one email get 5 tries in all, however they race", async () => {
  const body = newMember();
  await register(t.app, body);
  const answers = await Promise.all(Array.from({ length: 8 }, () => login(body.email, "wrong-password")));
  const statuses = answers.map((r) => r.statusCode).sort();
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
});

test("concurrent refreshes with one token: one wins, and the replay revokes the chain", async () => {
  const m = await member(t.app);
  const answers = await Promise.all([
    refresh(m.refreshToken),
    refresh(m.refreshToken),
    refresh(m.refreshToken),
  ]);
  const winners = answers.filter((r) => r.statusCode === 200);
  assert.equal(winners.length, 1);
  assert.equal((await refresh(winners[0]?.json().refreshToken)).statusCode, 401);
});
