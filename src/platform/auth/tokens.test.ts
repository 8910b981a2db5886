import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import fc from "fast-check";
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from "jose";
import { newId } from "../../kernel/ids.js";
import { createSigner, createVerifier, type Principal } from "./tokens.js";

const keys = await generateKeyPair("EdDSA", { extractable: true });
const other = await generateKeyPair("EdDSA");
const principal: Principal = { membershipId: newId("membership"), role: "merchant" };
const signer = createSigner(keys.privateKey, "k1", { ttlSeconds: 900 });
const verifier = createVerifier(keys.publicKey);

test("a signed token verifies with the public key alone", async () => {
  const token = await signer.sign(principal);
  assert.deepEqual(await verifier.verify(token), principal);
  assert.equal(signer.ttlSeconds, 900);
});

test("item 9: two tokens signed in the same second differ (a random jti) and carry their chain (sid)", async () => {
  const frozen = { now: () => new Date(1_700_000_000_000) };
  const sameSecond = createSigner(keys.privateKey, "k1", { clock: frozen });
  const session = { ...principal, chainId: "2f0c6a3e-9a41-4a0e-9d52-8f1b2c3d4e5f" };
  const [a, b] = [await sameSecond.sign(session), await sameSecond.sign(session)];
  assert.notEqual(a, b);
  const [ca, cb] = [decodeJwt(a), decodeJwt(b)];
  assert.equal(ca.iat, cb.iat);
  assert.match(String(ca.jti), /^[0-9a-f-]{36}$/);
  assert.notEqual(ca.jti, cb.jti);
  assert.equal(ca.sid, session.chainId);
  const verifyThen = createVerifier(keys.publicKey, { clock: frozen });
  assert.deepEqual(await verifyThen.verify(a), session);
});

test("a token with a malformed chain id (sid) does not verify", async () => {
  const now = Math.floor(Date.now() / 1000);
  const build = (sid: unknown) =>
    new SignJWT({ role: "customer", sid })
      .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt" })
      .setSubject(principal.membershipId)
      .setIssuer("mypay")
      .setAudience("mypay")
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(keys.privateKey);
  for (const sid of [42, "", "a".repeat(65), "with space", ["x"]]) {
    assert.equal(await verifier.verify(await build(sid)), undefined, JSON.stringify(sid));
  }
});

test("a token from another key, or altered, does not verify", async () => {
  const forged = await createSigner(other.privateKey, "k1").sign(principal);
  assert.equal(await verifier.verify(forged), undefined);
  const token = await signer.sign(principal);
  const [header, , signature] = token.split(".");
  const payload = Buffer.from(JSON.stringify({ sub: principal.membershipId, role: "staff" })).toString(
    "base64url",
  );
  assert.equal(await verifier.verify(`${header}.${payload}.${signature}`), undefined);
});

test("an expired token does not verify", async () => {
  const past = { now: () => new Date(Date.now() - 20 * 60_000) };
  const old = await createSigner(keys.privateKey, "k1", { ttlSeconds: 900, clock: past }).sign(principal);
  assert.equal(await verifier.verify(old), undefined);
});

test("a token with another issuer, audience, type, algorithm or claims does not verify", async () => {
  const now = Math.floor(Date.now() / 1000);
  const build = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT({ role: "customer", ...claims })
      .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", ...header })
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(keys.privateKey);
  const base = { sub: principal.membershipId, iss: "mypay", aud: "mypay" };
  assert.ok(await verifier.verify(await build(base)));
  for (const claims of [
    { ...base, iss: "someone" },
    { ...base, aud: "other" },
    { ...base, role: "root" },
    { ...base, sub: "bac_0190f0c4d6a87c3a9d1e2b3c4d5e6f70" },
    { iss: "mypay", aud: "mypay" },
  ]) {
    assert.equal(await verifier.verify(await build(claims)), undefined, JSON.stringify(claims));
  }
  assert.equal(await verifier.verify(await build(base, { typ: "JWT" })), undefined);
  const hs = await new SignJWT(base)
    .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
    .sign(new Uint8Array(32));
  assert.equal(await verifier.verify(hs), undefined);
  const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(base)).toString("base64url")}.`;
  assert.equal(await verifier.verify(none), undefined);
});

test("any garbage is simply not a valid token", async () => {
  const token = await signer.sign(principal);
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.string(),
        fc.string({ unit: "binary" }),
        fc.constantFrom(token.slice(0, -2), `${token}.x`, ".", ".."),
      ),
      async (garbage) => {
        assert.equal(await verifier.verify(garbage), undefined);
      },
    ),
    { numRuns: 300 },
  );
});

test("a JWKS, local or fetched from a URL, verifies the tokens of its keys", async () => {
  const jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: "k1", alg: "EdDSA" }] };
  const token = await signer.sign(principal);
  assert.deepEqual(await createVerifier(jwks).verify(token), principal);
  const server = createServer((_req, res) =>
    res.setHeader("content-type", "application/json").end(JSON.stringify(jwks)),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const remote = createVerifier(new URL(`http://127.0.0.1:${port}/v1/auth/jwks`));
    assert.deepEqual(await remote.verify(token), principal);
    assert.equal(await remote.verify(await createSigner(other.privateKey, "k2").sign(principal)), undefined);
  } finally {
    server.close();
  }
});
