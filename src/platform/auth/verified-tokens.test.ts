import assert from "node:assert/strict";
import { test } from "node:test";
import { generateKeyPair } from "jose";
import { newId } from "../../kernel/ids.js";
import { checkToken } from "./guard.js";
import { createRevocations } from "./revocations.js";
import { clockToleranceSeconds, createSigner, createVerifier, type Principal } from "./tokens.js";
import { verifiedTokens } from "./verified-tokens.js";

const keys = await generateKeyPair("EdDSA");
const start = Date.UTC(2026, 0, 1, 9, 0, 0);
function testClock() {
  let now = start;
  return { clock: { now: () => new Date(now) }, advance: (ms: number) => (now += ms) };
}
const customer = (): Principal => ({ membershipId: newId("membership"), role: "customer", chainId: "c-1" });

test("a remembered token is refused once it expires, exactly when jose would refuse it", async () => {
  const { clock, advance } = testClock();
  const token = await createSigner(keys.privateKey, "k1", { ttlSeconds: 60, clock }).sign(customer());
  const verifier = createVerifier(keys.publicKey, { clock });
  assert.ok(await verifier.verify(token));
  advance((60 + clockToleranceSeconds) * 1000 - 1);
  assert.ok(await verifier.verify(token), "still within the tolerance");
  advance(1);
  assert.equal(await verifier.verify(token), undefined, "expired, though verified before");
  const fresh = createVerifier(keys.publicKey, { clock });
  assert.equal(await fresh.verify(token), undefined, "the same answer without a cache");
});

test("a token altered in its claims or signature never matches the remembered one", async () => {
  const principal = customer();
  const token = await createSigner(keys.privateKey, "k1").sign(principal);
  const verifier = createVerifier(keys.publicKey);
  assert.deepEqual(await verifier.verify(token), principal);
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  const asStaff = Buffer.from(JSON.stringify({ ...claims, role: "staff" })).toString("base64url");
  const flipped = `${signature.slice(0, -2)}${signature.endsWith("AA") ? "BA" : "AA"}`;
  const otherKid = Buffer.from(JSON.stringify({ alg: "EdDSA", kid: "k2", typ: "at+jwt" })).toString(
    "base64url",
  );
  assert.notEqual(otherKid, header);
  for (const altered of [
    `${header}.${asStaff}.${signature}`,
    `${header}.${payload}.${flipped}`,
    `${otherKid}.${payload}.${signature}`,
  ]) {
    assert.equal(await verifier.verify(altered), undefined, altered);
  }
  assert.deepEqual(await verifier.verify(token), principal, "the genuine token still passes");
});

test("a remembered token is refused as soon as its member withdraws or its chain is revoked", async () => {
  const { clock, advance } = testClock();
  const check = {
    verifier: createVerifier(keys.publicKey, { clock }),
    revocations: createRevocations({ accessTokenTtlSeconds: 900, clock }),
  };
  const signer = createSigner(keys.privateKey, "k1", { clock });
  const [leaving, revoked] = [customer(), { ...customer(), chainId: "c-2" }];
  const [leavingToken, revokedToken] = [await signer.sign(leaving), await signer.sign(revoked)];
  assert.deepEqual(await checkToken(check, leavingToken), leaving);
  assert.deepEqual(await checkToken(check, revokedToken), revoked);
  advance(1_000);
  check.revocations.revokeMember(leaving.membershipId, clock.now());
  check.revocations.revokeChains(["c-2"], clock.now());
  assert.equal(await checkToken(check, leavingToken), undefined);
  assert.equal(await checkToken(check, revokedToken), undefined);
});

test("the cache is bounded: past its capacity the least recently used token is forgotten", () => {
  const { clock } = testClock();
  const cache = verifiedTokens(2, clock);
  const [a, b, c] = [customer(), customer(), customer()];
  const later = start + 60_000;
  cache.set("a", a, later);
  cache.set("b", b, later);
  assert.equal(cache.get("a"), a, "a is now the most recently used");
  cache.set("c", c, later);
  assert.equal(cache.size, 2);
  assert.equal(cache.get("b"), undefined, "b was the least recently used");
  assert.equal(cache.get("a"), a);
  assert.equal(cache.get("c"), c);
  const none = verifiedTokens(0, clock);
  none.set("a", a, later);
  assert.equal(none.get("a"), undefined, "capacity 0 remembers nothing");
});
