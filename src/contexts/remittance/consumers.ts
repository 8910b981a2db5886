import type { EventBus, EventEnvelope } from "../../platform/bus/bus.js";
import { bankingEvents, type FirmbankingCompleted } from "../banking/api.js";
import { moneyEvents, type RechargeCompleted } from "../money/api.js";
import type { RemittanceDeps } from "./deps.js";

/**
 * The answers a remittance saga waits on (its auto-recharge, its payout at the bank) wake it as soon
 * as they are known, rather than at its next look. A wake writes nothing but the saga's due time, so
 * a repeated event only wakes it again: no inbox needed.
 */
export async function subscribeRemittance(bus: EventBus, deps: RemittanceDeps) {
  await bus.subscribe(
    "remittance.wake",
    [moneyEvents.RechargeCompleted, bankingEvents.FirmbankingCompleted],
    async (event: EventEnvelope) => {
      const id = servedBy(event);
      if (!id?.startsWith("rem_")) return;
      await deps.engine.wake(id);
      void deps.engine
        .run(id)
        .then(() => deps.kickRelay())
        .catch((err) => deps.logger.warn({ err, sagaId: id }, "remittance saga run after wake"));
    },
  );
}

/** The business id the answer serves: an auto-recharge's cause, a firmbanking request's reference. */
function servedBy(event: EventEnvelope): string | undefined {
  if (event.type === moneyEvents.RechargeCompleted) return (event.data as RechargeCompleted).cause;
  return (event.data as FirmbankingCompleted).reference;
}
