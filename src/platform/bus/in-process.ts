import { createLogger, type Logger } from "../logging.js";
import { withEventSpan } from "../tracing.js";
import type { EventBus, EventEnvelope, EventHandler } from "./bus.js";

interface Subscription {
  readonly consumer: string;
  readonly types: ReadonlySet<string>;
  readonly handler: EventHandler;
  /** Broadcast handlers get each event once: their failure is logged, not retried. */
  readonly broadcast?: boolean;
}

/**
 * The embedded deployment's bus: publish hands the events to every matching subscriber in turn and
 * resolves once all of them handled them. It rejects if any handler threw, so the relay keeps the
 * outbox rows and publishes them again; subscribers that already succeeded skip them through their inbox.
 */
export function createInProcessBus(logger: Logger = createLogger("silent")): EventBus {
  const subscriptions: Subscription[] = [];
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  /** To each subscriber its matching events in order: all at once when it takes many, else one by one. */
  async function deliver(events: readonly EventEnvelope[]): Promise<void> {
    const failures: unknown[] = [];
    for (const s of subscriptions) {
      const mine = events.filter((e) => s.types.has(e.type));
      if (mine.length === 0) continue;
      const delivery = { consumer: s.consumer, via: "in-process" } as const;
      try {
        // Each in a span of the trace that wrote it (a batch of several traces: linked to each).
        const many = s.handler.many;
        if (many && mine.length > 1) await withEventSpan(delivery, mine, () => many(mine));
        else for (const event of mine) await withEventSpan(delivery, [event], () => s.handler(event));
      } catch (error) {
        // Keep going: one failing consumer must not hold back the others.
        logger.warn({ err: error, consumer: s.consumer, eventIds: mine.map((e) => e.id) }, "handler failed");
        if (!s.broadcast) failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} handlers failed`);
  }

  async function publishMany(events: readonly EventEnvelope[]): Promise<void> {
    if (closed) throw new Error("the in-process bus is closed");
    const delivery = deliver(events);
    inFlight.add(delivery);
    try {
      await delivery;
    } finally {
      inFlight.delete(delivery);
    }
  }

  return {
    kind: "in-process",
    publish: (event) => publishMany([event]),
    publishMany,
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
