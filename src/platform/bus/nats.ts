import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  connect,
  DeliverPolicy,
  headers,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type MsgHdrs,
  type NatsConnection,
  nanos,
  StorageType,
} from "nats";
import { createLogger, type Logger } from "../logging.js";
import { withEventSpan } from "../tracing.js";
import type { EventBus, EventEnvelope, EventHandler } from "./bus.js";

export interface NatsBusOptions {
  readonly url: string;
  readonly stream?: string;
  readonly subjectPrefix?: string;
  readonly logger?: Logger;
  /** How long the stream keeps messages; the outbox (replayFrom) covers anything older. */
  readonly maxAgeMs?: number;
}

const duplicateWindowMs = 10 * 60 * 1000;
const ackWaitMs = 60_000;
const maxRetryDelayMs = 30_000;
// A consumer wrapper (inbox.ts) records a failing handler's attempts itself and acknowledges; a
// delivery fails here only when even that could not be recorded (the database is down). Bounded, so
// a poison message is not redelivered forever: ~15 minutes of backoff, then the server stops.
const maxDeliver = 40;
const subjectToken = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** A durable name may not hold `.`, `*`, `>` or whitespace. */
function durableName(consumer: string): string {
  return consumer.replace(/[^A-Za-z0-9_-]/g, "_");
}

function checkToken(kind: string, value: string): string {
  if (!subjectToken.test(value)) throw new Error(`event ${kind} is not a valid subject token: ${value}`);
  return value;
}

