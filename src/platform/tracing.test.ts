import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { type IncomingMessage, request } from "node:http";
import { after, before, describe, test } from "node:test";
import { Type } from "@sinclair/typebox";
import { waitFor } from "../testing/bus.js";
import { openTestDb } from "../testing/db.js";
import { spanKind, startOtlpReceiver } from "../testing/otlp.js";
import type { EventEnvelope } from "./bus/bus.js";
import { createInProcessBus } from "./bus/in-process.js";
import type { Db } from "./db/db.js";
import { migrate, platformMigrationsDir } from "./db/migrate.js";
import { createMetrics } from "./http/metrics.js";
import { createHttpServer, type HttpServer } from "./http/server.js";
import { handleOnce } from "./inbox.js";
import { createLogger, type Logger } from "./logging.js";
import { recordEvents } from "./outbox.js";
import { createOutboxRelay, type OutboxRelay } from "./relay.js";
import { runWithTraceparent, startTracing, type Tracing, traceHeaders, withSpan } from "./tracing.js";

// Spans leave the batch processor every 20 ms instead of every 5 s (read when tracing starts).
process.env.OTEL_BSP_SCHEDULE_DELAY = "20";

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const parse = (traceparent: string | undefined) => {
  const [version, traceId, parentId, flags] = (traceparent ?? "").split("-");
  assert.equal(version, "00", `a traceparent: ${traceparent}`);
  return { traceId: traceId!, parentId: parentId!, flags: flags! };
};

/** An app whose POST /payments writes a Paid event in its transaction, and a consumer of it. */
async function paymentsWorld(db: Db, logger: Logger) {
  const schema = `tracing_${hex(3)}`;
  await migrate(db, { schema, dirs: [platformMigrationsDir] });
  const bus = createInProcessBus(logger);
  const handled: { event: EventEnvelope; headers: Record<string, string> }[] = [];
  await bus.subscribe(
    "ledger",
    ["Paid"],
    handleOnce(db, schema, "ledger", async (_tx, event) => {
      logger.info({ eventId: event.id }, "payment booked");
      handled.push({ event, headers: traceHeaders() });
    }),
  );
  const relay: OutboxRelay = createOutboxRelay({
    db,
    schema,
    bus,
    logger: createLogger("silent"),
    pollMs: 20,
  });
  const app: HttpServer = await createHttpServer({
    logger,
    metrics: createMetrics(),
    title: "t",
    docs: false,
  });
  app.get("/things/:id", async (request) => {
    request.log.info("looking the thing up");
    return traceHeaders();
  });
  app.post("/payments", { schema: { body: Type.Object({ amount: Type.Integer() }) } }, async (request) => {
    request.log.info("paying");
    await db.tx((tx) =>
      recordEvents(tx, schema, [{ type: "Paid", data: request.body }], { correlationId: request.id }),
    );
    relay.kick();
    return traceHeaders();
  });
  // Tells a test that a request's headers were read, so that it sends the body after them.
  const arrivals: (() => void)[] = [];
  app.addHook("onRequest", async () => arrivals.shift()?.());
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  relay.start();
  return {
    schema,
    handled,
    url,
    /** POSTs JSON whose body leaves once the server has begun the request: it comes in later socket reads. */
    async post(path: string, headers: Record<string, string>, body: unknown) {
      const begun = new Promise<void>((resolve) => arrivals.push(resolve));
      const req = request(`${url}${path}`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", "transfer-encoding": "chunked" },
      });
      const answered = new Promise<IncomingMessage>((resolve, reject) => {
        req.on("response", resolve).on("error", reject);
      });
      req.flushHeaders();
      await begun;
      req.end(JSON.stringify(body));
      const res = await answered;
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      return { res, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, string> };
    },
    close: async () => {
      await app.close();
      await relay.stop();
      await bus.close();
    },
  };
}

function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger("info", "tracing-test", {
    write: (line: string) => void lines.push(JSON.parse(line)),
  });
  return { lines, logger };
}

