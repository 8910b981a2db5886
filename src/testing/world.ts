import { randomBytes } from "node:crypto";
import type { Mypay, MypayOptions } from "../app.js";
import { createLogger } from "../platform/logging.js";
import { type StartedSandboxBank, startSandboxBank } from "../sandbox-bank/api.js";
import { adminEmail, adminPassword, startTestMypay } from "./mypay.js";

/** mypay wired as `npm start` wires it, talking over HTTP to a sandbox bank of its own. */
export interface World {
  readonly mypay: Mypay;
  readonly bank: StartedSandboxBank;
  /** A signed-in staff member. */
  readonly staffToken: string;
  close(): Promise<void>;
}

/** Short waits and timeouts, so that sagas and the resolver finish within a test. */
const fastSagas = {
  sagaWaitMs: 100,
  sagaPollMs: 50,
  sagaLeaseMs: 1_000,
  sagaRetry: { baseMs: 50, maxMs: 500 },
};
export const fastTuning: Pick<MypayOptions, "money" | "sagas" | "banking"> = {
  money: fastSagas,
  sagas: fastSagas,
  banking: {
    resolverBaseMs: 50,
    resolverMaxMs: 500,
    resolverPollMs: 50,
    resilience: { halfOpenAfterMs: 500 },
  },
};
// Generous, so that a busy CI machine does not turn answers into UNKNOWN; tests that want a missing
// answer have the sandbox bank drop the connection (a short timeoutHoldMs), which is UNKNOWN at once.
export const fastEnv = { MYPAY_BANK_TIMEOUT_MS: "2000" };

export async function startWorld(
  env: Record<string, string> = fastEnv,
  tuning: Pick<MypayOptions, "money" | "sagas" | "banking"> = fastTuning,
): Promise<World> {
  const bank = await startSandboxBank({ port: 0, host: "127.0.0.1", logger: createLogger("silent") });
  const mypay = await startTestMypay({ MYPAY_BANK_URL: bank.url, ...env }, tuning);
  await mypay.contexts.banking.prepare();
  const staffToken = await login(mypay, adminEmail, adminPassword);
  return {
    mypay,
    bank,
    staffToken,
    close: async () => {
      await mypay.close();
      await bank.close();
    },
  };
}

export async function login(mypay: Mypay, email: string, password: string): Promise<string> {
  const res = await mypay.app.inject({ method: "POST", url: "/v1/auth/login", payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login ${email}: ${res.statusCode} ${res.body}`);
  return res.json().accessToken;
}

export async function bankCall<T = unknown>(
  bank: StartedSandboxBank,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${bank.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`bank ${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface Member {
  readonly membershipId: string;
  readonly token: string;
  readonly name: string;
  /** The member's own account at the sandbox bank, linked to mypay. */
  readonly account: { bankCode: string; accountNumber: string };
  readonly bankAccountId: string;
}

/** A member (personal unless `type` says merchant) with a linked account at the sandbox bank holding `bankBalance` won. */
export async function newMember(
  world: World,
  opts: { bankBalance?: number; region?: string; type?: "personal" | "merchant" } = {},
): Promise<Member> {
  const name = `Kim ${randomBytes(3).toString("hex")}`;
  const email = `${name.replace(" ", ".").toLowerCase()}@example.com`;
  const password = "correct-horse-battery";
  const reg = await world.mypay.app.inject({
    method: "POST",
    url: "/v1/memberships",
    payload: { name, email, password, region: opts.region ?? "Seoul", type: opts.type ?? "personal" },
  });
  if (reg.statusCode !== 201) throw new Error(`register: ${reg.body}`);
  const token = await login(world.mypay, email, password);
  const account = await bankCall<{ bankCode: string; accountNumber: string }>(
    world.bank,
    "POST",
    "/accounts",
    {
      bankCode: "088",
      holderName: name,
      balance: opts.bankBalance ?? 1_000_000,
    },
  );
  const link = await world.mypay.app.inject({
    method: "POST",
    url: "/v1/bank-accounts",
    headers: { authorization: `Bearer ${token}` },
    payload: { bankCode: account.bankCode, accountNumber: account.accountNumber },
  });
  if (link.statusCode !== 201) throw new Error(`link: ${link.body}`);
  return {
    membershipId: reg.json().membershipId,
    token,
    name,
    account: { bankCode: account.bankCode, accountNumber: account.accountNumber },
    bankAccountId: link.json().bankAccountId,
  };
}

/** Calls a mypay route as a signed-in member (or staff), with an idempotency key where given. */
export function call(
  world: World,
  token: string,
  method: "GET" | "POST" | "PATCH" | "DELETE",
  url: string,
  payload?: unknown,
  key?: string,
) {
  return world.mypay.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, ...(key === undefined ? {} : { "idempotency-key": key }) },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

export async function bankBalance(
  world: World,
  account: { bankCode: string; accountNumber: string },
): Promise<number> {
  return (
    await bankCall<{ balance: number }>(
      world.bank,
      "GET",
      `/accounts/${account.bankCode}/${account.accountNumber}`,
    )
  ).balance;
}

export async function moneyOf(world: World, member: Member): Promise<number> {
  return (await call(world, member.token, "GET", "/v1/money/me")).json().balance;
}

/** The books as staff see them: trial balance totals and the reconciliation with the bank. */
export async function books(world: World) {
  const trial = (await call(world, world.staffToken, "GET", "/v1/admin/ledger/trial-balance")).json();
  const recon = (await call(world, world.staffToken, "GET", "/v1/admin/reconciliation")).json();
  return { trial, recon };
}

/** Waits until no saga of any context is under way (the resolver and the workers finished them). */
export async function settled(world: World, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  const live = (schema: string) =>
    `SELECT count(*)::int AS live FROM ${schema}.sagas WHERE status NOT IN ('COMPLETED', 'COMPENSATED')`;
  const sql = sagaSchemas.map(live).join(" UNION ALL ");
  for (;;) {
    const rows = await world.mypay.db.query<{ live: number }>(sql);
    const count = rows.reduce((sum, r) => sum + r.live, 0);
    if (count === 0) return;
    if (Date.now() > deadline) throw new Error(`${count} sagas still under way`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sagaSchemas = ["money", "remittance", "payment", "settlement"];

export interface Franchise {
  readonly franchiseId: string;
  readonly owner: Member;
  /** The franchise's settlement account at the sandbox bank (held in the owner's name, 0 won at first). */
  readonly settlementAccount: { bankCode: string; accountNumber: string };
}

/** A franchise of `owner` (a new merchant when absent), its settlement account opened at the sandbox bank. */
export async function newFranchise(
  world: World,
  opts: { owner?: Member; name?: string; region?: string } = {},
): Promise<Franchise> {
  const owner = opts.owner ?? (await newMember(world, { type: "merchant" }));
  const opened = await bankCall<{ bankCode: string; accountNumber: string }>(
    world.bank,
    "POST",
    "/accounts",
    {
      bankCode: "004",
      holderName: owner.name,
      balance: 0,
    },
  );
  const settlementAccount = { bankCode: opened.bankCode, accountNumber: opened.accountNumber };
  const res = await call(world, owner.token, "POST", "/v1/franchises", {
    name: opts.name ?? "Mapo Coffee",
    // Samsung Electronics' number: its check digit is right.
    businessNumber: "124-81-00998",
    region: opts.region ?? "Seoul",
    settlementAccount,
  });
  if (res.statusCode !== 201) throw new Error(`franchise: ${res.statusCode} ${res.body}`);
  return { franchiseId: res.json().franchiseId, owner, settlementAccount };
}
