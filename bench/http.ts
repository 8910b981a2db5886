// Throughput through the HTTP API on real sockets: mypay listening, the sandbox bank on its own port,
// firmbanking, sagas and the ledger all in the path. 8 clients send at once.
import { createMypay, type Mypay } from "../src/app.js";
import { loadConfig } from "../src/platform/config.js";
import type { Db } from "../src/platform/db/db.js";
import { createLogger } from "../src/platform/logging.js";
import { type StartedSandboxBank, startSandboxBank } from "../src/sandbox-bank/api.js";

export interface HttpWorld {
  readonly mypay: Mypay;
  readonly bank: StartedSandboxBank;
  readonly base: string;
  json(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface BenchMember {
  readonly membershipId: string;
  readonly token: string;
  readonly name: string;
}

export async function startHttpWorld(db: Db): Promise<HttpWorld> {
  const logger = createLogger("silent");
  const bank = await startSandboxBank({ port: 0, host: "127.0.0.1", logger });
  const config = loadConfig({
    MYPAY_BANK_PORT: "0",
    MYPAY_BANK_URL: bank.url,
    MYPAY_ADMIN_PASSWORD: "bench-password",
    MYPAY_PORT: "0",
  });
  const mypay = await createMypay({ config, logger, db });
  const base = await mypay.app.listen({ port: 0, host: "127.0.0.1" });
  mypay.startBackground();
  await mypay.contexts.banking.prepare();
  const json = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(url, {
      method,
      headers: { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await res.json()) as Record<string, unknown>;
  };
  return {
    mypay,
    bank,
    base,
    json,
    close: async () => {
      await mypay.close();
      await bank.close();
    },
  };
}

/** Members with a linked account holding plenty of won, and (with `money`) that much recharged. */
export async function benchMembers(
  w: HttpWorld,
  count: number,
  opts: { type?: "personal" | "merchant"; money?: number } = {},
): Promise<BenchMember[]> {
  const members: BenchMember[] = [];
  for (let i = 0; i < count; i++) {
    const name = `Bench ${opts.type ?? "personal"} ${i} ${Math.random().toString(36).slice(2, 8)}`;
    const email = `${name.replaceAll(" ", ".").toLowerCase()}@example.com`;
    const reg = await w.json("POST", `${w.base}/v1/memberships`, {
      name,
      email,
      password: "bench-password",
      region: "Seoul",
      type: opts.type ?? "personal",
    });
    const login = await w.json("POST", `${w.base}/v1/auth/login`, { email, password: "bench-password" });
    const token = `Bearer ${login.accessToken}`;
    const account = await w.json("POST", `${w.bank.url}/accounts`, {
      bankCode: "004",
      holderName: name,
      balance: 1_000_000_000,
    });
    await w.json(
      "POST",
      `${w.base}/v1/bank-accounts`,
      { bankCode: "004", accountNumber: account.accountNumber },
      { authorization: token },
    );
    if (opts.money)
      await w.json(
        "POST",
        `${w.base}/v1/money/recharge`,
        { amount: opts.money },
        { authorization: token, "idempotency-key": `fund-${name}` },
      );
    members.push({ membershipId: reg.membershipId as string, token, name });
  }
  return members;
}

/** A franchise of a new merchant, its settlement account opened at the sandbox bank. */
export async function benchFranchise(w: HttpWorld, i: number): Promise<string> {
  const [owner] = await benchMembers(w, 1, { type: "merchant" });
  const account = await w.json("POST", `${w.bank.url}/accounts`, {
    bankCode: "004",
    holderName: owner!.name,
    balance: 0,
  });
  const f = await w.json(
    "POST",
    `${w.base}/v1/franchises`,
    {
      name: `Bench Store ${i}`,
      businessNumber: "124-81-00998",
      region: "Seoul",
      settlementAccount: { bankCode: "004", accountNumber: account.accountNumber },
    },
    { authorization: owner!.token },
  );
  return f.franchiseId as string;
}

/** Sends `total` requests from 8 clients at once; answers how many answered `status` and how long it took. */
export async function load(
  total: number,
  send: (n: number) => Promise<Record<string, unknown>>,
  expected: string,
): Promise<{ seconds: number; ok: number }> {
  let sent = 0;
  let ok = 0;
  const started = performance.now();
  const client = async () => {
    while (sent < total) {
      const r = await send(sent++);
      if (r.status === expected) ok++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, client));
  return { seconds: (performance.now() - started) / 1000, ok };
}

export interface HttpBenchOptions {
  readonly recharges: number;
  readonly remittances: number;
  readonly payments: number;
}

export interface HttpBenchRow {
  readonly what: string;
  readonly operations: number;
  readonly seconds: number;
}

/** Recharges, member→member remittances and payments through the API, on one database. */
export async function benchHttp(db: Db, o: HttpBenchOptions): Promise<HttpBenchRow[]> {
  const w = await startHttpWorld(db);
  try {
    const rows: HttpBenchRow[] = [];
    const members = await benchMembers(w, 40, { money: 1_000_000 });
    const key = (what: string, n: number) => `bench-${what}-${n}`;
    const headers = (m: BenchMember, what: string, n: number) => ({
      authorization: m.token,
      "idempotency-key": key(what, n),
    });

    const recharge = await load(
      o.recharges,
      (n) => {
        const m = members[n % members.length]!;
        return w.json("POST", `${w.base}/v1/money/recharge`, { amount: 10_000 }, headers(m, "recharge", n));
      },
      "SUCCEEDED",
    );
    rows.push({
      what: `recharge (${recharge.ok} SUCCEEDED)`,
      operations: o.recharges,
      seconds: recharge.seconds,
    });

    // Many members, each sending to the next: no one account is the hot row.
    const remit = await load(
      o.remittances,
      (n) => {
        const from = members[n % members.length]!;
        const to = members[(n + 1) % members.length]!;
        return w.json(
          "POST",
          `${w.base}/v1/remittances`,
          { to: { membershipId: to.membershipId }, amount: 1_000 },
          headers(from, "remit", n),
        );
      },
      "SUCCEEDED",
    );
    rows.push({
      what: `member→member remittance (${remit.ok} SUCCEEDED)`,
      operations: o.remittances,
      seconds: remit.seconds,
    });

    const franchises: string[] = [];
    for (let i = 0; i < 10; i++) franchises.push(await benchFranchise(w, i));
    const pay = await load(
      o.payments,
      (n) => {
        const m = members[n % members.length]!;
        return w.json(
          "POST",
          `${w.base}/v1/payments`,
          { franchiseId: franchises[n % franchises.length], amount: 1_000 },
          headers(m, "pay", n),
        );
      },
      "NORMAL",
    );
    rows.push({ what: `payment (${pay.ok} NORMAL)`, operations: o.payments, seconds: pay.seconds });
    return rows;
  } finally {
    await w.close();
  }
}
