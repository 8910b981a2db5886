// The figures measured through the HTTP API of a bench server (bench/server.ts, its own process), each
// beside the anchor it is compared with, measured the same way against the same server.
import { closedLoop, type LoadAnswer, type LoadRequest, type LoadResult } from "./load.js";
import { type OpenLoopResult, openLoop } from "./open-loop.js";
import type { BenchMember, Endpoints } from "./world.js";

export interface LoadSettings {
  /** Seconds each measured load runs, after `warmup` uncounted seconds. */
  readonly seconds: number;
  readonly warmup: number;
  /** Turns a figure and its anchor take, when they run against the same server. */
  readonly rounds: number;
}

const runId = Date.now().toString(36);

/** One load for `seconds` after `warmup` uncounted ones. */
type Slice = (seconds: number, warmup: number) => Promise<LoadResult>;

function sum(slices: readonly LoadResult[]): LoadResult {
  const ok = slices.reduce((n, r) => n + r.ok, 0);
  const seconds = slices.reduce((n, r) => n + r.seconds, 0);
  const cpu = slices.reduce((n, r) => n + r.loaderCpuPercent * r.seconds, 0);
  const firstFailure = slices.find((r) => r.firstFailure)?.firstFailure;
  return {
    clients: slices[0]!.clients,
    seconds,
    ok,
    failed: slices.reduce((n, r) => n + r.failed, 0),
    rate: ok / seconds,
    // Quantiles do not add up: the median slice's p50, the worst slice's p99.
    p50Ms: slices.map((r) => r.p50Ms).sort((x, y) => x - y)[Math.floor(slices.length / 2)]!,
    p99Ms: Math.max(...slices.map((r) => r.p99Ms)),
    loaderCpuPercent: cpu / seconds,
    ...(firstFailure ? { firstFailure } : {}),
  };
}

/**
 * A figure and its anchor in turns (a, b, a, b...), `rounds` slices each, each summed: on a shared
 * machine a neighbour's burst then falls on both alike, not on whichever ran second.
 */
async function inTurns(s: LoadSettings, a: Slice, b: Slice): Promise<[LoadResult, LoadResult]> {
  const as: LoadResult[] = [];
  const bs: LoadResult[] = [];
  const slice = s.seconds / s.rounds;
  for (let i = 0; i < s.rounds; i++) {
    as.push(await a(slice, i === 0 ? s.warmup : 0));
    bs.push(await b(slice, i === 0 ? s.warmup : 0));
  }
  return [sum(as), sum(bs)];
}
const statusIs = (expected: string) => (a: LoadAnswer) =>
  a.status < 300 && (JSON.parse(a.body) as { status?: string }).status === expected;
const is200 = (a: LoadAnswer) => a.status === 200;
const post = (path: string, m: BenchMember, key: string, body: unknown): LoadRequest => ({
  method: "POST",
  path,
  headers: { authorization: m.token, "idempotency-key": key },
  body,
});

/** Member n sends to the member half the list away: no two requests in flight share a wallet while clients ≤ members / 2. */
function remittance(members: readonly BenchMember[], what: string) {
  const half = Math.floor(members.length / 2);
  return (n: number) => {
    const from = members[n % members.length]!;
    const to = members[(n + half) % members.length]!;
    return post("/v1/remittances", from, `${runId}-${what}-${n}`, {
      to: { membershipId: to.membershipId },
      amount: 1_000,
    });
  };
}

/** Member→member remittances at each client count; the best one is the figure. */
export async function remittanceLevels(
  e: Endpoints,
  members: readonly BenchMember[],
  levels: readonly number[],
  s: LoadSettings,
): Promise<{ best: LoadResult; levels: LoadResult[] }> {
  const results: LoadResult[] = [];
  for (const clients of levels) {
    results.push(
      await closedLoop({
        url: e.base,
        clients,
        seconds: s.seconds,
        warmupSeconds: s.warmup,
        request: remittance(members, `remit-${clients}`),
        ok: statusIs("SUCCEEDED"),
      }),
    );
  }
  const best = results.reduce((a, b) => (b.rate > a.rate ? b : a));
  return { best, levels: results };
}

