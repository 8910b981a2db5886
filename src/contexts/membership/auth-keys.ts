import {
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
}

async function createKey(db: Queryable): Promise<void> {
  const { privateKey } = await generateKeyPair(tokenAlgorithm, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const { d: _secret, ...publicJwk } = privateJwk;
  const kid = await calculateJwkThumbprint(publicJwk);
  await insertSigningKeyIfNone(db, kid, privateJwk, { ...publicJwk, kid, alg: tokenAlgorithm, use: "sig" });
}

/**
 * The access-token signing key, created at the first start and shared by every process through the
 * membership schema. Call after the migrations, before mounting routes.
 */
export async function loadAuthKeys(db: Queryable, options: AuthKeyOptions = {}): Promise<AuthKeys> {
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
  const jwks: JSONWebKeySet = { keys: rows.map((r) => r.public_jwk as JWK) };
  return {
    signer: createSigner(privateKey, current.kid, {
      ttlSeconds: options.accessTokenTtlSeconds,
      clock: options.clock,
    }),
    verifier: createVerifier(jwks, { clock: options.clock }),
    jwks,
  };
}
