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

function noAnswer(error: unknown, what: string): BankCallError {
  const name = (error as { name?: unknown })?.name;
  if (name === "TimeoutError" || name === "AbortError") {
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
  try {
    const res = await fetch(url, {
      method,
      ...(body ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = res.status;
    text = await res.text();
  } catch (error) {
    throw noAnswer(error, what);
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
  throw new BankCallError("server", `${what}: unexpected answer ${reply.status}`);
}

function asTransferAnswer(reply: Reply): TransferAnswer {
  const b = reply.body as { status?: unknown; reason?: unknown } | undefined;
  if (b?.status !== "SUCCEEDED" && b?.status !== "FAILED") return garbled("transfer", reply);
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
  const isFault = (e: Error) => e instanceof BankCallError;
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
    reading: wrap(retrying(isFault), breaker),
    // A write is retried only when the bank surely never got it.
    writing: wrap(
      retrying((e) => e instanceof BankCallError && e.kind === "refused"),
      breaker,
    ),
  };
}

export function createHttpBank(baseUrl: string, resilience: Resilience): BankPort {
  const base = baseUrl.replace(/\/+$/, "");
  const { breaker, reading, writing } = policies(resilience);
  let openedAt = 0;
  breaker.onBreak(() => {
    openedAt = Date.now();
  });
  const call = (policy: IPolicy, method: string, path: string, body?: object) =>
    policy.execute(() => exchange(`${base}${path}`, method, resilience.timeoutMs, body));
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
      const reply = await call(writing, "POST", "/transfers", order);
      if (reply.status === 200) return asTransferAnswer(reply);
      // Any other 4xx: the bank read the order and turned it down, so no money moved.
      return { status: "FAILED", reason: `REJECTED_${reply.status}` };
    },
    async getTransfer(requestId) {
      const reply = await call(reading, "GET", `/transfers/${encodeURIComponent(requestId)}`);
      if (reply.status === 404) return undefined;
      return reply.status === 200 ? asTransferAnswer(reply) : garbled("transfer", reply);
    },
  };
}
