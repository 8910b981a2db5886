import { join } from "node:path";
import { type BankingApi, bankingContract } from "./contexts/banking/api.js";
import { type Banking, type BankingOptions, createBanking } from "./contexts/banking/module.js";
import {
  createMembershipApi,
  loadRevocations,
  type MembershipApi,
  membershipContract,
  subscribeRevocations,
} from "./contexts/membership/api.js";
import { createMembershipModule, ensureAdmin, loadAuthKeys } from "./contexts/membership/module.js";
import { type MoneyApi, moneyContract } from "./contexts/money/api.js";
import { createMoney, type Money, type MoneyOptions } from "./contexts/money/module.js";
import { type PaymentApi, paymentContract } from "./contexts/payment/api.js";
import { createPayment, type Payment } from "./contexts/payment/module.js";
import { queryModule } from "./contexts/query/module.js";
import { createRemittance, type Remittance } from "./contexts/remittance/module.js";
import { createSettlement, type Settlement } from "./contexts/settlement/module.js";
import { registerWebApp, webAppOptions } from "./gateway/web.js";
import { type Clock, systemClock } from "./kernel/clock.js";
import { registerAuth } from "./platform/auth/guard.js";
import { createRevocations } from "./platform/auth/revocations.js";
import { createVerifier } from "./platform/auth/tokens.js";
import type { EventBus } from "./platform/bus/bus.js";
import { createInProcessBus } from "./platform/bus/in-process.js";
import { type Config, ConfigError, type ContextName, contextNames } from "./platform/config.js";
import type { RetryPolicy } from "./platform/consumers.js";
import type { ContextModule } from "./platform/context.js";
import type { Contract, Implementation } from "./platform/contract.js";
import { type ContractClient, contractClient, serveContract } from "./platform/contract-http.js";
import type { Db } from "./platform/db/db.js";
import { migrateAll, platformMigrationsDir } from "./platform/db/migrate.js";
import { registerDeadLetterRoutes } from "./platform/dead-letters.js";
import { createHeartbeat } from "./platform/heartbeat.js";
import { createMetrics } from "./platform/http/metrics.js";
import { registerOperations } from "./platform/http/operations.js";
import { createHttpServer, type HttpServer } from "./platform/http/server.js";
import { correlationFields, type Logger } from "./platform/logging.js";
import { createRedelivery } from "./platform/redelivery.js";
import { createOutboxRelay } from "./platform/relay.js";
import { registerSagaAdminRoutes, registerSagaMetrics } from "./platform/saga/admin-routes.js";
import type { SagaEngine } from "./platform/saga/engine.js";
import type { SagaTuning } from "./platform/saga/tuning.js";
import { traceHeaders } from "./platform/tracing.js";

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
  /** Serve the web app (main.ts, when this process runs every context). */
  web?: boolean;
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
  const { modules } = contexts;
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
  const checks: Record<string, () => Promise<string | undefined>> = {
    eventBus: () => bus.problem(),
    ...moduleChecks,
  };
  registerOperations(app, { db, checks, closing: () => closing });

  const runsMembership = modules.some((m) => m.name === "membership");
  if (runsMembership) await ensureAdmin(db, config, logger);
  const verifier = runsMembership
    ? (await loadAuthKeys(db, config)).verifier
    : createVerifier(new URL(requireJwks(config)));
  registerAuth(app, { verifier, revocations: contexts.revocations });
  const split = config.contexts.length < contextNames.length;
  if (split) {
    if (!config.serviceToken) {
      throw new ConfigError(
        "MYPAY_SERVICE_TOKEN (or MYPAY_SERVICE_TOKEN_FILE) must be set when a process runs some of the contexts",
      );
    }
    for (const serve of contexts.served) serve(app, config.serviceToken);
  }
  // A process without membership learns the revocations from the membership service (after
  // subscribing to its events); until it has, it is not ready, and it keeps asking.
  const revocationsFeed = runsMembership ? undefined : await followRemoteRevocations(contexts, bus, logger);
  if (revocationsFeed) checks.revocations = revocationsFeed.problem;

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
  if (options.web && !split) await registerWebApp(app, webAppOptions(config));
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
      revocationsFeed?.stop();
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
 * What a call to another service carries of the work it serves: the trace, and the correlation id as
 * its request id, so that the callee's log lines carry the same correlation id as the caller's.
 */
