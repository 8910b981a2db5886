/** The event bus port: in-process by default, NATS JetStream when MYPAY_BUS_URL is set. */
export interface EventEnvelope<T = unknown> {
  readonly id: string;
  readonly type: string;
  readonly version: number;
  /** ISO-8601 time the change happened. */
  readonly occurredAt: string;
  /** The context that published it. */
  readonly source: string;
  /** Follows one business transaction across contexts, logs and traces. */
  readonly correlationId: string;
  /** The id of the event or request that caused this one. */
  readonly causationId: string | null;
  /**
   * The W3C trace context of the transaction that wrote it, so that its handling joins that trace;
   * absent for events written outside any trace (and before traces were kept).
   */
  readonly traceparent?: string;
  readonly data: T;
}

export interface EventHandler {
  (event: EventEnvelope): Promise<void>;
  /**
   * Several events at once, in order, with the effect of handling each in turn (e.g. in one
   * transaction): the in-process bus uses it for a relay's batch. Optional.
   */
  readonly many?: (events: readonly EventEnvelope[]) => Promise<void>;
}

export interface EventBus {
  readonly kind: "in-process" | "nats";
  /** Resolves once the bus has the event durably (or, in-process, once every subscriber handled it). */
  publish(event: EventEnvelope): Promise<void>;
  /**
   * Several events in order, as publish would one after another; rejects when any was not taken
   * (the relay then publishes them all again: consumers skip what they handled). Optional.
   */
  publishMany?(events: readonly EventEnvelope[]): Promise<void>;
  /**
   * A durable subscription named `consumer` to the given event types; delivery is at least once,
   * so handlers must be idempotent (see inbox.ts). A handler that throws gets the event again later.
   */
  subscribe(consumer: string, types: readonly string[], handler: EventHandler): Promise<void>;
  /**
   * Every process that calls it gets each matching event published from the time it resolves on
   * (not shared between replicas, not durable, no replay of older events): for views a process
   * keeps in memory, which load what came before from the database after subscribing. Handlers
   * must be idempotent; one that throws is logged and the event is not delivered to it again.
   */
  broadcast(types: readonly string[], handler: EventHandler): Promise<void>;
  /** Why the bus cannot take events now (for /ready), or undefined when it can. */
  problem(): Promise<string | undefined>;
  /** Stops delivering, lets handlers in flight finish, and disconnects. */
  close(): Promise<void>;
}
