import { readFileSync } from "node:fs";
import { Cron } from "croner";

/**
 * The contexts a process may run. The HTTP edge (auth, request ids, /health, /ready, /metrics,
 * OpenAPI) is part of every process, so it is not a context one can leave out.
 */
export const contextNames = [
  "membership",
  "banking",
  "money",
  "remittance",
  "payment",
  "settlement",
  "query",
] as const;
export type ContextName = (typeof contextNames)[number];

/** What MYPAY_CONTEXTS and MYPAY_SERVICE_URLS may name: the contexts, and the gateway (the public edge of a split deployment). */
export type ServiceName = ContextName | "gateway";

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  busUrl: string | undefined;
  contexts: readonly ContextName[];
  /**
   * MYPAY_CONTEXTS=gateway: this process is the public entry of a split deployment and runs no
   * context; it routes by path to the services of serviceUrls.
   */
  gateway: boolean;
  /** Distributed: where each context this process calls or routes to serves (MYPAY_SERVICE_URLS). */
  serviceUrls: Readonly<Partial<Record<ContextName, string>>>;
  /** The shared secret of service-to-service calls (MYPAY_SERVICE_TOKEN or the file MYPAY_SERVICE_TOKEN_FILE names). */
  serviceToken: string | undefined;
  /** How long a call to another service waits for its answer before the outcome is unknown. */
  serviceTimeoutMs: number;
  /** The access-token signing key, a private JWK (MYPAY_SIGNING_KEY or the file MYPAY_SIGNING_KEY_FILE names). */
  signingKey: string | undefined;
  /** The key before it, still served in the JWKS so tokens it signed verify until they expire. */
  previousSigningKey: string | undefined;
  /** Where traces are exported (OTLP over HTTP); unset, no span leaves the process. */
  otlpUrl: string | undefined;
  bankUrl: string;
  bankPort: number;
  /** Where a process without the membership context fetches the public keys that verify tokens. */
  authJwksUrl: string | undefined;
  adminEmail: string;
  adminPassword: string | undefined;
  settlementCron: string;
  timeZone: string;
  logLevel: string;
  /** The most money a member may hold, in won. */
  balanceCap: number;
  /** The largest amount one request may move, in won. */
  transactionLimit: number;
  /** How long mypay waits for a bank's answer before the request is UNKNOWN. */
  bankTimeoutMs: number;
  /** The fee (won) of a member→bank remittance, taken from the sender's money. */
  remittanceFee: number;
  /** Points a payment earns, in bps of the part paid with money. */
  pointsAccrualBps: number;
  /** mypay's corporate account; when unset, one is opened at the sandbox bank at first start. */
  corporateBankCode: string;
  corporateAccountNumber: string | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

/** A bad setting: the process stops with this one line. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function url(env: Env, name: string, protocols: readonly string[], fallback?: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL (${protocols.join(" or ")}), got "${mask(name, raw)}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.join(" or ")}, got "${parsed.protocol}"`);
  }
  return raw;
}

function text(env: Env, name: string, fallback: string, pattern?: RegExp, rule?: string): string {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (pattern && !pattern.test(raw)) throw new ConfigError(`${name} ${rule}, got "${raw}"`);
  return raw;
}

function contexts(env: Env): { contexts: readonly ContextName[]; gateway: boolean } {
  const raw = env.MYPAY_CONTEXTS?.trim();
  if (!raw || raw === "all") return { contexts: contextNames, gateway: false };
  const names = raw.split(",").map((s) => s.trim());
  if (names.includes("gateway")) {
    if (names.length > 1)
      throw new ConfigError("MYPAY_CONTEXTS=gateway runs the gateway alone, with no context");
    return { contexts: [], gateway: true };
  }
  for (const n of names) {
    if (!(contextNames as readonly string[]).includes(n)) {
      throw new ConfigError(
        `MYPAY_CONTEXTS names an unknown context "${n}"; known: all, gateway, ${contextNames.join(", ")}`,
      );
    }
  }
  return { contexts: names as ContextName[], gateway: false };
}

function serviceUrls(env: Env): Partial<Record<ContextName, string>> {
  const raw = env.MYPAY_SERVICE_URLS?.trim();
  const urls: Partial<Record<ContextName, string>> = {};
  if (!raw) return urls;
  for (const pair of raw.split(",")) {
    const [name, value] = pair.split("=").map((s) => s.trim());
    if (!(contextNames as readonly string[]).includes(name ?? "")) {
      throw new ConfigError(
        `MYPAY_SERVICE_URLS names an unknown context "${name}"; the form is context=url,… with ${contextNames.join(", ")}`,
      );
    }
    const checked = url({ MYPAY_SERVICE_URLS: value }, "MYPAY_SERVICE_URLS", ["http:", "https:"]);
    if (!checked) throw new ConfigError(`MYPAY_SERVICE_URLS gives no URL for "${name}"`);
    urls[name as ContextName] = checked.replace(/\/+$/, "");
  }
  return urls;
}

/** A secret given as a variable, or as a file the variable `${name}_FILE` names (a mounted secret). */
function secret(env: Env, name: string, readFile: (path: string) => string): string | undefined {
  const file = env[`${name}_FILE`];
  if (file) {
    try {
      return readFile(file).trim() || undefined;
    } catch {
      throw new ConfigError(`${name}_FILE names a file that cannot be read: "${file}"`);
    }
  }
  return env[name] || undefined;
}