/** Backoff for a failed handler, from the delivery count: 200 ms, 400 ms, ... up to 30 s, with jitter. */
function retryDelay(deliveries: number): number {
  const base = Math.min(maxRetryDelayMs, 200 * 2 ** Math.max(0, deliveries - 1));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/** Multiple filter subjects on one consumer need nats-server 2.10. */
function supportsFilterSubjects(nc: NatsConnection): boolean {
  const [major = 0, minor = 0] = (nc.info?.version ?? "0.0").split(".").map(Number);
  return major > 2 || (major === 2 && minor >= 10);
}

const traceparentHeader = "traceparent";

/** The event's trace context as a message header, where any NATS tool sees it. */
function traceHeadersOf(event: EventEnvelope): MsgHdrs | undefined {
  if (!event.traceparent) return undefined;
  const h = headers();
  h.set(traceparentHeader, event.traceparent);
  return h;
}

/** The envelope; the message's traceparent header, when it has one, is the trace its handling continues. */
function parseEnvelope(msg: JsMsg): EventEnvelope | undefined {
  try {
    const event = JSON.parse(new TextDecoder().decode(msg.data)) as EventEnvelope;
    if (typeof event?.id !== "string" || typeof event.type !== "string") return undefined;
    const traceparent = msg.headers?.get(traceparentHeader);
    return traceparent && traceparent !== event.traceparent ? { ...event, traceparent } : event;
  } catch {
    return undefined;
  }
}

async function ensureStream(jsm: JetStreamManager, name: string, prefix: string, maxAgeMs: number) {
  const config = {
    subjects: [`${prefix}.>`],
    storage: StorageType.File,
    duplicate_window: nanos(duplicateWindowMs),
    max_age: nanos(maxAgeMs),
  };
  const exists = await jsm.streams.info(name).then(
    () => true,
    () => false,
  );
  if (exists) await jsm.streams.update(name, config);
  else await jsm.streams.add({ name, ...config });
}

/** Creates the durable consumer, or updates it when its types changed since the last deployment. */
async function ensureConsumer(jsm: JetStreamManager, stream: string, config: Partial<ConsumerConfig>) {
  try {
    await jsm.consumers.add(stream, config);
  } catch {
    await jsm.consumers.update(stream, config.durable_name!, config);
  }
}

async function logStatus(nc: NatsConnection, logger: Logger) {
  for await (const status of nc.status()) {
    if (status.type === "disconnect" || status.type === "reconnect" || status.type === "error") {
      logger.warn({ status: status.type, server: status.data }, "NATS connection status");
    }
  }
}

/**
 * The distributed deployment's bus: JetStream with the event id as message id, so a republished
 * event within the duplicate window is stored once, and durable pull consumers that replicas share.
 */
export async function connectNatsBus(options: NatsBusOptions): Promise<EventBus> {
  const stream = options.stream ?? "MYPAY";
  const prefix = options.subjectPrefix ?? "mypay";
  const logger = (options.logger ?? createLogger("silent")).child({ bus: "nats", stream });
  // Keep reconnecting: a service outlives a broker restart rather than losing its bus for good.
  const nc = await connect({ servers: options.url, name: `mypay-${process.pid}`, maxReconnectAttempts: -1 });
  void logStatus(nc, logger);
  const jsm = await nc.jetstreamManager();
  await ensureStream(jsm, stream, prefix, options.maxAgeMs ?? 7 * 24 * 60 * 60 * 1000);
  const js: JetStreamClient = nc.jetstream();
  const subscriptions: { messages: ConsumerMessages; done: Promise<void> }[] = [];
  let closing = false;

  async function handle(msg: JsMsg, types: ReadonlySet<string>, handler: EventHandler, consumer: string) {
    const event = parseEnvelope(msg);
    if (!event) {
      logger.error({ consumer, subject: msg.subject, seq: msg.seq }, "unparseable event; terminated");
      msg.term();
      return;
    }
    if (closing) return msg.nak(); // hand it straight to another replica
    if (!types.has(event.type)) return msg.ack(); // only on servers without multiple filter subjects
    // Tell the server we are still at it, so a slow handler does not get a concurrent redelivery.
    const working = setInterval(() => msg.working(), ackWaitMs / 3);
    try {
      await withEventSpan({ consumer, via: "nats" }, [event], () => handler(event));
      msg.ack();
    } catch (error) {
      const deliveries = msg.info.deliveryCount;
      const delay = retryDelay(deliveries);
      const what = { err: error, consumer, eventId: event.id, type: event.type, deliveries };
      // The outbox keeps the event: relay.replayFrom() publishes it again once the cause is mended.
      if (deliveries >= maxDeliver) logger.error(what, "handler failed on the last delivery; given up");
      else logger.warn({ ...what, delay }, "handler failed");
      msg.nak(delay);
    } finally {
      clearInterval(working);
    }
  }

  /** A broadcast's message: handled once, never acknowledged (its consumer has no acks). */
  async function handleBroadcast(msg: JsMsg, types: ReadonlySet<string>, handler: EventHandler) {
    const event = parseEnvelope(msg);
    if (!event || !types.has(event.type)) return;
    try {
      await withEventSpan({ consumer: "broadcast", via: "nats" }, [event], () => handler(event));
    } catch (error) {
      logger.warn({ err: error, eventId: event.id, type: event.type }, "broadcast handler failed");
    }
  }

  async function run(messages: ConsumerMessages, types: ReadonlySet<string>, h: EventHandler, c: string) {
    try {
      // One at a time, so a consumer sees events in stream order (redeliveries aside).
      for await (const msg of messages) await handle(msg, types, h, c);
    } catch (error) {
      logger.error({ err: error, consumer: c }, "consumer stopped");
    }
  }

  function filterFor(types: readonly string[]): Partial<ConsumerConfig> {
    const subjects = types.map((t) => `${prefix}.*.${checkToken("type", t)}`);
    // Both keys always, so an update clears whichever form the consumer had before.
    if (subjects.length === 1) return { filter_subject: subjects[0], filter_subjects: undefined };
    if (supportsFilterSubjects(nc)) return { filter_subject: undefined, filter_subjects: subjects };
    return { filter_subject: `${prefix}.>`, filter_subjects: undefined };
  }

  return {
    kind: "nats",
    async publish(event) {
      const subject = `${prefix}.${checkToken("source", event.source)}.${checkToken("type", event.type)}`;
      // The message id is a header too: JetStream de-duplicates on it.
      await js.publish(subject, JSON.stringify(event), { msgID: event.id, headers: traceHeadersOf(event) });
    },
    async subscribe(consumer, types, handler) {
      if (closing) throw new Error("the NATS bus is closed");
      const durable = durableName(consumer);
      await ensureConsumer(jsm, stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(ackWaitMs),
        max_deliver: maxDeliver,
        ...filterFor(types),
      });
      const pull = await js.consumers.get(stream, durable);
      const messages = await pull.consume({ max_messages: 32 });
      const done = run(messages, new Set(types), handler, consumer);
      subscriptions.push({ messages, done });
    },
    async broadcast(types, handler) {
      if (closing) throw new Error("the NATS bus is closed");
      const filter = filterFor(types);
      // An ordered consumer of this process alone, in memory, from new messages on: it exists on
      // the server once consume() resolves, so nothing published after that is missed.
      const ordered = await js.consumers.get(stream, {
        deliver_policy: DeliverPolicy.New,
        filterSubjects: filter.filter_subjects ?? filter.filter_subject ?? `${prefix}.>`,
      });
      const messages = await ordered.consume({ max_messages: 32 });
      const set = new Set(types);
      const done = (async () => {
        try {
          for await (const msg of messages) await handleBroadcast(msg, set, handler);
        } catch (error) {
          logger.error({ err: error }, "broadcast stopped");
        }
      })();
      subscriptions.push({ messages, done });
    },
    async problem() {
      if (nc.isClosed()) return "the NATS connection is closed";
      try {
        await nc.flush();
        return undefined;
      } catch {
        return "NATS does not answer";
      }
    },
    async close() {
      if (closing) return;
      closing = true;
      for (const s of subscriptions) s.messages.stop();
      await Promise.all(subscriptions.map((s) => s.done));
      await nc.drain();
    },
  };
}
