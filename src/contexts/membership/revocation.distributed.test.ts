import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createMypay, type Mypay } from "../../app.js";
import { connectNatsBus } from "../../platform/bus/nats.js";
import { loadConfig } from "../../platform/config.js";
import { openPostgres } from "../../platform/db/postgres.js";
import { createLogger } from "../../platform/logging.js";
import { testBusUrl, waitFor } from "../../testing/bus.js";
import { testDatabaseUrl } from "../../testing/db.js";
import { adminPassword, startTestMypay } from "../../testing/mypay.js";
import { newMember } from "./test-app.js";

/** Two replicas of the whole app on one PostgreSQL database and one NATS stream. */

const a = await startTestMypay();
const b = await replicaOf(a);
after(async () => {
  await b.close();
  await a.close();
});

/** A second process's view of the same deployment: its own pool and its own NATS connection. */
async function replicaOf(first: Mypay): Promise<Mypay> {
  const [{ name }] = (await first.db.query<{ name: string }>("SELECT current_database() AS name")) as [
    { name: string },
  ];
  const url = new URL(String(testDatabaseUrl));
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString(), { max: 5, applicationName: `${name}-b` });
  const stream = (first.bus as { subjectPrefix?: string }).subjectPrefix;
  const bus = await connectNatsBus({ url: String(testBusUrl), stream, subjectPrefix: stream });
  const config = loadConfig({ MYPAY_BANK_PORT: "0", MYPAY_ADMIN_PASSWORD: adminPassword });
  const replica = await createMypay({ config, logger: createLogger("silent"), db, bus });
  replica.startBackground();
  return {
    ...replica,
    close: async () => {
      await replica.close();
      await bus.close();
      await db.close();
    },
  };
}

const post = (on: Mypay, url: string, payload: object) => on.app.inject({ method: "POST", url, payload });
const as = (on: Mypay, token: string, method: "GET" | "DELETE", url: string) =>
  on.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });

async function signedIn(on: Mypay) {
  const body = newMember();
  const reg = await post(on, "/v1/memberships", body);
  assert.equal(reg.statusCode, 201, reg.body);
  const session = await post(on, "/v1/auth/login", { email: body.email, password: body.password });
  assert.equal(session.statusCode, 200, session.body);
  return {
    membershipId: reg.json().membershipId as string,
    ...(session.json() as { accessToken: string; refreshToken: string }),
  };
}

async function refusedByWithinASecond(on: Mypay, token: string) {
  await waitFor(async () => (await as(on, token, "GET", "/v1/money/me")).statusCode === 401, 1_000);
  assert.equal((await as(on, token, "GET", "/v1/memberships/me")).statusCode, 401);
  assert.deepEqual((await post(on, "/v1/auth/validate", { token })).json(), { valid: false });
}

test("item 9: a withdrawal through instance A: instance B refuses the member's token within 1 s", async () => {
  const m = await signedIn(a);
  assert.equal((await as(b, m.accessToken, "GET", "/v1/memberships/me")).statusCode, 200);
  assert.equal((await as(b, m.accessToken, "GET", "/v1/money/me")).statusCode, 200);
  assert.equal((await as(a, m.accessToken, "DELETE", `/v1/memberships/${m.membershipId}`)).statusCode, 204);
  await refusedByWithinASecond(b, m.accessToken);
  await refusedByWithinASecond(a, m.accessToken);
});

test("item 9: a spent refresh token reused at instance A: instance B refuses the chain's access token within 1 s", async () => {
  const m = await signedIn(a);
  assert.equal((await post(a, "/v1/auth/refresh", { refreshToken: m.refreshToken })).statusCode, 200);
  assert.equal((await post(a, "/v1/auth/refresh", { refreshToken: m.refreshToken })).statusCode, 401);
  await refusedByWithinASecond(b, m.accessToken);
});

test("item 9: a replica started after a withdrawal refuses the token from its first request", async () => {
  const m = await signedIn(a);
  assert.equal((await as(a, m.accessToken, "DELETE", `/v1/memberships/${m.membershipId}`)).statusCode, 204);
  const late = await replicaOf(a);
  try {
    assert.equal((await as(late, m.accessToken, "GET", "/v1/money/me")).statusCode, 401);
  } finally {
    await late.close();
  }
});
