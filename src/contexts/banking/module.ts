import { fileURLToPath } from "node:url";
import { type Clock, systemClock } from "../../kernel/clock.js";
import { fail, ok } from "../../kernel/errors.js";
import { type BackgroundLoop, createBackgroundLoop } from "../../platform/background-loop.js";
import type { Config } from "../../platform/config.js";
import type { ContextModule } from "../../platform/context.js";
import type { Db } from "../../platform/db/db.js";
import type { Logger } from "../../platform/logging.js";
import type { AccountRef, BankingApi } from "./api.js";
import { isNoAnswer } from "./bank-port.js";
import { ensureCorporateAccount, seedContracts } from "./contracts.js";
import type { BankingDeps } from "./deps.js";
import { resolverCapMs, resolverMaxChecks, staleRequestMs } from "./domain.js";
import { outcome, recheck, transfer, voidUnsent } from "./firmbanking.js";
import { countOpen } from "./firmbanking-store.js";
import { createHttpBank, defaultResilience, type Resilience } from "./http-bank.js";
import { linkedAccount, verifyAccount } from "./link-account.js";
import { resolveDue, resolverBatchSize } from "./resolver.js";
import { registerBankingRoutes } from "./routes.js";
import { bankingSchema } from "./store.js";

/** The banking context, wired: its in-process api for other contexts and its module for the app. */

export const bankingMigrationsDir = fileURLToPath(new URL("./migrations", import.meta.url));

export interface BankingOptions {
  readonly db: Db;
  readonly config: Config;
  readonly logger: Logger;
  /** The member's registered name (membership); undefined when there is no such member. */
  readonly memberName: (membershipId: string) => Promise<string | undefined>;
  /** The bank gateway; config.bankUrl by default. */
  readonly bankBaseUrl?: string;
  readonly clock?: Clock;
  /** The resolver's first backoff delay (default 1 s); small in tests. */
  readonly resolverBaseMs?: number;
  /** The longest wait between two checks of one UNKNOWN request (default 1 min). */
  readonly resolverMaxMs?: number;
  /** How often the resolver looks for due requests (default 1 s). */
  readonly resolverPollMs?: number;
  /** Unanswered checks after which the resolver stops asking about a request (default 30). */
  readonly resolverMaxChecks?: number;
  /** Retries and circuit breaker; the timeout is config.bankTimeoutMs. */
  readonly resilience?: Partial<Omit<Resilience, "timeoutMs">>;
  readonly random?: () => number;
}

export interface Banking {
  readonly api: BankingApi;
  readonly module: ContextModule;
  /** One resolver round (the mounted module runs them in the background). */
  resolveDue(): Promise<number>;
  /** Seeds the bank contracts and makes sure the corporate account exists (mount does it too). */
  prepare(): Promise<void>;
}

export function createBanking(options: BankingOptions): Banking {
  const { config } = options;
  const resilience = { ...defaultResilience, ...options.resilience, timeoutMs: config.bankTimeoutMs };
  let kick = () => {};
  const deps: BankingDeps = {
    db: options.db,
    bank: createHttpBank(options.bankBaseUrl ?? config.bankUrl, resilience, options.logger),
    config,
    clock: options.clock ?? systemClock,
    logger: options.logger,
    memberName: options.memberName,
    kickRelay: () => kick(),
    resolverBaseMs: options.resolverBaseMs ?? 1_000,
    resolverMaxMs: options.resolverMaxMs ?? resolverCapMs,
    resolverMaxChecks: options.resolverMaxChecks ?? resolverMaxChecks,
    staleRequestMs: staleRequestMs(config.bankTimeoutMs, resilience.retries + 1),
    random: options.random ?? Math.random,
  };
  const corporate = remembered(() => ensureCorporateAccount(deps));
  const prepare = async () => {
    await seedContracts(deps);
    await corporate();
  };
  let resolver: BackgroundLoop | undefined;
  let ready = () => false;
  const module: ContextModule = {
    name: "banking",
    schema: bankingSchema,
    migrationsDir: bankingMigrationsDir,
    async mount(env) {
      kick = env.kickRelay;
      registerBankingRoutes(env.app, deps);
      const background = await prepareBackground(deps, prepare, options.resolverPollMs ?? 1_000);
      resolver = background.loop;
      ready = background.prepared;
      return () => background.loop.stop();
    },
    start: () => resolver?.start(),
    // Until the contracts are seeded, every bank would look unsupported to a member linking one.
    problem: async () => (ready() ? undefined : "waiting for the bank: contracts not set up yet"),
  };
  return { api: createApi(deps, corporate), module, resolveDue: () => resolveDue(deps), prepare };
}

/**
 * Sets banking up (the bank may be down at start: then each round tries again first) and makes
 * the resolver's loop, which module.start() starts.
 */
async function prepareBackground(deps: BankingDeps, prepare: () => Promise<void>, pollMs: number) {
  let prepared = false;
  const setUp = async () => {
    await prepare();
    prepared = true;
  };
  await setUp().catch((error: unknown) =>
    deps.logger.warn({ err: error }, "banking setup waits for the bank"),
  );
  const loop = createBackgroundLoop({
    async round() {
      if (!prepared) await setUp();
      // A full batch means more may be due: go again at once.
      return (await resolveDue(deps)) === resolverBatchSize ? 0 : pollMs;
    },
    onError(error) {
      deps.logger.warn({ err: error }, "banking background round failed");
      return pollMs;
    },
  });
  return { loop, prepared: () => prepared };
}

/** Memoizes a successful promise; a failed one is tried again at the next call. */
function remembered<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= make().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}

function createApi(deps: BankingDeps, corporate: () => Promise<AccountRef>): BankingApi {
  return {
    linkedAccount: (membershipId, bankAccountId) => linkedAccount(deps, membershipId, bankAccountId),
    verifyAccount: (ref, holderName) => verifyAccount(deps, ref, holderName),
    corporateAccount: corporate,
    available: () => deps.bank.available(),
    transfer: (command) => transfer(deps, command),
    outcome: (requestId) => outcome(deps, requestId),
    voidUnsent: (command) => voidUnsent(deps, command),
    recheck: (requestId) => recheck(deps, requestId),
    async corporateBalanceAtBank() {
      try {
        const ref = await corporate();
        const account = await deps.bank.getAccount(ref);
        if (!account)
          throw new Error(`the bank has no corporate account ${ref.bankCode}/${ref.accountNumber}`);
        return ok(account.balance);
      } catch (error) {
        if (isNoAnswer(error)) return fail("BANK_UNAVAILABLE", "the bank cannot be reached now");
        throw error;
      }
    },
    inFlightCount: () => countOpen(deps.db),
  };
}
