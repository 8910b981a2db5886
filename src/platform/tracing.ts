// Traces across services: W3C trace context in and out of HTTP calls and events, spans exported over
// OTLP when a URL is set. Without one nothing is recorded: a context carries its ids only (to logs,
// the outbox and calls), so a service that exports nothing passes the trace on at almost no cost.
import type { IncomingHttpHeaders } from "node:http";
import {
  type Attributes,
  type Context,
  context,
  type DiagLogger,
  DiagLogLevel,
  defaultTextMapGetter,
  defaultTextMapSetter,
  diag,
  type Link,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { ExportResultCode, parseTraceParent, W3CTraceContextPropagator } from "@opentelemetry/core";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  RandomIdGenerator,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-node";
import type { EventEnvelope } from "./bus/bus.js";
import { type Config, contextNames } from "./config.js";
import { correlationOf, type Logger, withCorrelationId } from "./logging.js";

export interface TracingOptions {
  readonly serviceName: string;
  readonly otlpUrl: string | undefined;
  readonly logger: Logger;
}

export interface Tracing {
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

const w3c = new W3CTraceContextPropagator();
const ids = new RandomIdGenerator();
const exportTimeoutMs = 5_000;
/** Set while spans are exported. */
let tracer: Tracer | undefined;

/** The name a process's spans carry: `mypay` when it runs every context, else what it runs. */
export function serviceName(config: Pick<Config, "contexts" | "gateway">): string {
  if (config.gateway) return "mypay-gateway";
  return config.contexts.length === contextNames.length ? "mypay" : `mypay-${config.contexts.join("-")}`;
}

export function startTracing({ serviceName, otlpUrl, logger }: TracingOptions): Tracing {
  diag.setLogger(diagLogger(logger), DiagLogLevel.WARN);
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ "service.name": serviceName })),
    spanProcessors: otlpUrl
      ? [
          new BatchSpanProcessor(lazyOtlpExporter(tracesUrl(otlpUrl)), {
            exportTimeoutMillis: exportTimeoutMs,
          }),
        ]
      : [],
  });
  // Its default context manager is AsyncLocalStorage's; the propagator is W3C trace context alone.
  provider.register({ propagator: w3c });
  tracer = otlpUrl ? provider.getTracer("mypay") : undefined;
  logger.info({ serviceName, exporting: otlpUrl !== undefined }, "tracing started");
  let stopped: Promise<void> | undefined;
  async function shutdown() {
    tracer = undefined;
    try {
      await provider.shutdown();
    } finally {
      // So that a later startTracing (a test's) can register again.
      trace.disable();
      context.disable();
      propagation.disable();
      diag.disable();
    }
  }
  return { shutdown: () => (stopped ??= shutdown()) };
}

/** The headers that carry the active trace to another service: `traceparent`, and `tracestate` if any. */
export function traceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  w3c.inject(context.active(), headers, defaultTextMapSetter);
  return headers;
}

/**
 * The traceparent that events of this correlation id written now carry: the active trace's, unless
 * the active context is another business transaction's (a group commit runs in its first request's).
 */
export function traceparentFor(correlationId: string): string | undefined {
  const active = correlationOf(context.active());
  return active === undefined || active === correlationId ? traceHeaders().traceparent : undefined;
}

/** Runs fn in a span, a child of the active one (when not exporting, in the active context itself). */
export function withSpan<T>(name: string, attributes: Attributes, fn: () => T | Promise<T>): Promise<T> {
  const parent = context.active();
  const ctx = tracer
    ? trace.setSpan(parent, tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent))
    : idsOnly(parent);
  return context.with(ctx, () => settle(ctx, fn));
}

/** Runs fn as a continuation of the trace an incoming traceparent names; an absent or invalid one changes nothing. */
export function runWithTraceparent<T>(traceparent: string | undefined, fn: () => T): T {
  const remote = fromTraceparent(traceparent);
  return remote ? context.with(remote, fn) : fn();
}

/** Runs fn in the given context (a request's, held across Fastify's hooks). */
export function inContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}

/** What a server span is made of (a Fastify request has it); its id is the correlation id. */
export interface IncomingRequest {
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly protocol: string;
  readonly headers: IncomingHttpHeaders;
  /** The route's pattern (`/v1/payments/:paymentId`); undefined when no route matched. */
  readonly routeOptions: { readonly url?: string | undefined };
}

/** A request's server span, continuing its caller's traceparent, with the correlation id beside it. */
export function startServerSpan(request: IncomingRequest): Context {
  const remote = w3c.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
  const ctx = tracer ? trace.setSpan(remote, serverSpan(tracer, request, remote)) : idsOnly(remote);
  return withCorrelationId(ctx, request.id);
}

function serverSpan(t: Tracer, request: IncomingRequest, parent: Context) {
  const route = request.routeOptions.url;
  const attributes: Attributes = {
    "http.request.method": request.method,
    "url.path": request.url.split("?", 1)[0],
    "url.scheme": request.protocol,
    "mypay.correlation_id": request.id,
  };
  if (route) attributes["http.route"] = route;
  const name = route ? `${request.method} ${route}` : request.method;
  return t.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
}

