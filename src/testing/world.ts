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

export async function startWorld(
  env: Record<string, string> = {},
  tuning: Pick<MypayOptions, "money" | "banking"> = {},
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

/** A member with a linked account at the sandbox bank holding `bankBalance` won. */
export async function newMember(
  world: World,
  opts: { bankBalance?: number; region?: string } = {},
): Promise<Member> {
  const name = `Kim ${randomBytes(3).toString("hex")}`;
  const email = `${name.replace(" ", ".").toLowerCase()}@example.com`;
  const password = "correct-horse-battery";
  const reg = await world.mypay.app.inject({
    method: "POST",
    url: "/v1/memberships",
    payload: { name, email, password, region: opts.region ?? "Seoul", type: "personal" },
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
