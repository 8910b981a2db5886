import assert from "node:assert/strict";
import { after, test } from "node:test";
import { decodeJwt } from "jose";
import { member, signIn, startMembershipApp } from "./test-app.js";

// POST /v1/auth/logout: the refresh token's chain is revoked as a replay revokes it (its refresh
// tokens and its access tokens, with AccessRevoked); whatever the token, the answer is 204.

const t = await startMembershipApp();
after(() => t.close());

const post = (url: string, payload: unknown) =>
  t.app.inject({ method: "POST", url, payload: payload as object });
const logout = (refreshToken: string) => post("/v1/auth/logout", { refreshToken });
const refresh = (refreshToken: string) => post("/v1/auth/refresh", { refreshToken });
const me = (accessToken: string) =>
  t.app.inject({
    method: "GET",
    url: "/v1/memberships/me",
    headers: { authorization: `Bearer ${accessToken}` },
  });
const revocationsOf = async (membershipId: string) =>
  (
    await t.db.query<{ data: { chainIds: string[] } }>(
      "SELECT data FROM membership.outbox WHERE type = 'AccessRevoked' AND data->>'membershipId' = $1 ORDER BY seq",
      [membershipId],
    )
  ).map((e) => e.data.chainIds);

test("logout ends the session: its refresh token and access token get 401; another session keeps working", async () => {
  const m = await member(t.app);
  const elsewhere = await signIn(t.app, m.email, m.password);
  assert.equal((await me(m.accessToken)).statusCode, 200);

  const out = await logout(m.refreshToken);
  assert.equal(out.statusCode, 204);
  assert.equal(out.body, "");
  const again = await refresh(m.refreshToken);
  assert.equal(again.statusCode, 401);
  assert.equal(again.json().code, "UNAUTHENTICATED");
  const refused = await me(m.accessToken);
  assert.equal(refused.statusCode, 401);
  assert.equal(refused.json().code, "UNAUTHENTICATED");
  assert.deepEqual(await revocationsOf(m.membershipId), [[decodeJwt(m.accessToken).sid]]);

  assert.equal((await me(elsewhere.accessToken)).statusCode, 200, "another login is another chain");
  assert.equal((await refresh(elsewhere.refreshToken)).statusCode, 200);
});

test("logging out twice is 204 both times, and records one revocation", async () => {
  const m = await member(t.app);
  assert.equal((await logout(m.refreshToken)).statusCode, 204);
  assert.equal((await logout(m.refreshToken)).statusCode, 204);
  assert.equal((await revocationsOf(m.membershipId)).length, 1);
});

test("a spent token of the chain logs out the chain's current session too", async () => {
  const m = await member(t.app);
  const rotated = await refresh(m.refreshToken);
  assert.equal(rotated.statusCode, 200);
  const current = rotated.json();
  assert.equal((await logout(m.refreshToken)).statusCode, 204, "the spent one");
  assert.equal((await refresh(current.refreshToken)).statusCode, 401);
  assert.equal((await me(current.accessToken)).statusCode, 401);
  assert.equal((await me(m.accessToken)).statusCode, 401);
});

test("an unknown token is 204 and changes nothing; a bad body is 400 VALIDATION_FAILED", async () => {
  const m = await member(t.app);
  const before = await t.db.query("SELECT 1 FROM membership.outbox");
  for (const token of ["not-a-token-we-issued", "x".repeat(512)]) {
    assert.equal((await logout(token)).statusCode, 204);
  }
  assert.equal((await t.db.query("SELECT 1 FROM membership.outbox")).length, before.length);
  assert.equal((await me(m.accessToken)).statusCode, 200);

  for (const body of [
    {},
    { refreshToken: "" },
    { refreshToken: 42 },
    { refreshToken: "x".repeat(513) },
    { refreshToken: "a", extra: 1 },
  ]) {
    const res = await post("/v1/auth/logout", body);
    assert.equal(res.statusCode, 400, JSON.stringify(body));
    assert.equal(res.json().code, "VALIDATION_FAILED");
  }
});
