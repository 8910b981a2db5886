import { createMypay } from "../app.js";
import { loadConfig } from "../platform/config.js";
import type { Db } from "../platform/db/db.js";
import { createLogger } from "../platform/logging.js";
import type { SagaFaults, SagaPhase } from "../platform/saga/engine.js";
import { openTestBus } from "./bus.js";
import { adminPassword } from "./mypay.js";
import { fastTuning, login, type World } from "./world.js";

/** Where a crash test stops a saga: after a step's commit, or (beforeCommit) after its action but before. */
export interface Crash {
  readonly step: string;
  readonly phase: SagaPhase;
  readonly beforeCommit?: boolean;
}

/** The saga faults that stop a process at `crash` as if it died there; `onCrash` hears when it fired. */
export function crashFaults(crash: () => Crash | undefined, onCrash?: () => void): SagaFaults {
  const at = (before: boolean) => (step: string, phase: SagaPhase) => {
    const c = crash();
    const now =
      c !== undefined && (c.beforeCommit ?? false) === before && c.step === step && c.phase === phase;
    if (now) onCrash?.();
    return now;
  };
  return { crashAfter: at(false), crashBeforeCommit: at(true) };
}

/**
 * mypay on a database and sandbox bank it shares with the processes before and after it, as a
 * process that may die at a saga step: the crash-at-every-step tests boot one, let it die, then boot
 * the next on the same data. `money` stops money's sagas, `sagas` those of the other contexts.
 */
export async function bootOn(
  db: Db,
  bank: World["bank"],
  faults: { readonly money?: SagaFaults; readonly sagas?: SagaFaults } = {},
): Promise<World> {
  const bus = await openTestBus();
  const config = loadConfig({
    MYPAY_BANK_PORT: "0",
    MYPAY_BANK_URL: bank.url,
    MYPAY_BANK_TIMEOUT_MS: "2000",
    MYPAY_ADMIN_PASSWORD: adminPassword,
  });
  const withFaults = (tuning: typeof fastTuning.sagas, f?: SagaFaults) => ({
    ...tuning,
    ...(f ? { sagaFaults: f } : {}),
  });
  const mypay = await createMypay({
    config,
    logger: createLogger("silent"),
    db,
    bus,
    money: withFaults(fastTuning.money, faults.money),
    sagas: withFaults(fastTuning.sagas, faults.sagas),
    banking: fastTuning.banking,
  });
  mypay.startBackground();
  await mypay.contexts.banking.prepare();
  const staffToken = await login(mypay, "admin@mypay.local", adminPassword);
  const close = async () => {
    await mypay.close();
    await bus.close();
  };
  return { mypay, bank, staffToken, close };
}
