import type { EventBus, EventEnvelope } from "../../platform/bus/bus.js";
import type { Logger } from "../../platform/logging.js";
import type { SagaEngine } from "../../platform/saga/engine.js";
import { bankingEvents, type FirmbankingCompleted } from "../banking/api.js";
import type { PayoutData } from "./pay-franchise.js";

/**
 * The bank's answer to a payout is known: its saga goes on now rather than at its next look. Only
 * the answer to the request the payout is on wakes it: a refused attempt's event must not cut the
 * backoff before the next attempt short. A wake writes nothing, so it needs no inbox.
 */
export async function subscribeSettlement(bus: EventBus, engine: SagaEngine, logger: Logger) {
  await bus.subscribe(
    "settlement.firmbanking",
    [bankingEvents.FirmbankingCompleted],
    async (event: EventEnvelope) => {
      const { reference, requestId, status } = event.data as FirmbankingCompleted;
      if (!reference.startsWith("stl_")) return;
      const saga = await engine.get<PayoutData>(reference);
      if (saga?.data.requestId !== requestId) return;
      // A refusal the payout saw itself is followed by a backoff: only one it waited on (UNKNOWN) wakes it.
      if (status === "FAILED" && saga.status !== "WAITING") return;
      await engine.wake(reference);
      void engine
        .run(reference)
        .catch((err) => logger.warn({ err, sagaId: reference }, "payout run after wake"));
    },
  );
}
