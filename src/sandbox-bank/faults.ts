import type { FastifyReply, FastifyRequest } from "fastify";
import { responses, sendProblem } from "../platform/http/problem.js";
import type { HttpServer } from "../platform/http/server.js";
import { Faults, FaultsBody } from "./schemas.js";

export const noFaults: Faults = {
  failureRate: 0,
  timeoutRate: 0,
  latencyMs: 0,
  down: false,
  timeoutHoldMs: 30_000,
};

/** The chaos settings of a running bank (in memory) and the delays they cause. */
export interface FaultInjector {
  current(): Faults;
  /** True with probability `rate`. */
  chance(rate: number): boolean;
  /** Waits `ms`, or less if the bank is closing: closing must not wait for held answers. */
  delay(ms: number): Promise<void>;
  /** Holds a transfer's answer for timeoutHoldMs, then drops the connection without answering. */
  dropAfterHold(reply: FastifyReply): Promise<FastifyReply>;
}

const isFaultsRoute = (request: FastifyRequest) => request.routeOptions.url === "/faults";

/** Adds GET/PUT /faults, the down and latency hooks, and cuts every held answer short on close. */
export function registerFaults(app: HttpServer, random: () => number = Math.random): FaultInjector {
  let faults: Faults = { ...noFaults };
  let closing = false;
  const pending = new Set<() => void>();

  const delay = (ms: number) =>
    closing || ms <= 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            pending.delete(done);
            resolve();
          };
          const timer = setTimeout(done, ms);
          pending.add(done);
        });

  app.addHook("preClose", async () => {
    closing = true;
    for (const done of [...pending]) done();
  });

  app.addHook("onRequest", async (request, reply) => {
    if (isFaultsRoute(request)) return;
    if (faults.down) {
      return sendProblem(reply, { code: "BANK_UNAVAILABLE", detail: "the bank is down (injected fault)" });
    }
    await delay(faults.latencyMs);
  });

  app.get(
    "/faults",
    { schema: { summary: "The current fault settings", response: { 200: Faults } } },
    async () => faults,
  );
  app.put(
    "/faults",
    {
      schema: {
        summary: "Replace the fault settings (for tests and chaos runs)",
        body: FaultsBody,
        response: responses({ 200: Faults }, []),
      },
    },
    async (request) => {
      faults = { ...noFaults, ...request.body };
      request.log.info({ faults }, "faults changed");
      return faults;
    },
  );

  return {
    current: () => faults,
    chance: (rate) => rate > 0 && random() < rate,
    delay,
    async dropAfterHold(reply) {
      await delay(faults.timeoutHoldMs);
      // The caller sees a dropped connection, never an answer: it must ask GET /transfers/{id}.
      reply.hijack();
      reply.raw.destroy();
      return reply;
    },
  };
}