function callHeaders(): Record<string, string> {
  const { correlationId } = correlationFields();
  return { ...traceHeaders(), ...(correlationId ? { "x-request-id": correlationId } : {}) };
}

/** Stands for a context this process does not run: any use of it says so (a wiring mistake). */
function notHere<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      throw new Error(`the ${name} context does not run in this process (asked for ${String(property)})`);
    },
  });
}

/**
 * Reaches the contexts this process calls but does not run: the HTTP client of each one's contract,
 * at its MYPAY_SERVICE_URLS address, with the service token.
 */
function remoteOf(config: Config, logger: Logger) {
  return <C extends Contract>(contract: C) => {
    const baseUrl = config.serviceUrls[contract.context];
    if (!baseUrl) {
      throw new ConfigError(
        `MYPAY_SERVICE_URLS must give the URL of ${contract.context}, which ${config.contexts.join(", ")} calls`,
      );
    }
    if (!config.serviceToken) {
      throw new ConfigError(
        "MYPAY_SERVICE_TOKEN (or MYPAY_SERVICE_TOKEN_FILE) must be set to call other services",
      );
    }
    return contractClient(contract, {
      baseUrl,
      token: config.serviceToken,
      timeoutMs: config.serviceTimeoutMs,
      logger: logger.child({ client: contract.context }),
      headers: callHeaders,
    });
  };
}

/**
 * Builds the contexts this process runs, each with its neighbours: in this process when they run
 * here too (the embedded deployment runs all), else the HTTP client of their contract.
 */
