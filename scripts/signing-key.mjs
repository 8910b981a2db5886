// Prints a new access-token signing key: a private Ed25519 JWK, as one line of JSON, with its RFC 7638
// thumbprint as kid. It is the value of MYPAY_SIGNING_KEY (or the content of MYPAY_SIGNING_KEY_FILE);
// keep it secret, as it signs every access token. Usage: node scripts/signing-key.mjs > signing-key.json
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from "jose";

const { privateKey } = await generateKeyPair("EdDSA", { extractable: true });
const { kty, crv, x, d } = await exportJWK(privateKey);
const kid = await calculateJwkThumbprint({ kty, crv, x });
process.stdout.write(`${JSON.stringify({ kty, crv, x, d, kid, alg: "EdDSA", use: "sig" })}\n`);
