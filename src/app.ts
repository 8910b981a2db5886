import { join } from "node:path";
import { type BankingOptions, createBanking } from "./contexts/banking/module.js";
import { createMembershipApi } from "./contexts/membership/api.js";
import { createMembershipModule, ensureAdmin, loadAuthKeys } from "./contexts/membership/module.js";
import { createMoney, type MoneyOptions } from "./contexts/money/module.js";
import { createPayment } from "./contexts/payment/module.js";
import { queryModule } from "./contexts/query/module.js";
import { createRemittance } from "./contexts/remittance/module.js";
import { createSettlement } from "./contexts/settlement/module.js";
import { type Clock, systemClock } from "./kernel/clock.js";
import { registerAuth } from "./platform/auth/guard.js";
import { createRevocations } from "./platform/auth/revocations.js";
import { createVerifier } from "./platform/auth/tokens.js";
import type { EventBus } from "./platform/bus/bus.js";
import { createInProcessBus } from "./platform/bus/in-process.js";
import type { Config } from "./platform/config.js";
import type { RetryPolicy } from "./platform/consumers.js";
import type { ContextModule } from "./platform/context.js";
import type { Db } from "./platform/db/db.js";
import { migrateAll, platformMigrationsDir } from "./platform/db/migrate.js";
import { registerDeadLetterRoutes } from "./platform/dead-letters.js";
import { createHeartbeat } from "./platform/heartbeat.js";
import { createMetrics } from "./platform/http/metrics.js";
import { registerOperations } from "./platform/http/operations.js";
import { createHttpServer, type HttpServer } from "./platform/http/server.js";
import type { Logger } from "./platform/logging.js";
import { createRedelivery } from "./platform/redelivery.js";
import { createOutboxRelay } from "./platform/relay.js";
import { registerSagaAdminRoutes, registerSagaMetrics } from "./platform/saga/admin-routes.js";
import type { SagaEngine } from "./platform/saga/engine.js";
import type { SagaTuning } from "./platform/saga/tuning.js";

export interface MypayOptions {
  config: Config;
  logger: Logger;
  /** Given by tests (an in-memory PGlite, a fresh PostgreSQL database); else from the config. */
  db?: Db;
  bus?: EventBus;
  clock?: Clock;
  /** Tuning for tests: saga waits and polling, faults that stop a saga as if the process died. */
  money?: Partial<
    Pick<
      MoneyOptions,
      "sagaWaitMs" | "sagaPollMs" | "sagaRetry" | "sagaLeaseMs" | "sagaFaults" | "sagaBudget"
    >
  >;
  /** The same tuning for the sagas of remittance, payment and settlement. */
  sagas?: SagaTuning;
  banking?: Partial<
    Pick<
      BankingOptions,
      "resolverBaseMs" | "resolverMaxMs" | "resolverPollMs" | "resolverMaxChecks" | "resilience"
    >
  >;
  /** Retries of failed consumers before their events become dead letters; how often they are looked for. */
  consumerRetry?: Partial<RetryPolicy> & { readonly pollMs?: number };
}

export interface Mypay {
  readonly app: HttpServer;
  readonly db: Db;
  readonly bus: EventBus;
  /** Every context of this codebase, wired (whether this process mounts it or not). */
  readonly contexts: ReturnType<typeof wireContexts>;
  /**
   * Starts the background work (outbox relays, saga worker, resolver) once the server is ready:
   * after listen, so a backlog does not compete with start-up. Tests call it too (src/testing).
   */
  startBackground(): void;
  /** Stops taking requests, finishes those in flight, drains relays and consumers, closes the database. */
  close(): Promise<void>;
}

/** The engine's driver is loaded only when used: a process on PostgreSQL never loads PGlite, nor the reverse. */
export async function openDatabase(config: Config): Promise<Db> {
  if (config.databaseUrl) {
    const { openPostgres } = await import("./platform/db/postgres.js");
    return openPostgres(config.databaseUrl, { applicationName: `mypay:${config.contexts.join("+")}` });
  }
  const { openPglite } = await import("./platform/db/pglite.js");
  return openPglite(join(config.dataDir, "mypay"));
}

export async function openBus(config: Config, logger: Logger): Promise<EventBus> {
  if (!config.busUrl) return createInProcessBus(logger);
  const { connectNatsBus } = await import("./platform/bus/nats.js");
  return connectNatsBus({ url: config.busUrl, logger });
}

