import type { EventBus, EventEnvelope } from "../../platform/bus/bus.js";
import { moneyEvents, type RechargeCompleted } from "../money/api.js";
import type { PaymentDeps } from "./deps.js";

/**
 * An auto-recharge a payment waits on is known: its saga goes on now rather than at its next look.
 * Waking and running are safe to repeat (the saga's lease and fence decide), so no inbox is needed.
 */
export async function subscribePayment(bus: EventBus, deps: Pick<PaymentDeps, "engine" | "logger">) {
  await bus.subscribe("payment.recharges", [moneyEvents.RechargeCompleted], async (event: EventEnvelope) => {
    const { cause } = event.data as RechargeCompleted;
    if (!cause?.startsWith("pay_")) return;
    await deps.engine.wake(cause);
    void deps.engine
      .run(cause)
      .catch((err) => deps.logger.warn({ err, sagaId: cause }, "payment saga run after wake"));
  });
}
