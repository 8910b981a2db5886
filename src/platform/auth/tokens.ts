import { randomUUID } from "node:crypto";
import {
  type CryptoKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
  type KeyObject,
  SignJWT,
} from "jose";
import { type Clock, systemClock } from "../../kernel/clock.js";
import { type Id, parseId } from "../../kernel/ids.js";

import { type Role, roles } from "../../kernel/roles.js";
import { verifiedTokens } from "./verified-tokens.js";

export { type Role, roles };

/** Who is calling: the member an access token was issued to, and its role then. */
export interface Principal {
  readonly membershipId: Id<"membership">;
  readonly role: Role;
  /**
   * The refresh chain (session) the token was issued for, its `sid` claim: revoking the chain
   * refuses its access tokens too. Absent only on tokens signed outside a session (tests, tools).
   */
  readonly chainId?: string;
}

export const tokenAlgorithm = "EdDSA";
const issuer = "mypay";
const audience = "mypay";
// RFC 9068: marks the JWT as an access token so no other kind of JWT is accepted in its place.
const tokenType = "at+jwt";
// Replicas' clocks drift a little; a token is not rejected for a few seconds' skew.
export const clockToleranceSeconds = 5;
// A chain id is a UUID; bounded so that a forged claim cannot grow the revocation checks.
const chainIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export interface TokenSigner {
  /** How long an access token lives, for the `expiresIn` of a login answer. */
  readonly ttlSeconds: number;
  sign(principal: Principal): Promise<string>;
}

export interface SignerOptions {
  ttlSeconds?: number;
  clock?: Clock;
}

/** Signs short-lived access tokens; only the membership context holds the private key. */
export function createSigner(
  privateKey: CryptoKey | KeyObject,
  kid: string,
  options: SignerOptions = {},
): TokenSigner {
  const ttlSeconds = options.ttlSeconds ?? 900;
  const clock = options.clock ?? systemClock;
  return {
    ttlSeconds,
    sign(principal) {
      const issuedAt = Math.floor(clock.now().getTime() / 1000);
      const claims = principal.chainId
        ? { role: principal.role, sid: principal.chainId }
        : { role: principal.role };
      // A random jti: two tokens signed in the same second for the same member still differ.
      return new SignJWT(claims)
        .setProtectedHeader({ alg: tokenAlgorithm, kid, typ: tokenType })
        .setJti(randomUUID())
        .setSubject(principal.membershipId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ttlSeconds)
        .sign(privateKey);
    },
  };
}

export interface TokenVerifier {
  /** The principal of a valid access token; undefined when it is malformed, forged or expired. */
  verify(token: string): Promise<Principal | undefined>;
}

/** A public key, a JWKS document, or the URL of one (a service in the distributed deployment). */
export type VerificationKeys = CryptoKey | KeyObject | JSONWebKeySet | URL;

/**
 * jose fetches the JWKS again when a token names a kid it does not know, at most once per cooldown
 * (its default, 30 s, would refuse a just-rotated key's tokens that long on a verifier that fetched
 * shortly before the rotation); and at least every max-age, as the route's Cache-Control says, so a
 * key dropped from the JWKS is not trusted for long.
 */
export const remoteJwksOptions = { cooldownDuration: 3_000, cacheMaxAge: 300_000 } as const;

function keyResolver(keys: VerificationKeys): CryptoKey | KeyObject | JWTVerifyGetKey {
  if (keys instanceof URL) return createRemoteJWKSet(keys, remoteJwksOptions);
  if ("keys" in keys && Array.isArray(keys.keys)) return createLocalJWKSet(keys);
  return keys as CryptoKey | KeyObject;
}

// The key source could not be reached or read: a fault of ours, not a bad token.
const infrastructureErrors = [errors.JWKSTimeout, errors.JWKSInvalid];

function toPrincipal(payload: {
  sub?: string | undefined;
  role?: unknown;
  sid?: unknown;
}): Principal | undefined {
  const membershipId = parseId("membership", payload.sub ?? "");
  const role = roles.find((r) => r === payload.role);
  if (!membershipId || !role) return undefined;
  if (payload.sid === undefined) return { membershipId, role };
  const chainId =
    typeof payload.sid === "string" && chainIdPattern.test(payload.sid) ? payload.sid : undefined;
  return chainId ? { membershipId, role, chainId } : undefined;
}

export interface VerifierOptions {
  readonly clock?: Clock;
  /** How many verified tokens to remember until they expire (0: verify every time). */
  readonly cacheSize?: number;
}

/** Enough for every member signed in at once on a busy replica; ~0.5 KB a token. */
const defaultVerifiedTokenCache = 10_000;

/**
 * Verifies access tokens with public keys only, so any service can check them. A token verified
 * once is remembered until its `exp` (with the clock tolerance), as jose would still accept it then.
 */
export function createVerifier(keys: VerificationKeys, options: VerifierOptions = {}): TokenVerifier {
  const key = keyResolver(keys);
  const clock = options.clock ?? systemClock;
  const cache = verifiedTokens(options.cacheSize ?? defaultVerifiedTokenCache, clock);
  return {
    async verify(token) {
      const cached = cache.get(token);
      if (cached) return cached;
      try {
        const { payload } = await jwtVerify(token, key as JWTVerifyGetKey, {
          algorithms: [tokenAlgorithm],
          issuer,
          audience,
          typ: tokenType,
          requiredClaims: ["sub", "exp", "iat"],
          currentDate: clock.now(),
          clockTolerance: clockToleranceSeconds,
        });
        const principal = toPrincipal(payload);
        if (principal) cache.set(token, principal, ((payload.exp as number) + clockToleranceSeconds) * 1000);
        return principal;
      } catch (error) {
        if (!(error instanceof errors.JOSEError)) throw error;
        if (infrastructureErrors.some((kind) => error instanceof kind)) throw error;
        return undefined;
      }
    },
  };
}