/** Remittances sent open loop at `rate` a second; latency counts from when each was due. */
export function remittanceAtRate(
  e: Endpoints,
  members: readonly BenchMember[],
  rate: number,
  o: { seconds: number; maxConnections: number },
): Promise<OpenLoopResult> {
  return openLoop({
    url: e.base,
    rate,
    seconds: o.seconds,
    maxConnections: o.maxConnections,
    request: remittance(members, `paced-${rate}`),
    ok: statusIs("SUCCEEDED"),
  });
}

/** Payments, every one to the first franchise (its payable the would-be hot row), in turns with payments spread over all. */
export async function paymentsHotAndSpread(
  e: Endpoints,
  members: readonly BenchMember[],
  franchises: readonly string[],
  clients: number,
  s: LoadSettings,
): Promise<{ hot: LoadResult; spread: LoadResult }> {
  const payments = (what: string, franchise: (n: number) => string) => (n: number) =>
    post("/v1/payments", members[n % members.length]!, `${runId}-${what}-${n}`, {
      franchiseId: franchise(n),
      amount: 1_000,
    });
  const load = (what: string, franchise: (n: number) => string) => (seconds: number, warmupSeconds: number) =>
    closedLoop({
      url: e.base,
      clients,
      seconds,
      warmupSeconds,
      request: payments(what, franchise),
      ok: statusIs("NORMAL"),
    });
  const [hot, spread] = await inTurns(
    s,
    load("pay-hot", () => franchises[0]!),
    load("pay-spread", (n) => franchises[n % franchises.length]!),
  );
  return { hot, spread };
}

/** Recharges through mypay, in turns with the sandbox bank's own transfer endpoint alone: each transfer moves won from a member's account into one account, as every recharge moves it into the corporate account. */
export async function rechargeAndBank(
  e: Endpoints,
  members: readonly BenchMember[],
  sink: string,
  clients: number,
  s: LoadSettings,
): Promise<{ recharge: LoadResult; bank: LoadResult }> {
  const recharges: Slice = (seconds, warmupSeconds) =>
    closedLoop({
      url: e.base,
      clients,
      seconds,
      warmupSeconds,
      request: (n) =>
        post("/v1/money/recharge", members[n % members.length]!, `${runId}-recharge-${n}`, {
          amount: 10_000,
        }),
      ok: statusIs("SUCCEEDED"),
    });
  const transfers: Slice = (seconds, warmupSeconds) =>
    closedLoop({
      url: e.bank,
      clients,
      seconds,
      warmupSeconds,
      request: (n) => ({
        method: "POST",
        path: "/transfers",
        body: {
          requestId: `${runId}-anchor-${n}`,
          from: { bankCode: "004", accountNumber: members[n % members.length]!.accountNumber },
          to: { bankCode: "004", accountNumber: sink },
          amount: 10_000,
        },
      }),
      ok: statusIs("SUCCEEDED"),
    });
  const [recharge, bank] = await inTurns(s, recharges, transfers);
  return { recharge, bank };
}

/** An authenticated read of one's money (tokens of every member in turn), and /health, alike. */
export async function moneyMeAndHealth(
  e: Endpoints,
  members: readonly BenchMember[],
  clients: number,
  s: LoadSettings,
): Promise<{ me: LoadResult; health: LoadResult }> {
  const get =
    (request: (n: number) => LoadRequest): Slice =>
    (seconds, warmupSeconds) =>
      closedLoop({ url: e.base, clients, seconds, warmupSeconds, request, ok: is200 });
  const [me, health] = await inTurns(
    s,
    get((n) => ({
      method: "GET",
      path: "/v1/money/me",
      headers: { authorization: members[n % members.length]!.token },
    })),
    get(() => ({ method: "GET", path: "/health" })),
  );
  return { me, health };
}
