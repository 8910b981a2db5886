import {
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  retry,
  wrap,
} from "cockatiel";
import { watchStalls } from "../../platform/event-loop-lag.js";
import type { Logger } from "../../platform/logging.js";
import type { AccountRef } from "./api.js";
import {
  type BankAccountAtBank,
  BankCallError,
  type BankListing,
  type BankPort,
  type TransferAnswer,
  type TransferOrder,
} from "./bank-port.js";

/** The bank port over HTTP (the sandbox bank's API, API.md), with timeouts, retries and a breaker. */

export interface Resilience {
  /** Per attempt: how long to wait for the bank's answer (config.bankTimeoutMs). */
  readonly timeoutMs: number;
  /** Extra attempts where a retry is safe. */
  readonly retries: number;
  readonly retryBaseMs: number;
  /** Consecutive failed calls that open the breaker. */
  readonly breakerThreshold: number;
  readonly halfOpenAfterMs: number;
}

export const defaultResilience: Omit<Resilience, "timeoutMs"> = {
  retries: 2,
  retryBaseMs: 100,
  breakerThreshold: 5,
  halfOpenAfterMs: 5_000,
};

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

function refusedCode(cause: unknown): boolean {
  const c = cause as { code?: unknown; errors?: unknown } | undefined;
  if (c?.code === "ECONNREFUSED") return true;
  // Happy eyeballs tries every address of the host; all of them refused.
  return Array.isArray(c?.errors) && c.errors.length > 0 && c.errors.every((e) => refusedCode(e));
}

// A timeout whose wait was stalled for more than this share of it is our fault, not the bank's.
const stalledShare = 1 / 4;

function noAnswer(error: unknown, what: string, stalledMs: number, timeoutMs: number): BankCallError {
  const name = (error as { name?: unknown })?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    if (stalledMs > timeoutMs * stalledShare) {
      const why = `our event loop was stalled ${stalledMs} ms of the ${timeoutMs} ms wait`;
      return new BankCallError("stalled", `${what}: no answer in time, but ${why}`, { cause: error });
    }
    return new BankCallError("timeout", `${what}: no answer in time`, { cause: error });
  }
  const cause = (error as { cause?: unknown })?.cause;
  if (refusedCode(cause))
    return new BankCallError("refused", `${what}: connection refused`, { cause: error });
  return new BankCallError("reset", `${what}: the connection failed`, { cause: error });
}

