import assert from "node:assert/strict";
import { after, test } from "node:test";
import { decodeJwt } from "jose";
import type { Mypay } from "../../app.js";
import { createRevocations } from "../../platform/auth/revocations.js";
import { createInProcessBus } from "../../platform/bus/in-process.js";
import { waitFor } from "../../testing/bus.js";
import { startTestMypay } from "../../testing/mypay.js";
import { createMembershipApi } from "./api.js";
import { followRevocations } from "./revocation-feed.js";
import { newMember } from "./test-app.js";

/** Revoked access tokens, through the whole app: membership's and money's routes alike. */

const mypay: Mypay = await startTestMypay();
after(() => mypay.close());

type Session = { accessToken: string; refreshToken: string };
const post = (url: string, payload: object) => mypay.app.inject({ method: "POST", url, payload });
const as = (token: string, method: "GET" | "PATCH" | "DELETE", url: string, payload?: object) =>
  mypay.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });

async function registered() {
  const body = newMember();
  const res = await post("/v1/memberships", body);
  assert.equal(res.statusCode, 201, res.body);
  return { ...body, membershipId: res.json().membershipId as string };
}

async function login(email: string, password: string): Promise<Session> {
  const res = await post("/v1/auth/login", { email, password });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

/** The statuses of the routes a member reads with the token, and what validate says of it. */
async function reads(token: string) {
  const membership = (await as(token, "GET", "/v1/memberships/me")).statusCode;
  const money = (await as(token, "GET", "/v1/money/me")).statusCode;
  const { valid } = (await post("/v1/auth/validate", { token })).json();
  return { membership, money, valid };
}

const good = { membership: 200, money: 200, valid: true };
const refused = { membership: 401, money: 401, valid: false };

/** Refused everywhere within a second of the revocation. */
async function refusedWithinASecond(token: string) {
  await waitFor(async () => (await reads(token)).money === 401, 1_000);
  assert.deepEqual(await reads(token), refused);
  const res = await as(token, "GET", "/v1/memberships/me");
  assert.equal(res.json().code, "UNAUTHENTICATED");
}

test("item 9: two logins in the same second give different access tokens", async () => {
  const m = await registered();
  const [a, b] = await Promise.all([login(m.email, m.password), login(m.email, m.password)]);
  assert.notEqual(a.accessToken, b.accessToken);
  const [ca, cb] = [decodeJwt(a.accessToken), decodeJwt(b.accessToken)];
  assert.notEqual(ca.jti, cb.jti);
  assert.ok(ca.sid && cb.sid && ca.sid !== cb.sid, "each login is its own refresh chain");
});

test("item 9: a withdrawn member's access token gets 401 on /v1/memberships/me and /v1/money/me within 1 s", async () => {
  const m = await registered();
  const session = await login(m.email, m.password);
  const other = await registered();
  const bystander = await login(other.email, other.password);
  assert.deepEqual(await reads(session.accessToken), good);
  assert.equal(
    (await as(session.accessToken, "DELETE", `/v1/memberships/${m.membershipId}`)).statusCode,
    204,
  );
  await refusedWithinASecond(session.accessToken);
  assert.deepEqual(await reads(bystander.accessToken), good, "other members are not affected");
});

test("item 9: reusing a spent refresh token refuses the chain's access tokens (401), not other sessions", async () => {
  const m = await registered();
  const first = await login(m.email, m.password);
  const elsewhere = await login(m.email, m.password);
  const rotated = await post("/v1/auth/refresh", { refreshToken: first.refreshToken });
  assert.equal(rotated.statusCode, 200);
  const second: Session = rotated.json();
  assert.deepEqual(await reads(second.accessToken), good);
  const replay = await post("/v1/auth/refresh", { refreshToken: first.refreshToken });
  assert.equal(replay.statusCode, 401);
  await refusedWithinASecond(first.accessToken);
  await refusedWithinASecond(second.accessToken);
  assert.deepEqual(await reads(elsewhere.accessToken), good, "another login is another chain");
  const [event] = await mypay.db.query<{ data: { membershipId: string; chainIds: string[] } }>(
    "SELECT data FROM membership.outbox WHERE type = 'AccessRevoked' AND data->>'membershipId' = $1",
    [m.membershipId],
  );
  assert.deepEqual(event?.data.chainIds, [decodeJwt(first.accessToken).sid]);
});

test("logout refuses the chain's access tokens everywhere (401), not the member's other sessions", async () => {
  const m = await registered();
  const session = await login(m.email, m.password);
  const elsewhere = await login(m.email, m.password);
  assert.deepEqual(await reads(session.accessToken), good);
  assert.equal((await post("/v1/auth/logout", { refreshToken: session.refreshToken })).statusCode, 204);
  await refusedWithinASecond(session.accessToken);
  assert.deepEqual(await reads(elsewhere.accessToken), good);
});

test("item 9: a password change refuses the member's old access tokens (401); a new login works", async () => {
  const m = await registered();
  const [a, b] = [await login(m.email, m.password), await login(m.email, m.password)];
  const changed = await as(a.accessToken, "PATCH", `/v1/memberships/${m.membershipId}`, {
    password: "a-brand-new-password",
  });
  assert.equal(changed.statusCode, 200);
  await refusedWithinASecond(a.accessToken);
  await refusedWithinASecond(b.accessToken);
  const fresh = await login(m.email, "a-brand-new-password");
  assert.deepEqual(await reads(fresh.accessToken), good);
});

test("item 9: a process that starts later loads the revocations still in force from membership's tables", async () => {
  const withdrawn = await registered();
  const w = await login(withdrawn.email, withdrawn.password);
  assert.equal(
    (await as(w.accessToken, "DELETE", `/v1/memberships/${withdrawn.membershipId}`)).statusCode,
    204,
  );
  const replayed = await registered();
  const r = await login(replayed.email, replayed.password);
  await post("/v1/auth/refresh", { refreshToken: r.refreshToken });
  await post("/v1/auth/refresh", { refreshToken: r.refreshToken });
  const fine = await registered();
  const f = await login(fine.email, fine.password);

  const view = createRevocations({ accessTokenTtlSeconds: 900 });
  await followRevocations(createInProcessBus(), createMembershipApi(mypay.db), view);
  const principal = (token: string) => {
    const claims = decodeJwt(token);
    return { membershipId: claims.sub as never, role: "customer" as const, chainId: String(claims.sid) };
  };
  assert.equal(view.refuses(principal(w.accessToken)), true);
  assert.equal(view.refuses(principal(r.accessToken)), true);
  assert.equal(view.refuses(principal(f.accessToken)), false);
});