let db: Db;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;

before(async () => {
  db = await openTestDb();
  receiver = await startOtlpReceiver();
});

after(async () => {
  assert.deepEqual(receiver.refused, [], "the exporter sent OTLP/HTTP JSON to /v1/traces only");
  await receiver.close();
  await db.close();
});

describe("exporting to an OTLP endpoint", () => {
  let tracing: Tracing;
  const logs = captureLogs();
  let world: Awaited<ReturnType<typeof paymentsWorld>>;

  before(async () => {
    tracing = startTracing({
      serviceName: "tracing-test",
      otlpUrl: receiver.url,
      logger: createLogger("silent"),
    });
    world = await paymentsWorld(db, logs.logger);
  });

  after(async () => {
    await world.close();
    await tracing.shutdown();
  });

  test("a request with a traceparent is a server span of that trace, the caller's span its parent", async () => {
    const caller = { traceId: hex(16), spanId: hex(8) };
    const res = await fetch(`${world.url}/things/42`, {
      headers: { traceparent: `00-${caller.traceId}-${caller.spanId}-01` },
    });
    assert.equal(res.status, 200);
    const inHandler = parse(((await res.json()) as Record<string, string>).traceparent);
    assert.equal(inHandler.traceId, caller.traceId);

    await waitFor(() => receiver.spans.some((s) => s.traceId === caller.traceId));
    const [span] = receiver.spans.filter((s) => s.traceId === caller.traceId);
    assert.deepEqual(
      { name: span!.name, kind: span!.kind, parent: span!.parentSpanId, service: span!.service },
      { name: "GET /things/:id", kind: spanKind.server, parent: caller.spanId, service: "tracing-test" },
    );
    // What the handler passes on to the next service names this span as its parent.
    assert.equal(inHandler.parentId, span!.spanId);
    assert.equal(span!.attributes["http.request.method"], "GET");
    assert.equal(span!.attributes["http.route"], "/things/:id");
    assert.equal(span!.attributes["http.response.status_code"], 200);

    const requestId = res.headers.get("x-request-id");
    const lines = logs.lines.filter((l) => l.requestId === requestId);
    assert.deepEqual(
      lines.map((l) => [l.msg, l.correlationId, l.traceId]),
      [
        ["looking the thing up", requestId, caller.traceId],
        ["request", requestId, caller.traceId],
      ],
    );
  });

  test("an event written in a request's transaction is handled in a consumer span of the request's trace", async () => {
    const caller = { traceId: hex(16), spanId: hex(8) };
    // The body comes after the headers: the handler runs from its stream events, yet in the trace.
    const { res, body } = await world.post(
      "/payments",
      { traceparent: `00-${caller.traceId}-${caller.spanId}-01` },
      { amount: 5000 },
    );
    assert.equal(res.statusCode, 200);
    const requestId = String(res.headers["x-request-id"]);
    assert.equal(parse(body.traceparent).traceId, caller.traceId);

    await waitFor(() => world.handled.some((h) => h.event.correlationId === requestId));
    const { event, headers } = world.handled.find((h) => h.event.correlationId === requestId)!;
    assert.equal(parse(event.traceparent).traceId, caller.traceId);
    assert.equal(parse(headers.traceparent).traceId, caller.traceId);
    const [row] = await db.query<{ traceparent: string }>(
      `SELECT traceparent FROM ${world.schema}.outbox WHERE id = $1`,
      [event.id],
    );
    assert.equal(row?.traceparent, event.traceparent);

    const spansOf = () => receiver.spans.filter((s) => s.traceId === caller.traceId);
    await waitFor(() => spansOf().length === 2);
    const server = spansOf().find((s) => s.kind === spanKind.server)!;
    const consumer = spansOf().find((s) => s.kind === spanKind.consumer)!;
    assert.equal(server.name, "POST /payments");
    assert.equal(server.parentSpanId, caller.spanId);
    // The event carries the trace context of the transaction that wrote it: the server span's.
    assert.equal(parse(event.traceparent).parentId, server.spanId);
    assert.deepEqual(
      {
        name: consumer.name,
        parent: consumer.parentSpanId,
        group: consumer.attributes["messaging.consumer.group.name"],
      },
      { name: "process Paid", parent: server.spanId, group: "ledger" },
    );
    assert.equal(consumer.attributes["messaging.message.id"], event.id);
    assert.equal(consumer.attributes["mypay.correlation_id"], requestId);

    // The request's lines and the consumer's (its logger has no request bindings) carry both ids.
    const traced = (msg: string) => logs.lines.find((l) => l.msg === msg && l.correlationId === requestId);
    assert.equal(traced("paying")?.traceId, caller.traceId);
    assert.equal(traced("payment booked")?.traceId, caller.traceId);
    assert.equal(traced("payment booked")?.eventId, event.id);
  });

  test("traceHeaders() in a span names that span, in the trace the incoming traceparent continues", async () => {
    assert.deepEqual(traceHeaders(), {}, "outside any trace there is nothing to pass on");
    const caller = { traceId: hex(16), spanId: hex(8) };
    const inSpan = await runWithTraceparent(`00-${caller.traceId}-${caller.spanId}-01`, () =>
      withSpan("quote fee", { "fee.kind": "remittance" }, () => traceHeaders()),
    );
    const passed = parse(inSpan.traceparent);
    assert.equal(passed.traceId, caller.traceId);
    assert.equal(passed.flags, "01");

    await waitFor(() => receiver.spans.some((s) => s.traceId === caller.traceId));
    const span = receiver.spans.find((s) => s.traceId === caller.traceId)!;
    assert.deepEqual(
      {
        name: span.name,
        kind: span.kind,
        id: span.spanId,
        parent: span.parentSpanId,
        attr: span.attributes["fee.kind"],
      },
      {
        name: "quote fee",
        kind: spanKind.internal,
        id: passed.parentId,
        parent: caller.spanId,
        attr: "remittance",
      },
    );
  });

  test("a request without a traceparent starts a trace of its own", async () => {
    const res = await fetch(`${world.url}/things/7`);
    const { traceId } = parse(((await res.json()) as Record<string, string>).traceparent);
    assert.match(traceId, /^[0-9a-f]{32}$/);
    await waitFor(() => receiver.spans.some((s) => s.traceId === traceId));
    assert.equal(receiver.spans.find((s) => s.traceId === traceId)?.parentSpanId, "");
  });
});