/** One HTTP exchange; a 5xx or a broken exchange throws BankCallError, any other status is an answer. */
async function exchange(url: string, method: string, timeoutMs: number, body?: object): Promise<Reply> {
  const what = `${method} ${new URL(url).pathname}`;
  let text: string;
  let status: number;
  const stalled = watchStalls();
  try {
    const res = await fetch(url, {
      method,
      ...(body ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = res.status;
    text = await res.text();
  } catch (error) {
    throw noAnswer(error, what, stalled(), timeoutMs);
  }
  if (status >= 500) throw new BankCallError("server", `${what}: the bank answered ${status}`);
  try {
    return { status, body: text ? JSON.parse(text) : undefined };
  } catch {
    throw new BankCallError("server", `${what}: the answer is not JSON`);
  }
}

/** An answer of a shape we do not know: as good as none, since we cannot tell what happened. */
function garbled(what: string, reply: Reply): never {
  const code = (reply.body as { code?: unknown } | undefined)?.code;
  const named = typeof code === "string" ? ` (${code})` : "";
  throw new BankCallError("unexpected", `${what}: unexpected answer ${reply.status}${named}`);
}

/**
 * The bank's outcome of this very request, or no answer: a 409, a 429, any other status, or a body
 * that is not this requestId's outcome proves nothing about the money, so it stays UNKNOWN.
 */
function asTransferAnswer(reply: Reply, requestId: string): TransferAnswer {
  const what = `transfer ${requestId}`;
  const b = reply.body as { requestId?: unknown; status?: unknown; reason?: unknown } | undefined;
  if (reply.status !== 200 || b?.requestId !== requestId) return garbled(what, reply);
  if (b.status !== "SUCCEEDED" && b.status !== "FAILED") return garbled(what, reply);
  return typeof b.reason === "string" ? { status: b.status, reason: b.reason } : { status: b.status };
}

function asAccount(reply: Reply): BankAccountAtBank {
  const a = reply.body as Partial<BankAccountAtBank> | undefined;
  const fine = typeof a?.accountNumber === "string" && typeof a.holderName === "string";
  if (!fine || typeof a.balance !== "number" || typeof a.status !== "string")
    return garbled("account", reply);
  return a as BankAccountAtBank;
}

function policies(r: Resilience) {
  const anyNoAnswer = (e: Error) => e instanceof BankCallError;
  // Our own stall says nothing of the bank's health: it never counts towards opening the breaker
  // (cockatiel lets an error it does not handle through; a half-open probe then closes it).
  const isFault = (e: Error) => e instanceof BankCallError && e.kind !== "stalled";
  const breaker = circuitBreaker(handleWhen(isFault), {
    halfOpenAfter: r.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(r.breakerThreshold),
  });
  const backoff = new ExponentialBackoff({ initialDelay: r.retryBaseMs, maxDelay: r.retryBaseMs * 16 });
  const retrying = (when: (e: Error) => boolean) =>
    retry(handleWhen(when), { maxAttempts: r.retries, backoff });
  return {
    breaker,
    // Reads change nothing: any failure may be retried.
    reading: wrap(retrying(anyNoAnswer), breaker),
    // A write is retried only when the bank surely never got it.
    writing: wrap(
      retrying((e) => e instanceof BankCallError && e.kind === "refused"),
      breaker,
    ),
  };
}

export function createHttpBank(baseUrl: string, resilience: Resilience, logger: Logger): BankPort {
  const base = baseUrl.replace(/\/+$/, "");
  const { breaker, reading, writing } = policies(resilience);
  const failures = recentFailures(resilience.breakerThreshold);
  let openedAt = 0;
  breaker.onBreak(() => {
    openedAt = Date.now();
    const list = failures.list();
    logger.error(
      { failures: list, halfOpenAfterMs: resilience.halfOpenAfterMs },
      `bank circuit breaker opened after: ${list.map(summary).join("; ")}`,
    );
  });
  breaker.onReset(() => logger.info("bank circuit breaker closed: the bank answers again"));
  const call = (policy: IPolicy, method: string, path: string, body?: object) =>
    policy.execute(async () => {
      const started = Date.now();
      try {
        const reply = await exchange(`${base}${path}`, method, resilience.timeoutMs, body);
        failures.clear();
        return reply;
      } catch (error) {
        if (error instanceof BankCallError && error.kind !== "stalled") {
          failures.note({ method, path, kind: error.kind, message: error.message, ms: Date.now() - started });
        }
        throw error;
      }
    });
  const accountPath = (ref: AccountRef) =>
    `/accounts/${encodeURIComponent(ref.bankCode)}/${encodeURIComponent(ref.accountNumber)}`;

  return {
    available() {
      if (breaker.state === CircuitState.Isolated) return false;
      // cockatiel stays Open until the next call; that call may go through as the half-open probe.
      return breaker.state !== CircuitState.Open || Date.now() - openedAt >= resilience.halfOpenAfterMs;
    },
    async listBanks() {
      const reply = await call(reading, "GET", "/banks");
      const items = (reply.body as { items?: unknown } | undefined)?.items;
      if (reply.status !== 200 || !Array.isArray(items)) return garbled("banks", reply);
      return items as BankListing[];
    },
    async getAccount(ref) {
      const reply = await call(reading, "GET", accountPath(ref));
      if (reply.status === 404 || reply.status === 400) return undefined;
      return reply.status === 200 ? asAccount(reply) : garbled("account", reply);
    },
    async openAccount(bankCode, holderName) {
      const reply = await call(writing, "POST", "/accounts", { bankCode, holderName });
      return reply.status === 201 ? asAccount(reply) : garbled("open account", reply);
    },
    async transfer(order: TransferOrder) {
      return asTransferAnswer(await call(writing, "POST", "/transfers", order), order.requestId);
    },
    async getTransfer(requestId) {
      const reply = await call(reading, "GET", `/transfers/${encodeURIComponent(requestId)}`);
      // The bank's word that it never received this requestId.
      if (reply.status === 404) return undefined;
      return asTransferAnswer(reply, requestId);
    },
  };
}

/** One failed call the breaker counted, for the log line that says why it opened. */
interface FailureNote {
  readonly method: string;
  readonly path: string;
  readonly kind: string;
  readonly message: string;
  readonly ms: number;
}

const summary = (f: FailureNote) => `${f.method} ${f.path} ${f.kind} after ${f.ms} ms`;

/** The counted failures since the last answer: the consecutive ones that open the breaker. */
function recentFailures(keep: number) {
  const notes: FailureNote[] = [];
  return {
    note(f: FailureNote) {
      notes.push(f);
      if (notes.length > Math.max(1, keep)) notes.shift();
    },
    clear: () => {
      notes.length = 0;
    },
    list: () => [...notes],
  };
}
