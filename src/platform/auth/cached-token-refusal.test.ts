import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { call, newMember, startWorld, type World } from "../../testing/world.js";

/** A verified token is remembered until it expires, yet a revocation refuses it on the next request. */

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

const me = (token: string) => call(world, token, "GET", "/v1/money/me");

function assertRefused(res: Awaited<ReturnType<typeof me>>, why: string) {
  assert.equal(res.statusCode, 401, why);
  assert.equal(res.json().code, "UNAUTHENTICATED", why);
}

test("a token used a moment ago is refused as soon as its member withdraws", async () => {
  const member = await newMember(world, { bankBalance: 0 });
  for (let i = 0; i < 3; i++) assert.equal((await me(member.token)).statusCode, 200);
  const leave = await call(world, member.token, "DELETE", `/v1/memberships/${member.membershipId}`);
  assert.equal(leave.statusCode, 204, leave.body);
  assertRefused(await me(member.token), "the member withdrew");
});

test("a token used a moment ago is refused as soon as its refresh chain is revoked (a replayed refresh token)", async () => {
  const member = await newMember(world);
  const email = (await call(world, member.token, "GET", "/v1/memberships/me")).json().email;
  const login = await world.mypay.app.inject({
    method: "POST",
    url: "/v1/auth/login",
    payload: { email, password: "correct-horse-battery" },
  });
  const session = login.json() as { accessToken: string; refreshToken: string };
  assert.equal((await me(session.accessToken)).statusCode, 200);
  const refresh = (refreshToken: string) =>
    world.mypay.app.inject({ method: "POST", url: "/v1/auth/refresh", payload: { refreshToken } });
  const rotated = await refresh(session.refreshToken);
  assert.equal(rotated.statusCode, 200);
  assert.equal((await me(rotated.json().accessToken)).statusCode, 200);
  assert.equal((await refresh(session.refreshToken)).statusCode, 401, "the replay revokes the chain");
  assertRefused(await me(session.accessToken), "the first token of the chain");
  assertRefused(await me(rotated.json().accessToken), "the rotated token of the same chain");
  assert.equal((await me(member.token)).statusCode, 200, "another session of the member still works");
});
