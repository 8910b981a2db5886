import type { Clock } from "../../kernel/clock.js";
import type { Id } from "../../kernel/ids.js";
import { registerAuth } from "../../platform/auth/guard.js";
import type { EventBus } from "../../platform/bus/bus.js";
import { createInProcessBus } from "../../platform/bus/in-process.js";
import { loadConfig } from "../../platform/config.js";
import type { Db } from "../../platform/db/db.js";
import { migrate, platformMigrationsDir } from "../../platform/db/migrate.js";
import { createMetrics } from "../../platform/http/metrics.js";
import { createHttpServer, type HttpServer } from "../../platform/http/server.js";
import { createLogger } from "../../platform/logging.js";
import { openTestDb } from "../../testing/db.js";
import { type AuthKeys, ensureAdmin, loadAuthKeys } from "./api.js";
import { createMembershipModule } from "./module.js";

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

// The real in-process bus: the tests here read membership's outbox; nothing subscribes.
const noBus: EventBus = createInProcessBus();

export interface MembershipTestApp {
  readonly app: HttpServer;
  readonly db: Db;
  readonly clock: ReturnType<typeof testClock>;
  readonly keys: AuthKeys;
  close(): Promise<void>;
}

export interface TestAppOptions {
  moneyBalanceOf?: (membershipId: Id<"membership">) => Promise<number>;
  /** Extra routes for a test, registered after the auth guard. */
  routes?: (app: HttpServer) => void;
}

export async function startMembershipApp(options: TestAppOptions = {}): Promise<MembershipTestApp> {
  const db = await openTestDb();
  const module = createMembershipModule(
    options.moneyBalanceOf ? { moneyBalanceOf: options.moneyBalanceOf } : {},
  );
  await migrate(db, { schema: module.schema, dirs: [platformMigrationsDir, module.migrationsDir] });
  const config = loadConfig({ MYPAY_ADMIN_EMAIL: admin.email, MYPAY_ADMIN_PASSWORD: admin.password });
  const logger = createLogger("silent");
  const clock = testClock();
  const app = await createHttpServer({ logger, metrics: createMetrics(), title: "membership test" });
  await ensureAdmin(db, config, logger, clock);
  const keys = await loadAuthKeys(db, { ...config, clock });
  registerAuth(app, keys.verifier);
  options.routes?.(app);
  await module.mount({ config, db, bus: noBus, app, logger, clock, kickRelay: () => {} });
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
