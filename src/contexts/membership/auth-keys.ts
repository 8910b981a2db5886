import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
} from "jose";
import type { Clock } from "../../kernel/clock.js";
import {
  createSigner,
  createVerifier,
  type TokenSigner,
  type TokenVerifier,
  tokenAlgorithm,
} from "../../platform/auth/tokens.js";
import { ConfigError } from "../../platform/config.js";
import type { Queryable } from "../../platform/db/db.js";
import { insertSigningKeyIfNone, signingKeys } from "./store.js";

export interface AuthKeys {
  readonly signer: TokenSigner;
  readonly verifier: TokenVerifier;
  /** The public keys, served at GET /v1/auth/jwks for services that verify tokens remotely. */
  readonly jwks: JSONWebKeySet;
}

/** The Config will do; tests add a clock. */
export interface AuthKeyOptions {
  readonly accessTokenTtlSeconds?: number;
  readonly clock?: Clock;
  /** MYPAY_SIGNING_KEY: a private Ed25519 JWK (JSON). Given, the database holds no key. */
  readonly signingKey?: string | undefined;
  /** MYPAY_PREVIOUS_SIGNING_KEY: the key before it (private or public JWK), still served in the JWKS. */
  readonly previousSigningKey?: string | undefined;
}

/** The key that signs, and the public keys that verify. */
interface KeyRing {
  readonly kid: string;
  readonly privateKey: CryptoKey | KeyObject;
  readonly jwks: JSONWebKeySet;
}

const currentName = "MYPAY_SIGNING_KEY";
const previousName = "MYPAY_PREVIOUS_SIGNING_KEY";
const howToMake = "make one with `node scripts/signing-key.mjs`";

async function createKey(db: Queryable): Promise<void> {
  const { privateKey } = await generateKeyPair(tokenAlgorithm, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const { d: _secret, ...publicJwk } = privateJwk;
  const kid = await calculateJwkThumbprint(publicJwk);
  await insertSigningKeyIfNone(db, kid, privateJwk, { ...publicJwk, kid, alg: tokenAlgorithm, use: "sig" });
}

/** The embedded deployment's key: created at the first start and shared through the membership schema. */
async function keysFromDatabase(db: Queryable): Promise<KeyRing> {
  let rows = await signingKeys(db);
  if (rows.length === 0) {
    await createKey(db);
    // Another process may have inserted first; its key is the one everyone uses.
    rows = await signingKeys(db);
  }
  const current = rows.find((r) => r.retired_at === null);
  if (!current) throw new Error("membership.signing_keys has no current key");
  const privateKey = await importJWK(current.private_jwk as JWK, tokenAlgorithm);
  if (privateKey instanceof Uint8Array) throw new Error("the signing key is not an asymmetric key");
  return { kid: current.kid, privateKey, jwks: { keys: rows.map((r) => r.public_jwk as JWK) } };
}

interface SecretKey {
  readonly kid: string;
  /** Only what verifies: never `d`. */
  readonly publicJwk: JWK;
  readonly privateKey: KeyObject | undefined;
}

// Every message says what is wrong and never quotes the secret (JSON.parse's message would).
function parseJwk(name: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`${name} must be a JSON Web Key, a JSON object (${howToMake})`);
  }
  return value as Record<string, unknown>;
}

const isKeyBytes = (value: unknown) => typeof value === "string" && /^[A-Za-z0-9_-]{43}$/.test(value);

function checkShape(name: string, jwk: Record<string, unknown>, mustSign: boolean): void {
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") {
    throw new ConfigError(`${name} must be an Ed25519 JWK (kty "OKP", crv "Ed25519", with x)`);
  }
  if (mustSign && jwk.d === undefined) {
    throw new ConfigError(`${name} is a public key; it must be the private key, with "d" (${howToMake})`);
  }
  // node would decode a mangled value leniently (it drops what is not base64url): refuse it instead.
  if (!isKeyBytes(jwk.x) || (jwk.d !== undefined && !isKeyBytes(jwk.d))) {
    throw new ConfigError(`${name} must hold "x" and "d" as 32 bytes in base64url (43 characters)`);
  }
  if (jwk.kid !== undefined && (typeof jwk.kid !== "string" || jwk.kid === "")) {
    throw new ConfigError(`${name} has a "kid" that is not a non-empty string`);
  }
}

/** Checks x is a public key and, when the JWK has `d`, that `d` is its private key; returns that. */
function importPair(name: string, x: string, d: string | undefined): KeyObject | undefined {
  let privateKey: KeyObject | undefined;
  try {
    createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
    if (d !== undefined)
      privateKey = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", x, d }, format: "jwk" });
  } catch {
    throw new ConfigError(`${name} is not a valid Ed25519 key`);
  }
  // node ignores x when it imports a private JWK: a wrong x would sign tokens nobody can verify.
  if (privateKey && createPublicKey(privateKey).export({ format: "jwk" }).x !== x) {
    throw new ConfigError(`${name} is not one key: its "x" is not the public part of its "d"`);
  }
  return privateKey;
}

async function keyFromSecret(name: string, text: string, mustSign: boolean): Promise<SecretKey> {
  const jwk = parseJwk(name, text);
  checkShape(name, jwk, mustSign);
  const privateKey = importPair(name, jwk.x as string, jwk.d as string | undefined);
  const bare = { kty: "OKP", crv: "Ed25519", x: jwk.x as string };
  const kid = (jwk.kid as string | undefined) ?? (await calculateJwkThumbprint(bare));
  return { kid, privateKey, publicJwk: { ...bare, kid, alg: tokenAlgorithm, use: "sig" } };
}

/** The distributed deployment's keys: from the secrets alone, never read from or written to the database. */
async function keysFromSecrets(signingKey: string, previousSigningKey: string | undefined): Promise<KeyRing> {
  const current = await keyFromSecret(currentName, signingKey, true);
  const previous = previousSigningKey
    ? await keyFromSecret(previousName, previousSigningKey, false)
    : undefined;
  const sameKid = previous?.kid === current.kid;
  if (sameKid && previous?.publicJwk.x !== current.publicJwk.x) {
    throw new ConfigError(`${previousName} is another key with the kid of ${currentName}`);
  }
  // Not yet rotated (previous = current): one entry, as a kid must name one key.
  const keys = previous && !sameKid ? [current.publicJwk, previous.publicJwk] : [current.publicJwk];
  return { kid: current.kid, privateKey: current.privateKey as KeyObject, jwks: { keys } };
}

/**
 * The access-token signing key: from MYPAY_SIGNING_KEY when it is set (the JWKS then serves it and
 * MYPAY_PREVIOUS_SIGNING_KEY), else the embedded default kept in the membership schema. Call after
 * the migrations, before mounting routes.
 */
export async function loadAuthKeys(db: Queryable, options: AuthKeyOptions = {}): Promise<AuthKeys> {
  if (options.previousSigningKey && !options.signingKey) {
    throw new ConfigError(`${previousName} is set without ${currentName}`);
  }
  const ring = options.signingKey
    ? await keysFromSecrets(options.signingKey, options.previousSigningKey)
    : await keysFromDatabase(db);
  return {
    signer: createSigner(ring.privateKey, ring.kid, {
      ttlSeconds: options.accessTokenTtlSeconds,
      clock: options.clock,
    }),
    verifier: createVerifier(ring.jwks, { clock: options.clock }),
    jwks: ring.jwks,
  };
}
