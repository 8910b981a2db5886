import assert from "node:assert/strict";
import { after, test } from "node:test";
import { generateKeyPair } from "jose";
import { newId } from "../../kernel/ids.js";
import { createMetrics } from "../http/metrics.js";
import { createHttpServer } from "../http/server.js";
import { createLogger } from "../logging.js";
import { canAccess, principalOf, registerAuth } from "./guard.js";
import { createRevocations } from "./revocations.js";
import { createSigner, createVerifier, type Role } from "./tokens.js";

const keys = await generateKeyPair("EdDSA");
const signer = createSigner(keys.privateKey, "k1");
let now = Date.now();
const clock = { now: () => new Date(now) };
const app = await createHttpServer({
  logger: createLogger("silent"),
  metrics: createMetrics(),
  title: "guard test",
});
const revocations = createRevocations({ accessTokenTtlSeconds: 900, clock });
registerAuth(app, { verifier: createVerifier(keys.publicKey), revocations });
app.get("/open", async (request) => ({ principal: request.principal }));
app.get("/signed-in", { config: { auth: {} } }, async (request) => principalOf(request));
app.get("/staff-only", { config: { auth: { roles: ["staff"] } } }, async (request) => principalOf(request));
await app.ready();
after(() => app.close());

const bearer = async (role: Role) =>
  `Bearer ${await signer.sign({ membershipId: newId("membership"), role })}`;
const get = (url: string, authorization?: string) =>
  app.inject({ method: "GET", url, headers: authorization ? { authorization } : {} });

test("routes without config.auth need no token", async () => {
  const res = await get("/open");
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { principal: null });
});

test("a missing, malformed, forged or expired token is 401 UNAUTHENTICATED", async () => {
  const expired = await createSigner(keys.privateKey, "k1", {
    clock: { now: () => new Date(Date.now() - 3600_000) },
  }).sign({ membershipId: newId("membership"), role: "staff" });
  const forged = await createSigner((await generateKeyPair("EdDSA")).privateKey, "k1").sign({
    membershipId: newId("membership"),
    role: "staff",
  });
  const token = await bearer("customer");
  for (const authorization of [
    undefined,
    "Basic YTpi",
    "Bearer",
    "Bearer not.a.jwt",
    token.slice(7),
    `Bearer ${expired}`,
    `Bearer ${forged}`,
  ]) {
    const res = await get("/signed-in", authorization);
    assert.equal(res.statusCode, 401, String(authorization));
    assert.equal(res.headers["content-type"], "application/problem+json; charset=utf-8");
    assert.equal(res.json().code, "UNAUTHENTICATED");
    assert.match(String(res.headers["www-authenticate"]), /^Bearer/);
  }
});

test("a valid token sets the principal; the scheme name is case-insensitive", async () => {
  const token = await bearer("customer");
  const res = await get("/signed-in", token.replace("Bearer", "bearer"));
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().role, "customer");
});

test("a role the route does not allow is 403 FORBIDDEN; an allowed one passes", async () => {
  for (const role of ["customer", "merchant"] as const) {
    const res = await get("/staff-only", await bearer(role));
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().code, "FORBIDDEN");
  }
  assert.equal((await get("/staff-only", await bearer("staff"))).statusCode, 200);
  assert.equal((await get("/staff-only")).statusCode, 401);
});

test("the OpenAPI document marks guarded routes with bearerAuth and their 401/403 problems", async () => {
  const doc = (await app.inject({ method: "GET", url: "/docs/json" })).json();
  assert.deepEqual(doc.components.securitySchemes.bearerAuth, {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  const staffOnly = doc.paths["/staff-only"].get;
  assert.deepEqual(staffOnly.security, [{ bearerAuth: [] }]);
  assert.ok(staffOnly.responses["401"] && staffOnly.responses["403"]);
  assert.ok(doc.paths["/signed-in"].get.responses["401"]);
  assert.equal(doc.paths["/signed-in"].get.responses["403"], undefined);
  assert.equal(doc.paths["/open"].get.security, undefined);
});

test("item 9: a token whose member withdrew or whose chain was revoked is 401; others pass", async () => {
  const [leaving, staying] = [newId("membership"), newId("membership")];
  const token = (membershipId: typeof leaving, chainId: string) =>
    signer.sign({ membershipId, role: "customer", chainId }).then((t) => `Bearer ${t}`);
  const [leavingToken, replayed, other] = [
    await token(leaving, "chain-a"),
    await token(staying, "chain-b"),
    await token(staying, "chain-c"),
  ];
  for (const t of [leavingToken, replayed, other]) assert.equal((await get("/signed-in", t)).statusCode, 200);
  revocations.revokeMember(leaving, clock.now());
  revocations.revokeChains(["chain-b"], clock.now());
  for (const t of [leavingToken, replayed]) {
    const res = await get("/signed-in", t);
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, "UNAUTHENTICATED");
  }
  assert.equal((await get("/signed-in", other)).statusCode, 200, "another session of the member");
});

test("a revocation is forgotten once every token it could refuse has expired", () => {
  const member = newId("membership");
  revocations.revokeMember(member, clock.now());
  revocations.revokeChains(["old-chain"], clock.now());
  const principal = { membershipId: member, role: "customer" as const, chainId: "old-chain" };
  assert.equal(revocations.refuses(principal), true);
  now += 900_000; // the token lifetime: a token issued just before may still be good
  assert.equal(revocations.refuses(principal), true);
  now += 70_000; // past the lifetime, the clock tolerance and the margin
  assert.equal(revocations.refuses(principal), false);
  assert.equal(revocations.refuses({ ...principal, chainId: undefined }), false);
  revocations.revokeChains(["ancient"], new Date(now - 3_600_000));
  assert.equal(revocations.refuses({ ...principal, chainId: "ancient" }), false, "loaded too late to matter");
  now = Date.now();
});

test("canAccess: a member reaches its own resources, staff everyone's", () => {
  const me = newId("membership");
  const someone = newId("membership");
  assert.equal(canAccess({ membershipId: me, role: "customer" }, me), true);
  assert.equal(canAccess({ membershipId: me, role: "merchant" }, someone), false);
  assert.equal(canAccess({ membershipId: me, role: "staff" }, someone), true);
});