function cron(env: Env): string {
  const raw = text(env, "MYPAY_SETTLEMENT_CRON", "0 2 * * *");
  try {
    new Cron(raw, { paused: true, timezone: "Asia/Seoul" }).stop();
  } catch {
    throw new ConfigError(`MYPAY_SETTLEMENT_CRON must be a cron expression like "0 2 * * *", got "${raw}"`);
  }
  return raw;
}

const emailPattern = /^[^\s@]+@[^\s@]+$/;
const logLevels = /^(fatal|error|warn|info|debug|trace|silent)$/;

/** Reads and checks every MYPAY_* variable; throws ConfigError naming the first bad one. */
export function loadConfig(
  env: Env = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
): Config {
  const adminPassword = secret(env, "MYPAY_ADMIN_PASSWORD", readFile);
  if (adminPassword !== undefined && adminPassword.length < 8) {
    throw new ConfigError("MYPAY_ADMIN_PASSWORD must be at least 8 characters");
  }
  return {
    port: integer(env, "MYPAY_PORT", 8080, 0, 65535),
    host: text(env, "MYPAY_HOST", "127.0.0.1", /^[\w.:[\]-]+$/, "must be a host name or address"),
    dataDir: text(env, "MYPAY_DATA_DIR", "./data"),
    databaseUrl: url(env, "MYPAY_DATABASE_URL", ["postgres:", "postgresql:"]),
    busUrl: url(env, "MYPAY_BUS_URL", ["nats:"]),
    ...contexts(env),
    serviceUrls: serviceUrls(env),
    serviceToken: secret(env, "MYPAY_SERVICE_TOKEN", readFile),
    serviceTimeoutMs: integer(env, "MYPAY_SERVICE_TIMEOUT_MS", 3_000, 10, 120_000),
    signingKey: secret(env, "MYPAY_SIGNING_KEY", readFile),
    previousSigningKey: secret(env, "MYPAY_PREVIOUS_SIGNING_KEY", readFile),
    otlpUrl: url(
      env,
      "MYPAY_OTLP_URL",
      ["http:", "https:"],
      env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || undefined,
    ),
    bankUrl: url(env, "MYPAY_BANK_URL", ["http:", "https:"], "http://127.0.0.1:8090") as string,
    bankPort: integer(env, "MYPAY_BANK_PORT", 8090, 0, 65535),
    authJwksUrl: url(env, "MYPAY_AUTH_JWKS_URL", ["http:", "https:"]),
    adminEmail: text(
      env,
      "MYPAY_ADMIN_EMAIL",
      "admin@mypay.local",
      emailPattern,
      "must be an email address",
    ).toLowerCase(),
    adminPassword,
    settlementCron: cron(env),
    timeZone: "Asia/Seoul",
    logLevel: text(
      env,
      "MYPAY_LOG_LEVEL",
      "info",
      logLevels,
      "must be one of fatal, error, warn, info, debug, trace, silent",
    ),
    balanceCap: integer(env, "MYPAY_BALANCE_CAP", 2_000_000, 1, 1_000_000_000_000),
    transactionLimit: integer(env, "MYPAY_TRANSACTION_LIMIT", 2_000_000, 1, 1_000_000_000_000),
    bankTimeoutMs: integer(env, "MYPAY_BANK_TIMEOUT_MS", 5_000, 10, 120_000),
    remittanceFee: integer(env, "MYPAY_REMITTANCE_FEE", 500, 0, 1_000_000),
    pointsAccrualBps: integer(env, "MYPAY_POINTS_ACCRUAL_BPS", 100, 0, 10_000),
    corporateBankCode: text(
      env,
      "MYPAY_CORPORATE_BANK_CODE",
      "004",
      /^\d{3}$/,
      "must be a 3-digit bank code",
    ),
    corporateAccountNumber: env.MYPAY_CORPORATE_ACCOUNT || undefined,
    accessTokenTtlSeconds: integer(env, "MYPAY_ACCESS_TOKEN_TTL", 900, 30, 86_400),
    refreshTokenTtlSeconds: integer(env, "MYPAY_REFRESH_TOKEN_TTL", 30 * 86_400, 60, 365 * 86_400),
  };
}

const secretNames = /PASSWORD|SECRET|KEY|TOKEN/;

function mask(name: string, value: string): string {
  if (secretNames.test(name)) return "***";
  try {
    const u = new URL(value);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return value;
  }
}

/** The effective configuration for the start-up log, with secrets masked. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    databaseUrl: config.databaseUrl ? mask("MYPAY_DATABASE_URL", config.databaseUrl) : "(embedded PGlite)",
    busUrl: config.busUrl ? mask("MYPAY_BUS_URL", config.busUrl) : "(in-process)",
    adminPassword: config.adminPassword ? "***" : "(generated at first start)",
    serviceToken: config.serviceToken ? "***" : "(none)",
    signingKey: config.signingKey ? "***" : "(in the database)",
    previousSigningKey: config.previousSigningKey ? "***" : "(none)",
  };
}
