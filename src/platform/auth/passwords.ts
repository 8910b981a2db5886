import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/** Cost parameters for new hashes; stored in each hash so they can be raised later. */
const cost = { N: 16_384, r: 8, p: 1 } as const;
const saltBytes = 16;
const keyBytes = 32;
// Stored parameters are read back from the database: bound them so a bad row cannot exhaust memory.
const maxN = 1 << 20;
const maxmem = 256 * 1024 * 1024;

function derive(password: string, salt: Buffer, options: ScryptOptions, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // The async form keeps the slow derivation off the event loop.
    scrypt(password.normalize("NFC"), salt, length, { ...options, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Hashes with a fresh salt: `scrypt$N$r$p$<salt b64url>$<hash b64url>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltBytes);
  const hash = await derive(password, salt, cost, keyBytes);
  return ["scrypt", cost.N, cost.r, cost.p, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

interface ParsedHash {
  options: ScryptOptions;
  salt: Buffer;
  hash: Buffer;
}

function parse(encoded: string): ParsedHash | undefined {
  const parts = encoded.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const valid = [N, r, p].every((n) => Number.isSafeInteger(n) && n > 0) && N <= maxN && r * p <= 64;
  if (!valid || (N & (N - 1)) !== 0) return undefined;
  const salt = Buffer.from(parts[4] ?? "", "base64url");
  const hash = Buffer.from(parts[5] ?? "", "base64url");
  if (salt.length === 0 || hash.length < 16) return undefined;
  return { options: { N, r, p }, salt, hash };
}

let decoy: Promise<string> | undefined;

/**
 * True when the password matches the stored hash. With no hash (an unknown email) it checks against a
 * decoy, so the answer takes as long and does not tell which emails are registered.
 */
export async function verifyPassword(password: string, encoded: string | undefined): Promise<boolean> {
  decoy ??= hashPassword(randomBytes(16).toString("hex"));
  const parsed = parse(encoded ?? (await decoy));
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.options, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash) && encoded !== undefined;
}
