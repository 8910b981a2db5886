import type { Clock } from "../../kernel/clock.js";
import { fail, ok } from "../../kernel/errors.js";
import { registerAuth } from "../../platform/auth/guard.js";
import { createRevocations } from "../../platform/auth/revocations.js";
import { createInProcessBus } from "../../platform/bus/in-process.js";
import { loadConfig } from "../../platform/config.js";
import type { Db } from "../../platform/db/db.js";
import { migrate, platformMigrationsDir } from "../../platform/db/migrate.js";
import { createMetrics } from "../../platform/http/metrics.js";
import { createHttpServer, type HttpServer } from "../../platform/http/server.js";
import { createLogger } from "../../platform/logging.js";
import { openTestDb } from "../../testing/db.js";
import type { MoneyWallets } from "../money/api.js";
import { type AuthKeys, ensureAdmin, loadAuthKeys } from "./api.js";
import { createMembershipModule, type MembershipOptions } from "./module.js";

/** Test support (not production code): the membership context on a fresh database, in-process. */

export const admin = { email: "admin@mypay.test", password: "admin-password-1" };

/** A clock tests can move forward. */
export function testClock(start = Date.now()) {
  let now = start;
  return {
    now: () => new Date(now),
    advance(seconds: number) {
      now += seconds * 1000;
    },
  } satisfies Clock & { advance(seconds: number): void };
}

/**
 * Stands in for the money context (it is not mounted here): wallets hold what a test puts in them,
 * and a wallet closes for leaving only when it holds nothing. The whole app's tests use the real one.
 */
export function testWallets() {
  const held = new Map<string, number>();
  const closing = new Set<string>();
  const api: MoneyWallets = {
    async closeWalletForLeaving(membershipId) {
      const won = held.get(membershipId) ?? 0;
      if (won > 0) return fail("CONFLICT", `the member holds ${won} won`);
      closing.add(membershipId);
      return ok(undefined);
    },
    async reopenWallet(membershipId) {
      closing.delete(membershipId);
    },
  };
  return { api, hold: (membershipId: string, won: number) => held.set(membershipId, won), closing };
}

/** No bank here: franchises are registered in the whole app's tests (franchises.test.ts). */
export const noBank: MembershipOptions["banking"] = {
  verifyAccount: async () => fail("BANK_UNAVAILABLE", "this test app has no bank"),
};

export interface MembershipTestApp {
  readonly app: HttpServer;
  readonly db: Db;
  readonly clock: ReturnType<typeof testClock>;
  readonly keys: AuthKeys;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Money's api; by default testWallets(), whose wallets are all empty. */
  money?: MoneyWallets;
  /** Extra routes for a test, registered after the auth guard. */
  routes?: (app: HttpServer) => void;
}

export async function startMembershipApp(options: TestAppOptions = {}): Promise<MembershipTestApp> {
  const db = await openTestDb();
  const config = loadConfig({ MYPAY_ADMIN_EMAIL: admin.email, MYPAY_ADMIN_PASSWORD: admin.password });
  const clock = testClock();
  const revocations = createRevocations({ accessTokenTtlSeconds: config.accessTokenTtlSeconds, clock });
  const module = createMembershipModule({
    money: options.money ?? testWallets().api,
    banking: noBank,
    revocations,
  });
  await migrate(db, { schema: module.schema, dirs: [platformMigrationsDir, module.migrationsDir] });
  const logger = createLogger("silent");
  const metrics = createMetrics();
  const app = await createHttpServer({ logger, metrics, title: "membership test" });
  await ensureAdmin(db, config, logger, clock);
  const keys = await loadAuthKeys(db, { ...config, clock });
  registerAuth(app, { verifier: keys.verifier, revocations });
  options.routes?.(app);
  // The real in-process bus: the tests here read membership's outbox; no relay publishes it.
  const bus = createInProcessBus();
  await module.mount({ config, db, bus, app, logger, clock, kickRelay: () => {}, metrics: metrics.registry });
  await app.ready();
  return {
    app,
    db,
    clock,
    keys,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

let counter = 0;

/** A valid registration body with a fresh email. */
export function newMember(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    name: `Member ${counter}`,
    email: `member${counter}.${process.pid}@example.com`,
    password: `password-${counter}`,
    region: "Seoul",
    type: "personal",
    ...overrides,
  };
}

export async function register(app: HttpServer, body: Record<string, unknown>) {
  const res = await app.inject({ method: "POST", url: "/v1/memberships", payload: body });
  if (res.statusCode !== 201) throw new Error(`registration failed: ${res.statusCode} ${res.body}`);
  return res.json() as { membershipId: string; email: string };
}

export async function signIn(app: HttpServer, email: string, password: string) {
  const res = await app.inject({ method: "POST", url: "/v1/auth/login", payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return res.json() as { accessToken: string; refreshToken: string; expiresIn: number };
}

/** Registers a member and signs it in. */
export async function member(app: HttpServer, overrides: Record<string, unknown> = {}) {
  const body = newMember(overrides);
  const { membershipId } = await register(app, body);
  const session = await signIn(app, body.email, body.password);
  return { ...body, membershipId, ...session, auth: { authorization: `Bearer ${session.accessToken}` } };
}