function wireContexts(options: MypayOptions, db: Db, clock: Clock) {
  const { config, logger } = options;
  const runs = (name: ContextName) => config.contexts.includes(name);
  const remote = remoteOf(config, logger);
  // Every process needs membership: its members and franchises, or at least the revocations.
  const membershipApi: MembershipApi = runs("membership")
    ? createMembershipApi(db)
    : remote(membershipContract).api;
  const banking = runs("banking")
    ? createBanking({
        db,
        config,
        clock,
        logger: logger.child({ context: "banking" }),
        memberName: async (id) => {
          const member = await membershipApi.getMember(id);
          return member?.status === "ACTIVE" ? member.name : undefined;
        },
        ...options.banking,
      })
    : notHere<Banking>("banking");
  // A neighbour: its in-process implementation here, else its client where a context here calls it.
  const neighbour = <T extends object>(
    name: ContextName,
    callers: ContextName[],
    here: () => T,
    client: () => T,
  ) => (runs(name) ? here() : callers.some(runs) ? client() : notHere<T>(name));
  const bankingApi: BankingApi = neighbour(
    "banking",
    ["membership", "money", "remittance", "settlement"],
    () => banking.api,
    () => remoteBanking(remote(bankingContract)),
  );
  // PGlite runs in our thread: fewer sagas per round, so a round does not hold up requests.
  const pgliteTuning = db.engine === "pglite" ? { sagaBatchSize: 4 } : {};
  const money = runs("money")
    ? createMoney({
        db,
        config,
        clock,
        logger: logger.child({ context: "money" }),
        banking: bankingApi,
        membership: membershipApi,
        ...pgliteTuning,
        ...options.money,
      })
    : notHere<Money>("money");
  const moneyApi: MoneyApi = neighbour(
    "money",
    ["membership", "remittance", "payment", "settlement"],
    () => money.api,
    () => remote(moneyContract).api,
  );
  // Fed by membership (its tables at start, then its events); the auth guard checks it. A process
  // that does not run membership learns them from the membership service and its events.
  const revocations = createRevocations({ accessTokenTtlSeconds: config.accessTokenTtlSeconds, clock });
  const membership = createMembershipModule({ money: moneyApi, banking: bankingApi, revocations });
  const business = {
    db,
    config,
    clock,
    membership: membershipApi,
    money: moneyApi,
    ...pgliteTuning,
    ...options.sagas,
  };
  const remittance = runs("remittance")
    ? createRemittance({ ...business, logger: logger.child({ context: "remittance" }), banking: bankingApi })
    : notHere<Remittance>("remittance");
  const payment = runs("payment")
    ? createPayment({ ...business, logger: logger.child({ context: "payment" }) })
    : notHere<Payment>("payment");
  const paymentApi: PaymentApi = neighbour(
    "payment",
    ["settlement"],
    () => payment.api,
    () => remote(paymentContract).api,
  );
  const settlement = runs("settlement")
    ? createSettlement({
        ...business,
        logger: logger.child({ context: "settlement" }),
        banking: bankingApi,
        payment: paymentApi,
      })
    : notHere<Settlement>("settlement");
  const local = <T>(name: ContextName, make: () => T) => (runs(name) ? [make()] : []);
  const modules: ContextModule[] = [
    ...local("membership", () => membership),
    ...local("banking", () => banking.module),
    ...local("money", () => money.module),
    ...local("remittance", () => remittance.module),
    ...local("payment", () => payment.module),
    ...local("settlement", () => settlement.module),
    ...local("query", () => queryModule),
  ];
  const sagaEngines: Record<string, SagaEngine | undefined> = {
    ...(runs("money") ? { money: money.deps.engine } : {}),
    ...(runs("remittance") ? { remittance: remittance.engine } : {}),
    ...(runs("payment") ? { payment: payment.engine } : {}),
    ...(runs("settlement") ? { settlement: settlement.engine } : {}),
  };
  /** The contracts this process answers for the others (the internal routes of a split deployment). */
  const served = [
    ...local("membership", () => serving(membershipContract, membershipApi)),
    ...local("banking", () => serving(bankingContract, banking.api)),
    ...local("money", () => serving(moneyContract, money.api)),
    ...local("payment", () => serving(paymentContract, payment.api)),
  ];
  return {
    modules,
    served,
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

/** Loads the revocations from the membership service, again every second until it answers. */
async function followRemoteRevocations(
  contexts: ReturnType<typeof wireContexts>,
  bus: EventBus,
  logger: Logger,
) {
  await subscribeRevocations(bus, contexts.revocations);
  let loaded = false;
  let timer: NodeJS.Timeout | undefined;
  const load = async () => {
    try {
      await loadRevocations(contexts.membershipApi, contexts.revocations);
      loaded = true;
    } catch (error) {
      logger.warn({ err: error }, "revocations: the membership service did not answer; asking again in 1 s");
      timer = setTimeout(load, 1_000);
    }
  };
  await load();
  return {
    problem: async () => (loaded ? undefined : "the revocations are not loaded from membership yet"),
    stop: () => clearTimeout(timer),
  };
}

const serving =
  <C extends Contract>(contract: C, impl: Implementation<C>) =>
  (app: HttpServer, token: string) =>
    serveContract(app, contract, impl, token);

/** The banking client as BankingApi: `available()` is its breaker (the bank's own answers BANK_UNAVAILABLE). */
function remoteBanking(client: ContractClient<typeof bankingContract>): BankingApi {
  return { ...client.api, available: client.available };
}

function requireJwks(config: Config): string {
  if (!config.authJwksUrl && config.serviceUrls.membership)
    return `${config.serviceUrls.membership}/v1/auth/jwks`;
  if (!config.authJwksUrl) {
    throw new Error(
      "MYPAY_AUTH_JWKS_URL must name the membership service's /v1/auth/jwks when it runs elsewhere",
    );
  }
  return config.authJwksUrl;
}
