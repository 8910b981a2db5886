import { generateKeyPair } from "jose";
import { type Clock, systemClock } from "../../kernel/clock.js";
import { newId } from "../../kernel/ids.js";
import { registerAuth } from "../../platform/auth/guard.js";
import { createRevocations } from "../../platform/auth/revocations.js";
import { createSigner, createVerifier, type Role, tokenAlgorithm } from "../../platform/auth/tokens.js";
import { createInProcessBus } from "../../platform/bus/in-process.js";
import { type Config, loadConfig } from "../../platform/config.js";
import type { Db } from "../../platform/db/db.js";
import { migrate, platformMigrationsDir } from "../../platform/db/migrate.js";
import { createMetrics } from "../../platform/http/metrics.js";
import { createHttpServer, type HttpServer } from "../../platform/http/server.js";
import { createLogger } from "../../platform/logging.js";
import { openTestDb } from "../../testing/db.js";
import type { FirmbankingCompleted } from "./api.js";
import { type Banking, type BankingOptions, bankingMigrationsDir, createBanking } from "./module.js";

/** For banking's tests: a fresh database, banking wired to a running bank, signed-in members. */

export const testLogger = createLogger(process.env.MYPAY_LOG_LEVEL ?? "silent", "banking-test");

export interface KitOptions {
  readonly bankTimeoutMs?: number;
  readonly corporateAccountNumber?: string;
  /** Mount the module on an HTTP app (routes, setup and the background resolver). */
  readonly mount?: boolean;
}

type Tweaks = Partial<
  Pick<BankingOptions, "clock" | "bankBaseUrl" | "resilience" | "resolverBaseMs" | "resolverMaxChecks">
>;

/** A fresh test database: the bank under test may share it (its own schema) to spare a second start. */
export { openTestDb };

export async function openKit(db: Db, bankUrl: string, options: KitOptions = {}) {
  await migrate(db, { schema: "banking", dirs: [platformMigrationsDir, bankingMigrationsDir] });
  const config: Config = {
    ...loadConfig({}),
    bankUrl,
    bankTimeoutMs: options.bankTimeoutMs ?? 1_000,
    corporateAccountNumber: options.corporateAccountNumber,
  };
  const names = new Map<string, string>();
  // Another banking on the same database: another process, or this one with other settings.
  const another = (tweaks: Tweaks = {}): Banking =>
    createBanking({
      db,
      config,
      logger: testLogger,
      memberName: async (id) => names.get(id),
      resolverBaseMs: 20,
      resolverPollMs: 50,
      resilience: { retries: 1, retryBaseMs: 5, breakerThreshold: 5, halfOpenAfterMs: 300 },
      ...tweaks,
    });
  const banking = another();
  const { app, stop, signer } = await serve(banking, options.mount ?? false, { db, config });

  return {
    db,
    config,
    banking,
    api: banking.api,
    app,
    another,
    /** A member with this name (as membership would answer) and an access token for it. */
    async member(name: string, role: Role = "customer") {
      const id = newId("membership");
      names.set(id, name);
      return { id, token: await signer.sign({ membershipId: id, role }) };
    },
    async completedEvents(): Promise<FirmbankingCompleted[]> {
      const rows = await db.query<{ data: FirmbankingCompleted }>(
        "SELECT data FROM banking.outbox WHERE type = 'FirmbankingCompleted' ORDER BY seq",
      );
      return rows.map((r) => r.data);
    },
    async close() {
      await stop?.();
      await app.close();
    },
  };
}

export type Kit = Awaited<ReturnType<typeof openKit>>;

async function serve(banking: Banking, mount: boolean, env: Pick<BankingOptions, "db" | "config">) {
  const { privateKey, publicKey } = await generateKeyPair(tokenAlgorithm);
  const signer = createSigner(privateKey, "banking-test");
  const metrics = createMetrics();
  const app: HttpServer = await createHttpServer({ logger: testLogger, metrics, title: "banking" });
  registerAuth(app, {
    verifier: createVerifier(publicKey),
    revocations: createRevocations({ accessTokenTtlSeconds: 900 }),
  });
  const clock: Clock = systemClock;
  const stop = mount
    ? await banking.module.mount({
        ...env,
        app,
        logger: testLogger,
        clock,
        bus: createInProcessBus(),
        kickRelay: () => {},
        metrics: metrics.registry,
      })
    : undefined;
  await app.ready();
  if (mount) banking.module.start?.();
  return { app, stop, signer };
}

/** Polls until check passes (the background resolver works on its own schedule). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("the condition did not come true in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