/** The composition root: wires the contexts this process runs to the adapters the config names. */
export async function createMypay(options: MypayOptions): Promise<Mypay> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const db = options.db ?? (await openDatabase(config));
  const bus = options.bus ?? (await openBus(config, logger));
  const contexts = wireContexts(options, db, clock);
  const modules = contexts.modules.filter((m) => (config.contexts as readonly string[]).includes(m.name));
  await migrateAll(
    db,
    modules.map((m) => ({ schema: m.schema, dirs: [platformMigrationsDir, m.migrationsDir] })),
  );

  const metrics = createMetrics();
  const app = await createHttpServer({
    logger,
    metrics,
    title: "mypay",
    description: "Easy payment (간편결제): prepaid money, remittance, payments, points and settlement.",
  });
  let closing = false;
  const moduleChecks = Object.fromEntries(
    modules.flatMap((m) => (m.problem ? [[m.name, () => m.problem!()] as const] : [])),
  );
  const checks = { eventBus: () => bus.problem(), ...moduleChecks };
  registerOperations(app, { db, checks, closing: () => closing });

  const runsMembership = modules.some((m) => m.name === "membership");
  if (runsMembership) await ensureAdmin(db, config, logger);
  const verifier = runsMembership
    ? (await loadAuthKeys(db, config)).verifier
    : createVerifier(new URL(requireJwks(config)));
  registerAuth(app, { verifier, revocations: contexts.revocations });

  const relays = modules.map((m) =>
    createOutboxRelay({ db, schema: m.schema, bus, logger: logger.child({ relay: m.schema }) }),
  );
  const redeliveries = modules.map((m) =>
    createRedelivery({ db, schema: m.schema, logger, ...options.consumerRetry }),
  );
  registerDeadLetterRoutes(app, db, redeliveries);
  const sagaEngines = modules.flatMap((m) => {
    const engine = contexts.sagaEngines[m.name];
    return engine ? [engine] : [];
  });
  registerSagaAdminRoutes(app, sagaEngines);
  registerSagaMetrics(metrics.registry, sagaEngines, logger);
  // Beating before the first request: a claim this process makes is never mistaken for a crashed one's.
  const heartbeat = createHeartbeat({ db, schemas: modules.map((m) => m.schema), logger });
  await heartbeat.beat();
  heartbeat.start();
  const stops: Array<() => Promise<void>> = [];
  for (const [i, m] of modules.entries()) {
    const relay = relays[i]!;
    const stop = await m.mount({
      config,
      db,
      bus,
      app,
      logger: logger.child({ context: m.name }),
      clock,
      kickRelay: relay.kick,
      metrics: metrics.registry,
    });
    if (stop) stops.push(stop);
  }
  await app.ready();

  return {
    app,
    db,
    bus,
    contexts,
    startBackground() {
      if (closing) return;
      for (const relay of relays) relay.start();
      for (const r of redeliveries) r.start();
      for (const m of modules) m.start?.();
    },
    async close() {
      closing = true;
      const step = async (what: string, fn: () => Promise<unknown>) => {
        const started = Date.now();
        await fn();
        logger.info({ ms: Date.now() - started }, `shutdown: ${what}`);
      };
      await step("requests in flight finished", () => app.close());
      await step("contexts stopped", async () => {
        for (const stop of stops.reverse()) await stop();
      });
      await step("consumer retries stopped", async () => {
        for (const r of redeliveries) await r.stop();
      });
      await step("outbox relays drained", async () => {
        for (const relay of relays) await relay.stop();
      });
      await step("event bus closed", () => bus.close());
      await step("heartbeat removed", () => heartbeat.stop());
      if (!options.db) await step("database closed", () => db.close());
    },
  };
}

/**
 * Builds every context with its in-process neighbours. In the embedded deployment all run here; a
 * distributed process mounts only the ones MYPAY_CONTEXTS names.
 */
function wireContexts(options: MypayOptions, db: Db, clock: Clock) {
  const { config, logger } = options;
  const membershipApi = createMembershipApi(db);
  const banking = createBanking({
    db,
    config,
    clock,
    logger: logger.child({ context: "banking" }),
    memberName: async (id) => {
      const member = await membershipApi.getMember(id);
      return member?.status === "ACTIVE" ? member.name : undefined;
    },
    ...options.banking,
  });
  const money = createMoney({
    db,
    config,
    clock,
    logger: logger.child({ context: "money" }),
    banking: banking.api,
    membership: membershipApi,
    // PGlite runs in our thread: fewer sagas per round, so a round does not hold up requests.
    ...(db.engine === "pglite" ? { sagaBatchSize: 4 } : {}),
    ...options.money,
  });
  // Fed by membership (its tables at start, then its events); the auth guard checks it. A process
  // that does not run membership verifies signatures only.
  const revocations = createRevocations({ accessTokenTtlSeconds: config.accessTokenTtlSeconds, clock });
  // Banking was built from membershipApi (a read of membership's tables), not from this module: no cycle.
  const membership = createMembershipModule({ money: money.api, banking: banking.api, revocations });
  const business = {
    db,
    config,
    clock,
    membership: membershipApi,
    money: money.api,
    ...(db.engine === "pglite" ? { sagaBatchSize: 4 } : {}),
    ...options.sagas,
  };
  const remittance = createRemittance({
    ...business,
    logger: logger.child({ context: "remittance" }),
    banking: banking.api,
  });
  const payment = createPayment({ ...business, logger: logger.child({ context: "payment" }) });
  const settlement = createSettlement({
    ...business,
    logger: logger.child({ context: "settlement" }),
    banking: banking.api,
    payment: payment.api,
  });
  const modules: ContextModule[] = [
    membership,
    banking.module,
    money.module,
    remittance.module,
    payment.module,
    settlement.module,
    queryModule,
  ];
  const sagaEngines: Record<string, SagaEngine | undefined> = {
    money: money.deps.engine,
    remittance: remittance.engine,
    payment: payment.engine,
    settlement: settlement.engine,
  };
  return {
    modules,
    banking,
    money,
    remittance,
    payment,
    settlement,
    sagaEngines,
    membershipApi,
    revocations,
  };
}

function requireJwks(config: Config): string {
  if (!config.authJwksUrl) {
    throw new Error(
      "MYPAY_AUTH_JWKS_URL must name the membership service's /v1/auth/jwks when it runs elsewhere",
    );
  }
  return config.authJwksUrl;
}
