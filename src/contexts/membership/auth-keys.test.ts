import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, mock, test } from "node:test";
import { promisify } from "node:util";
import { calculateJwkThumbprint, decodeProtectedHeader, type JSONWebKeySet } from "jose";
import { newId } from "../../kernel/ids.js";
import { registerAuth } from "../../platform/auth/guard.js";
import { createRevocations } from "../../platform/auth/revocations.js";
import { createVerifier, remoteJwksOptions } from "../../platform/auth/tokens.js";
import { createInProcessBus } from "../../platform/bus/in-process.js";
import { loadConfig } from "../../platform/config.js";
import type { Db, Queryable } from "../../platform/db/db.js";
import { migrate, platformMigrationsDir } from "../../platform/db/migrate.js";
import { createMetrics } from "../../platform/http/metrics.js";
import { createHttpServer } from "../../platform/http/server.js";
import { createLogger } from "../../platform/logging.js";
import { openTestDb } from "../../testing/db.js";
import { ensureAdmin, loadAuthKeys } from "./api.js";
import { createMembershipModule, membershipMigrationsDir } from "./module.js";
import { member, noBank, testClock, testWallets } from "./test-app.js";

/** The access-token key from MYPAY_SIGNING_KEY (distributed) or the database (embedded), and its rotation. */

interface SecretKey {
  readonly text: string;
  readonly kid: string;
  readonly x: string;
  readonly d: string;
}

// The operators' script makes the keys, so it is tested too.
async function newKey(): Promise<SecretKey> {
  const { stdout } = await promisify(execFile)(process.execPath, ["scripts/signing-key.mjs"]);
  const jwk = JSON.parse(stdout);
  return { text: stdout.trim(), kid: jwk.kid, x: jwk.x, d: jwk.d };
}

const [key1, key2, key3] = await Promise.all([newKey(), newKey(), newKey()]);
const publicOnly = (k: SecretKey) => JSON.stringify({ kty: "OKP", crv: "Ed25519", x: k.x, kid: k.kid });
const kids = (jwks: JSONWebKeySet) => jwks.keys.map((k) => k.kid);
/** Secret mode must not touch the database at all. */
const noDatabase: Queryable = {
  query: () => Promise.reject(new Error("the database was read")),
  exec: () => Promise.reject(new Error("the database was written")),
};
const principal = { membershipId: newId("membership"), role: "customer" } as const;

const db = await openTestDb();
after(() => db.close());

/** Membership alone, as its service would start with these MYPAY_* variables, on the shared `db`. */
async function startMembership(env: Record<string, string>) {
  const config = loadConfig({
    MYPAY_ADMIN_EMAIL: "admin@mypay.test",
    MYPAY_ADMIN_PASSWORD: "admin-pw-1",
    ...env,
  });
  const clock = testClock();
  const revocations = createRevocations({ accessTokenTtlSeconds: config.accessTokenTtlSeconds, clock });
  const module = createMembershipModule({ money: testWallets().api, banking: noBank, revocations });
  await migrate(db, { schema: module.schema, dirs: [platformMigrationsDir, module.migrationsDir] });
  const logger = createLogger("silent");
  const metrics = createMetrics();
  const app = await createHttpServer({ logger, metrics, title: "auth-keys test" });
  await ensureAdmin(db, config, logger, clock);
  registerAuth(app, { verifier: (await loadAuthKeys(db, { ...config, clock })).verifier, revocations });
  const bus = createInProcessBus();
  await module.mount({ config, db, bus, app, logger, clock, kickRelay: () => {}, metrics: metrics.registry });
  await app.ready();
  const jwks = async () =>
    (await app.inject({ method: "GET", url: "/v1/auth/jwks" })).json() as JSONWebKeySet;
  const me = async (token: string) =>
    (
      await app.inject({
        method: "GET",
        url: "/v1/memberships/me",
        headers: { authorization: `Bearer ${token}` },
      })
    ).statusCode;
  return { app, jwks, me };
}

/** Where in the database a string occurs: every column of every table, as text. */
async function placesHolding(q: Db, needle: string): Promise<string[]> {
  const columns = await q.query<{ table_schema: string; table_name: string; column_name: string }>(
    `SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c
     JOIN information_schema.tables t USING (table_schema, table_name)
     WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  assert.ok(columns.length > 10, "membership's tables are there to search");
  const found: string[] = [];
  for (const c of columns) {
    const column = `"${c.table_schema}"."${c.table_name}"."${c.column_name}"`;
    const [row] = await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${c.table_schema}"."${c.table_name}" WHERE strpos("${c.column_name}"::text, $1) > 0`,
      [needle],
    );
    if (row && row.n > 0) found.push(column);
  }
  return found;
}