export function endServerSpan(ctx: Context, statusCode: number): void {
  const span = trace.getSpan(ctx);
  if (!span?.isRecording()) return;
  span.setAttribute("http.response.status_code", statusCode);
  if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

export interface Delivery {
  readonly consumer: string;
  readonly via: "in-process" | "nats" | "redelivery";
}

/**
 * Runs a consumer's handling of events in a span that continues the trace of the transaction that
 * wrote them, with their correlation id, so its log lines and spans join theirs. Events of several
 * traces handled together get a span of its own, linked to each of them.
 */
export function withEventSpan<T>(
  delivery: Delivery,
  events: readonly EventEnvelope[],
  fn: () => Promise<T>,
): Promise<T> {
  if (events.length === 0) return fn();
  const parent = fromTraceparent(shared(events, (e) => e.traceparent)) ?? ROOT_CONTEXT;
  const correlationId = shared(events, (e) => e.correlationId);
  let ctx = tracer
    ? trace.setSpan(parent, consumerSpan(tracer, delivery, events, parent, correlationId))
    : idsOnly(parent);
  if (correlationId !== undefined) ctx = withCorrelationId(ctx, correlationId);
  return context.with(ctx, () => settle(ctx, fn));
}

function consumerSpan(
  t: Tracer,
  delivery: Delivery,
  events: readonly EventEnvelope[],
  parent: Context,
  correlationId: string | undefined,
) {
  const type = shared(events, (e) => e.type);
  // A batch of several traces: linked to each, the child of none.
  const links: Link[] = [];
  if (parent === ROOT_CONTEXT) {
    for (const e of events) {
      const linked = fromTraceparent(e.traceparent);
      const spanContext = linked && trace.getSpanContext(linked);
      if (spanContext) links.push({ context: spanContext });
    }
  }
  const attributes: Attributes = {
    "messaging.system": delivery.via,
    "messaging.operation.type": "process",
    "messaging.consumer.group.name": delivery.consumer,
  };
  if (type) attributes["messaging.destination.name"] = type;
  if (events.length === 1) attributes["messaging.message.id"] = events[0]!.id;
  else attributes["messaging.batch.message_count"] = events.length;
  if (correlationId) attributes["mypay.correlation_id"] = correlationId;
  return t.startSpan(
    type ? `process ${type}` : "process",
    { kind: SpanKind.CONSUMER, links, attributes },
    parent,
  );
}

/** The value every event has in common, or undefined. */
function shared(events: readonly EventEnvelope[], of: (e: EventEnvelope) => string | undefined) {
  const value = events[0] && of(events[0]);
  for (let i = 1; i < events.length && value !== undefined; i++)
    if (of(events[i]!) !== value) return undefined;
  return value;
}

/**
 * Not exporting, nothing is recorded: a context that is in a trace stays as it is (its traceparent
 * passes through unchanged), and one that is not gets new ids, sampled so that the services
 * downstream that export record their part.
 */
function idsOnly(parent: Context): Context {
  if (trace.getSpanContext(parent)) return parent;
  const traceId = ids.generateTraceId();
  return trace.setSpanContext(parent, {
    traceId,
    spanId: ids.generateSpanId(),
    traceFlags: TraceFlags.SAMPLED,
  });
}

async function settle<T>(ctx: Context, fn: () => T | Promise<T>): Promise<T> {
  const span = trace.getSpan(ctx);
  const mine = span?.isRecording() === true;
  try {
    return await fn();
  } catch (error) {
    if (mine) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : undefined,
      });
    }
    throw error;
  } finally {
    if (mine) span.end();
  }
}

function fromTraceparent(traceparent: string | undefined): Context | undefined {
  const spanContext = traceparent ? parseTraceParent(traceparent) : null;
  if (!spanContext) return undefined;
  return trace.setSpanContext(ROOT_CONTEXT, { ...spanContext, isRemote: true });
}

/** A URL without a path is the collector's root: OTLP/HTTP takes traces at /v1/traces. */
function tracesUrl(otlpUrl: string): string {
  const url = new URL(otlpUrl);
  if (url.pathname === "/") url.pathname = "/v1/traces";
  return url.toString();
}

/** The OTLP exporter, loaded at its first export: a process that exports nothing never loads it. */
function lazyOtlpExporter(url: string): SpanExporter {
  let loading: Promise<SpanExporter> | undefined;
  const exporter = () =>
    (loading ??= import("@opentelemetry/exporter-trace-otlp-http").then(
      (m) => new m.OTLPTraceExporter({ url, timeoutMillis: exportTimeoutMs }),
    ));
  return {
    export(spans, done) {
      exporter().then(
        (e) => e.export(spans, done),
        (error) => done({ code: ExportResultCode.FAILED, error }),
      );
    },
    shutdown: async () => {
      if (loading) await (await loading).shutdown();
    },
    forceFlush: async () => {
      if (loading) await (await loading).forceFlush?.();
    },
  };
}

/** OpenTelemetry's own warnings (a collector that does not answer) as log lines. */
function diagLogger(logger: Logger): DiagLogger {
  const log = logger.child({ component: "tracing" });
  const at =
    (level: "error" | "warn" | "info" | "debug" | "trace") =>
    (message: string, ...args: unknown[]) =>
      log[level]({ details: args.map(String) }, message);
  return { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug"), verbose: at("trace") };
}
