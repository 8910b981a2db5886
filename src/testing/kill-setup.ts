import { randomBytes } from "node:crypto";
import type { Member } from "./kill-books.js";
import { type KeyRecord, request } from "./kill-client.js";
import { sleep } from "./kill-procs.js";

/** A kill run's members (each with a funded, linked account at the sandbox bank) and its plan of moves. */

export function planOf(
  o: { readonly seed: number; readonly operations: number; readonly members: number },
  rand: () => number,
): KeyRecord[] {
  return Array.from({ length: o.operations }, (_, i) => {
    const recharge = rand() < 0.6;
    return {
      key: `kill-${o.seed}-${i}`,
      kind: recharge ? "recharge" : "withdraw",
      member: Math.floor(rand() * o.members),
      amount: recharge ? 10_000 * (1 + Math.floor(rand() * 20)) : 1_000 * (1 + Math.floor(rand() * 100)),
      answers: [],
      sends: 0,
      firstSentAt: 0,
      answeredAt: undefined,
    };
  });
}

export async function json<T>(reply: Awaited<ReturnType<typeof request>>, what: string): Promise<T> {
  if ("error" in reply || reply.status >= 300) throw new Error(`${what}: ${JSON.stringify(reply)}`);
  return JSON.parse(reply.body) as T;
}

export async function faults(bankUrl: string, body: object) {
  await json(await request(bankUrl, "PUT", "/faults", { body }), "bank faults");
}

export async function login(base: string, email: string, password: string): Promise<string> {
  const reply = await request(base, "POST", "/v1/auth/login", { body: { email, password } });
  return (await json<{ accessToken: string }>(reply, `login ${email}`)).accessToken;
}

/** Members with an account at the sandbox bank holding the starting balance, linked to mypay. */
export async function newMembers(
  base: string,
  bankUrl: string,
  n: number,
  startingBankBalance: number,
): Promise<Member[]> {
  const members: Member[] = [];
  for (let i = 0; i < n; i++) {
    const name = `Kim ${randomBytes(3).toString("hex")}`;
    const email = `kill${i}.${name.slice(4)}@example.com`;
    const password = "correct-horse-battery";
    const body = { name, email, password, region: "Seoul", type: "personal" };
    await json(await request(base, "POST", "/v1/memberships", { body }), "register");
    const token = await login(base, email, password);
    const account = await json<{ bankCode: string; accountNumber: string }>(
      await request(bankUrl, "POST", "/accounts", {
        body: { bankCode: "088", holderName: name, balance: startingBankBalance },
      }),
      "bank account",
    );
    const link = { bankCode: account.bankCode, accountNumber: account.accountNumber };
    await json(await linked(base, token, link), "link");
    members.push({ token, account: link });
  }
  return members;
}

/** Links an account; until mypay has set banking up (in the background at first start) the bank is not yet contracted. */
async function linked(base: string, token: string, body: object) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const reply = await request(base, "POST", "/v1/bank-accounts", { token, body });
    if (!("body" in reply && reply.body.includes("BANK_NOT_SUPPORTED")) || Date.now() > deadline)
      return reply;
    await sleep(250);
  }
}