test("with MYPAY_SIGNING_KEY, logins sign with it, the JWKS serves it, and no database row holds it", async () => {
  const membership = await startMembership({ MYPAY_SIGNING_KEY: key1.text });
  try {
    const alice = await member(membership.app);
    assert.equal(decodeProtectedHeader(alice.accessToken).kid, key1.kid);
    const jwks = await membership.jwks();
    assert.deepEqual(kids(jwks), [key1.kid]);
    assert.equal((await createVerifier(jwks).verify(alice.accessToken))?.membershipId, alice.membershipId);
    assert.equal(await membership.me(alice.accessToken), 200);
    assert.deepEqual(await db.query("SELECT kid FROM membership.signing_keys"), []);
    assert.deepEqual(await placesHolding(db, key1.d), [], "the private key is nowhere in the database");
  } finally {
    await membership.app.close();
  }
});

test("the JWKS holds the current and the previous key by kid, public parts only, a key once", async () => {
  const rotated = await loadAuthKeys(noDatabase, { signingKey: key2.text, previousSigningKey: key1.text });
  assert.deepEqual(kids(rotated.jwks), [key2.kid, key1.kid]);
  for (const k of rotated.jwks.keys) {
    assert.deepEqual(Object.keys(k).sort(), ["alg", "crv", "kid", "kty", "use", "x"]);
  }
  const text = JSON.stringify(rotated.jwks);
  assert.ok(!text.includes(key1.d) && !text.includes(key2.d));

  const fromPublic = await loadAuthKeys(noDatabase, {
    signingKey: key2.text,
    previousSigningKey: publicOnly(key1),
  });
  assert.deepEqual(fromPublic.jwks, rotated.jwks, "the previous key may be given as its public JWK");
  const unrotated = await loadAuthKeys(noDatabase, { signingKey: key1.text, previousSigningKey: key1.text });
  assert.deepEqual(kids(unrotated.jwks), [key1.kid]);

  const { kid: _kid, ...withoutKid } = JSON.parse(key1.text);
  const thumbprinted = await loadAuthKeys(noDatabase, { signingKey: JSON.stringify(withoutKid) });
  const thumbprint = await calculateJwkThumbprint({ kty: "OKP", crv: "Ed25519", x: key1.x });
  assert.deepEqual(
    kids(thumbprinted.jwks),
    [thumbprint],
    "without a kid, the kid is the RFC 7638 thumbprint",
  );
  assert.equal(decodeProtectedHeader(await thumbprinted.signer.sign(principal)).kid, thumbprint);
});

test("a rotation: the old key's tokens verify after the restart, new ones carry the new kid", async () => {
  const before = await startMembership({ MYPAY_SIGNING_KEY: key1.text });
  const alice = await member(before.app);
  await before.app.close();

  const rotated = await startMembership({
    MYPAY_SIGNING_KEY: key2.text,
    MYPAY_PREVIOUS_SIGNING_KEY: key1.text,
  });
  try {
    assert.equal(await rotated.me(alice.accessToken), 200, "a token of the previous key still works");
    const bob = await member(rotated.app);
    assert.equal(decodeProtectedHeader(bob.accessToken).kid, key2.kid);
    assert.equal(await rotated.me(bob.accessToken), 200);
    assert.deepEqual(kids(await rotated.jwks()), [key2.kid, key1.kid]);
  } finally {
    await rotated.app.close();
  }

  const next = await startMembership({ MYPAY_SIGNING_KEY: key3.text, MYPAY_PREVIOUS_SIGNING_KEY: key2.text });
  try {
    assert.equal(await next.me(alice.accessToken), 401, "a key two rotations old verifies nothing");
    assert.notEqual(await next.me((await member(next.app)).accessToken), 401);
  } finally {
    await next.app.close();
  }
  assert.deepEqual(await placesHolding(db, key2.d), []);
});

