import { createLogger, type Logger } from "../logging.js";
import type { EventBus, EventEnvelope, EventHandler } from "./bus.js";

interface Subscription {
  readonly consumer: string;
  readonly types: ReadonlySet<string>;
  readonly handler: EventHandler;
  /** Broadcast handlers get each event once: their failure is logged, not retried. */
  readonly broadcast?: boolean;
}

/**
 * The embedded deployment's bus: publish hands the event to every matching subscriber in turn and
 * resolves once all of them handled it. It rejects if any handler threw, so the relay keeps the
 * outbox row and publishes it again; subscribers that already succeeded skip it through their inbox.
 */
export function createInProcessBus(logger: Logger = createLogger("silent")): EventBus {
  const subscriptions: Subscription[] = [];
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  async function deliver(event: EventEnvelope): Promise<void> {
    const failures: unknown[] = [];
    for (const s of subscriptions) {
      if (!s.types.has(event.type)) continue;
      try {
        await s.handler(event);
      } catch (error) {
        // Keep going: one failing consumer must not hold back the others.
        logger.warn(
          { err: error, consumer: s.consumer, eventId: event.id, type: event.type },
          "handler failed",
        );
        if (!s.broadcast) failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} handlers failed`);
  }

  return {
    kind: "in-process",
    async publish(event) {
      if (closed) throw new Error("the in-process bus is closed");
      const delivery = deliver(event);
      inFlight.add(delivery);
      try {
        await delivery;
      } finally {
        inFlight.delete(delivery);
      }
    },
    async subscribe(consumer, types, handler) {
      if (subscriptions.some((s) => s.consumer === consumer)) {
        throw new Error(`consumer ${consumer} is already subscribed`);
      }
      subscriptions.push({ consumer, types: new Set(types), handler });
    },
    async broadcast(types, handler) {
      // In one process a broadcast is just another subscriber.
      const consumer = `broadcast-${subscriptions.length}`;
      subscriptions.push({ consumer, types: new Set(types), handler, broadcast: true });
    },
    async problem() {
      return closed ? "closed" : undefined;
    },
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
    },
  };
}