describe("without an OTLP URL", () => {
  test("nothing is sent, and the trace context still goes through requests and events", async () => {
    const posts = receiver.posts();
    const tracing = startTracing({
      serviceName: "tracing-test",
      otlpUrl: undefined,
      logger: createLogger("silent"),
    });
    const logs = captureLogs();
    const world = await paymentsWorld(db, logs.logger);
    try {
      const caller = { traceId: hex(16), spanId: hex(8) };
      const traceparent = `00-${caller.traceId}-${caller.spanId}-01`;
      const { res, body } = await world.post("/payments", { traceparent }, { amount: 100 });
      // Nothing is recorded here, so the caller's context passes on unchanged.
      assert.equal(body.traceparent, traceparent);
      const requestId = String(res.headers["x-request-id"]);
      await waitFor(() => world.handled.some((h) => h.event.correlationId === requestId));
      const { event, headers } = world.handled.find((h) => h.event.correlationId === requestId)!;
      assert.equal(event.traceparent, traceparent);
      assert.equal(headers.traceparent, traceparent);
      const booked = logs.lines.find((l) => l.msg === "payment booked" && l.correlationId === requestId);
      assert.equal(booked?.traceId, caller.traceId);

      const fresh = await withSpan("alone", {}, () => traceHeaders());
      assert.match(parse(fresh.traceparent).traceId, /^[0-9a-f]{32}$/);
    } finally {
      await world.close();
      await tracing.shutdown();
    }
    assert.equal(receiver.posts(), posts);
  });
});