test("a verifier that cached the old JWKS accepts the new key's tokens once its short cooldown is over", async () => {
  const old = await loadAuthKeys(noDatabase, { signingKey: key1.text });
  const rotated = await loadAuthKeys(noDatabase, { signingKey: key2.text, previousSigningKey: key1.text });
  const stranger = await loadAuthKeys(noDatabase, { signingKey: key3.text });
  let served = old.jwks;
  let fetches = 0;
  const server = createServer((_request, response) => {
    fetches += 1;
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify(served));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // jose times its cache and cooldown by Date.now(): move Date, not the wall clock.
  mock.timers.enable({ apis: ["Date"], now: Date.now() });
  try {
    const { port } = server.address() as AddressInfo;
    const verifier = createVerifier(new URL(`http://127.0.0.1:${port}/v1/auth/jwks`));
    assert.ok(await verifier.verify(await old.signer.sign(principal)));
    assert.equal(fetches, 1);

    served = rotated.jwks; // membership restarted with (new, previous = old)
    assert.ok(
      remoteJwksOptions.cooldownDuration <= 5_000,
      "a just-rotated key is refused a few seconds at most",
    );
    mock.timers.tick(remoteJwksOptions.cooldownDuration + 1);
    assert.equal(
      (await verifier.verify(await rotated.signer.sign(principal)))?.membershipId,
      principal.membershipId,
    );
    assert.equal(fetches, 2, "the unknown kid made it fetch the JWKS again");
    assert.ok(await verifier.verify(await old.signer.sign(principal)), "the previous key still verifies");

    assert.equal(await verifier.verify(await stranger.signer.sign(principal)), undefined);
    assert.equal(fetches, 2, "within the cooldown, unknown kids do not make it fetch");
  } finally {
    mock.timers.reset();
    server.close();
  }
});

test("a malformed or public-only MYPAY_SIGNING_KEY is refused by name, without quoting the secret", async () => {
  const { d: _d, ...key1Public } = JSON.parse(key1.text);
  const x25519 = generateKeyPairSync("x25519").privateKey.export({ format: "jwk" });
  const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
  const cases: Array<[string, string, string]> = [
    ["cut-off JSON", key1.text.slice(0, -2), key1.d],
    ["not JSON at all", `k${key1.d}`, `k${key1.d.slice(0, 8)}`], // JSON.parse would quote its start
    ["not a JSON object", JSON.stringify(key1.d), key1.d],
    ["a public key", JSON.stringify(key1Public), key1.x],
    ["an X25519 key", JSON.stringify(x25519), x25519.d as string],
    ["a P-256 key", JSON.stringify(p256), p256.d as string],
    ["a mangled d", JSON.stringify({ ...JSON.parse(key1.text), d: `${key1.d}!` }), key1.d],
    ["a short d", JSON.stringify({ ...JSON.parse(key1.text), d: key1.d.slice(0, 40) }), key1.d.slice(0, 40)],
    ["a d that is not the x's", JSON.stringify({ ...JSON.parse(key1.text), x: key2.x }), key1.d],
  ];
  for (const [what, signingKey, secret] of cases) {
    await assert.rejects(loadAuthKeys(noDatabase, { signingKey }), (error: Error) => {
      assert.match(error.message, /^MYPAY_SIGNING_KEY\b/, what);
      for (const told of [error.message, String(error.stack), String(error.cause)]) {
        assert.ok(!told.includes(secret) && !told.includes(signingKey), `${what}: ${told}`);
      }
      return true;
    });
  }
  await assert.rejects(
    loadAuthKeys(noDatabase, { signingKey: key2.text, previousSigningKey: `${key1.text}x` }),
    (error: Error) => /^MYPAY_PREVIOUS_SIGNING_KEY\b/.test(error.message) && !error.message.includes(key1.d),
  );
  await assert.rejects(
    loadAuthKeys(noDatabase, { previousSigningKey: key1.text }),
    /without MYPAY_SIGNING_KEY/,
  );
});

test("without a secret, the embedded key is created once in the database and reused; a secret overrides it", async () => {
  const embedded = await openTestDb();
  try {
    await migrate(embedded, { schema: "membership", dirs: [platformMigrationsDir, membershipMigrationsDir] });
    const first = await loadAuthKeys(embedded);
    const second = await loadAuthKeys(embedded);
    const rows = await embedded.query<{ kid: string; private_jwk: { d?: string } }>(
      "SELECT kid, private_jwk FROM membership.signing_keys",
    );
    assert.equal(rows.length, 1);
    assert.ok(rows[0]?.private_jwk.d, "the embedded deployment keeps its private key in its database");
    assert.deepEqual(kids(first.jwks), [rows[0]?.kid]);
    assert.deepEqual(second.jwks, first.jwks);
    assert.ok(await second.verifier.verify(await first.signer.sign(principal)), "the key is reused");
    assert.ok(!JSON.stringify(first.jwks).includes(rows[0]?.private_jwk.d as string));

    const fromSecret = await loadAuthKeys(embedded, { signingKey: key1.text });
    assert.deepEqual(kids(fromSecret.jwks), [key1.kid], "the database's key is not served");
    assert.equal(await fromSecret.verifier.verify(await first.signer.sign(principal)), undefined);
    assert.equal((await embedded.query("SELECT kid FROM membership.signing_keys")).length, 1);
  } finally {
    await embedded.close();
  }
});
