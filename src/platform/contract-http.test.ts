import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Type } from "@sinclair/typebox";
import { fail, ok } from "../kernel/errors.js";
import { freePort } from "../testing/ports.js";
import { defineContract, type Implementation, maybe, resultOf } from "./contract.js";
import { contractClient, ServiceUnavailableError, serveContract } from "./contract-http.js";
import { createMetrics } from "./http/metrics.js";
import { createHttpServer, type HttpServer } from "./http/server.js";
import { createLogger } from "./logging.js";

// A contract of the shape every context's has: a read, a command with the caller's id, a Result.
const contract = defineContract({
  context: "money",
  operations: {
    find: {
      args: [Type.String(), Type.Optional(Type.Integer())],
      returns: maybe(Type.Object({ id: Type.String(), n: Type.Integer() })),
      errors: [],
      retry: true,
    },
    move: {
      args: [Type.Object({ moveId: Type.String(), amount: Type.Integer({ minimum: 1 }) })],
      returns: resultOf(Type.Object({ moveId: Type.String(), balance: Type.Integer() })),
      errors: ["INSUFFICIENT_BALANCE"],
      retry: true,
    },
    once: { args: [], returns: Type.Integer(), errors: [], retry: false },
    garbled: { args: [], returns: Type.Integer(), errors: [], retry: true },
  },
  events: {},
});

const token = "service-token-for-tests";
const logger = createLogger("silent");
let app: HttpServer;
let baseUrl: string;
let delayMs = 0;
const calls = { move: 0, once: 0 };
const moved = new Map<string, number>();
let balance = 1_000;

const impl: Implementation<typeof contract> = {
  async find(id, n) {
    return id === "none" ? undefined : { id, n: n ?? -1 };
  },
  async move({ moveId, amount }) {
    calls.move++;
    await new Promise((r) => setTimeout(r, delayMs));
    // Idempotent on the caller's id, as every money-moving operation is.
    if (!moved.has(moveId)) {
      if (amount > balance) return fail("INSUFFICIENT_BALANCE", "not enough");
      balance -= amount;
      moved.set(moveId, balance);
    }
    return ok({ moveId, balance: moved.get(moveId)! });
  },
  async once() {
    calls.once++;
    await new Promise((r) => setTimeout(r, delayMs));
    return 1;
  },
  async garbled() {
    return "not a number" as unknown as number;
  },
};

before(async () => {
  app = await createHttpServer({ logger, metrics: createMetrics(), title: "t", docs: false });
  serveContract(app, contract, impl, token);
  baseUrl = await app.listen({ port: 0, host: "127.0.0.1" });
});
after(() => app.close());

const client = (options: Partial<Parameters<typeof contractClient>[1]> = {}) =>
  contractClient(contract, { baseUrl, token, timeoutMs: 300, logger, halfOpenAfterMs: 300, ...options });

describe("a context's contract over HTTP", () => {
  test("the client answers as the implementation does: values, absent values, optional arguments, failures", async () => {
    const { api } = client();
    assert.deepEqual(await api.find("a", 3), { id: "a", n: 3 });
    assert.deepEqual(await api.find("b"), { id: "b", n: -1 });
    assert.equal(await api.find("none"), undefined);
    const refused = await api.move({ moveId: "m-big", amount: 1_000_000 });
    assert.deepEqual(refused, { ok: false, error: { code: "INSUFFICIENT_BALANCE", detail: "not enough" } });
    const done = await api.move({ moveId: "m-1", amount: 100 });
    assert.deepEqual(done, { ok: true, value: { moveId: "m-1", balance: 900 } });
  });

  test("internal routes take only the service token, and arguments outside the contract are refused", async () => {
    const wrongToken = client({ token: "guess" }).api;
    await assert.rejects(wrongToken.find("a"), /refused: 401 UNAUTHENTICATED/);
    const bad = await fetch(`${baseUrl}/internal/money/move`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ args: [{ moveId: "m-2", amount: -5 }] }),
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { code: string }).code, "VALIDATION_FAILED");
    assert.equal(moved.has("m-2"), false);
    await assert.rejects(client().api.garbled(), /answered outside its contract/);
  });

  test("a service that is not listening is NOT_SENT: nothing can have happened", async () => {
    const port = await freePort();
    const nobody = contractClient(contract, {
      baseUrl: `http://127.0.0.1:${port}`,
      token,
      timeoutMs: 300,
      logger,
    });
    const error = await nobody.api.find("a").catch((e: unknown) => e);
    assert.ok(error instanceof ServiceUnavailableError, String(error));
    assert.equal(error.outcome, "NOT_SENT");
    assert.equal(error.failure.code, "MONEY_UNAVAILABLE");
  });

  test("a timeout is UNKNOWN; a safe command is asked again with the same id and moves once", async () => {
    delayMs = 500;
    const before = calls.move;
    const error = await client({ attempts: 2 })
      .api.move({ moveId: "m-slow", amount: 10 })
      .catch((e: unknown) => e);
    delayMs = 0;
    assert.ok(error instanceof ServiceUnavailableError, String(error));
    assert.equal(error.outcome, "UNKNOWN");
    assert.equal(calls.move - before, 2, "asked twice, with the same id");
    // The answer that did not come is asked for again, never guessed: the move happened once.
    await new Promise((r) => setTimeout(r, 600));
    const again = await client().api.move({ moveId: "m-slow", amount: 10 });
    assert.deepEqual(again, { ok: true, value: { moveId: "m-slow", balance: moved.get("m-slow") } });
    assert.equal(moved.get("m-slow"), 890);
  });

  test("an operation that is not safe to repeat is sent once, whatever happens", async () => {
    delayMs = 500;
    const before = calls.once;
    await assert.rejects(client({ attempts: 3 }).api.once(), ServiceUnavailableError);
    delayMs = 0;
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(calls.once - before, 1);
  });

  test("after five failures in a row the breaker opens: calls fail at once, then it tries again", async () => {
    delayMs = 400;
    const c = client({ attempts: 1, timeoutMs: 100 });
    for (let i = 0; i < 5; i++) {
      await assert.rejects(c.api.move({ moveId: `m-b${i}`, amount: 1 }), ServiceUnavailableError);
    }
    assert.equal(c.available(), false);
    const started = performance.now();
    const error = await c.api.find("a").catch((e: unknown) => e);
    assert.ok(performance.now() - started < 50, "an open breaker answers at once");
    assert.ok(error instanceof ServiceUnavailableError && error.outcome === "NOT_SENT");
    delayMs = 0;
    await new Promise((r) => setTimeout(r, 800));
    assert.deepEqual(await c.api.find("a"), { id: "a", n: -1 });
    assert.equal(c.available(), true);
  });
});
