// What a figure needs before it is measured, made through the public API of a running server:
// members with a linked bank account (and money), and franchises. Setup is not timed.
export interface Endpoints {
  /** mypay's base URL. */
  readonly base: string;
  /** The sandbox bank's base URL. */
  readonly bank: string;
}

export interface BenchMember {
  readonly membershipId: string;
  /** The Authorization header value. */
  readonly token: string;
  readonly name: string;
  /** The member's linked account at the sandbox bank. */
  readonly accountNumber: string;
}

export async function json(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = (await res.json()) as Record<string, unknown>;
  if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** Runs `make(i)` for i < count, `parallel` at a time, in order of i. */
export async function inParallel<T>(count: number, parallel: number, make: (i: number) => Promise<T>) {
  const out: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) out[i] = await make(i);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return out;
}

const tag = () => Math.random().toString(36).slice(2, 8);

async function benchMember(
  e: Endpoints,
  i: number,
  opts: { type?: "personal" | "merchant"; money?: number },
): Promise<BenchMember> {
  const name = `Bench ${opts.type ?? "personal"} ${i} ${tag()}`;
  const email = `${name.replaceAll(" ", ".").toLowerCase()}@example.com`;
  const password = "bench-password";
  const type = opts.type ?? "personal";
  const reg = await json("POST", `${e.base}/v1/memberships`, {
    name,
    email,
    password,
    region: "Seoul",
    type,
  });
  const login = await json("POST", `${e.base}/v1/auth/login`, { email, password });
  const token = `Bearer ${login.accessToken}`;
  const account = await json("POST", `${e.bank}/accounts`, {
    bankCode: "004",
    holderName: name,
    balance: 1_000_000_000,
  });
  const accountNumber = account.accountNumber as string;
  await json(
    "POST",
    `${e.base}/v1/bank-accounts`,
    { bankCode: "004", accountNumber },
    { authorization: token },
  );
  if (opts.money) {
    const r = await json(
      "POST",
      `${e.base}/v1/money/recharge`,
      { amount: opts.money },
      { authorization: token, "idempotency-key": `fund-${name}` },
    );
    await untilSucceeded(e, token, r);
  }
  return { membershipId: reg.membershipId as string, token, name, accountNumber };
}

/** A recharge that answered PENDING (its saga still running) is followed until it ends. */
async function untilSucceeded(e: Endpoints, token: string, first: Record<string, unknown>) {
  let r = first;
  for (let i = 0; r.status === "PENDING" && i < 150; i++) {
    await new Promise((done) => setTimeout(done, 100));
    r = await json("GET", `${e.base}/v1/money/recharges/${r.rechargeId}`, undefined, {
      authorization: token,
    });
  }
  if (r.status !== "SUCCEEDED") throw new Error(`funding recharge ended ${JSON.stringify(r)}`);
}

/** Members with a linked account holding plenty of won, and (with `money`) that much recharged. */
export function benchMembers(
  e: Endpoints,
  count: number,
  opts: { type?: "personal" | "merchant"; money?: number } = {},
): Promise<BenchMember[]> {
  return inParallel(count, 8, (i) => benchMember(e, i, opts));
}

/** `count` franchises of one new merchant, all settled to one account at the sandbox bank. */
export async function benchFranchises(e: Endpoints, count: number): Promise<string[]> {
  const [owner] = await benchMembers(e, 1, { type: "merchant" });
  const account = await json("POST", `${e.bank}/accounts`, {
    bankCode: "004",
    holderName: owner!.name,
    balance: 0,
  });
  return inParallel(count, 8, async (i) => {
    const f = await json(
      "POST",
      `${e.base}/v1/franchises`,
      {
        name: `Bench Store ${i}`,
        businessNumber: "124-81-00998",
        region: "Seoul",
        settlementAccount: { bankCode: "004", accountNumber: account.accountNumber },
      },
      { authorization: owner!.token },
    );
    return f.franchiseId as string;
  });
}
