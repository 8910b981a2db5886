import { seededRandom } from "./random.js";
import {
  bankBalance,
  bankCall,
  books,
  call,
  type Franchise,
  type Member,
  newFranchise,
  newMember,
  settled,
  type World,
} from "./world.js";

export interface ChaosOptions {
  members: number;
  operations: number;
  failureRate: number;
  timeoutRate: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Share of requests the client sends again with the same idempotency key. */
  retryRate: number;
  seed: number;
  /** How many franchises take payments (default members / 4, at least 2). */
  franchises?: number;
}

export interface ChaosReport {
  operations: number;
  retries: number;
  answers: Record<string, number>;
  /** Sagas by context and status, e.g. {"payment COMPLETED": 40}. */
  sagas: Record<string, number>;
  members: number;
  negativeBalances: number;
  trialBalance: { totalDebit: number; totalCredit: number };
  reconciliation: {
    bankBalance: number;
    ledgerBalance: number;
    difference: number;
    ok: boolean;
    inFlight: number;
  };
  /** Payments in more than one PAID settlement, or SETTLED without one. */
  settlementMismatches: string[];
  /** Franchises whose settlement account at the bank does not hold the net of their PAID settlements. */
  payoutMismatches: string[];
  /** Bank accounts that did not receive exactly their SUCCEEDED remittances. */
  remittanceMismatches: string[];
  seconds: number;
  requestsSeconds?: number;
  settleSeconds?: number;
}

const startingBankBalance = 5_000_000;

interface Pools {
  readonly members: Member[];
  readonly franchises: Franchise[];
  readonly payees: { bankCode: string; accountNumber: string }[];
  readonly payments: Array<{ paymentId: string; payer: Member }>;
  /** Every remittance a client was told of (a member who left can no longer list its own). */
  readonly remittances: Set<string>;
  readonly left: Set<string>;
}

type Op = { kind: string; method: "POST" | "PATCH" | "DELETE"; url: string; body?: unknown; token: string };

/** One random operation of the mixed run (money, remittance, payment, settlement, commission, leaving). */
function nextOp(rand: () => number, pools: Pools, staffToken: string): Op {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const live = pools.members.filter((m) => !pools.left.has(m.membershipId));
  const m = pick(live);
  const won = (unit: number, max: number) => unit * (1 + Math.floor(rand() * max));
  const r = rand();
  const post = (kind: string, url: string, body: unknown): Op => ({
    kind,
    method: "POST",
    url,
    body,
    token: m.token,
  });
  if (r < 0.18) return post("recharge", "/v1/money/recharge", { amount: won(10_000, 20) });
  if (r < 0.26) return post("withdraw", "/v1/money/withdraw", { amount: won(1_000, 100) });
  if (r < 0.4) {
    const to = pick(pools.members.filter((x) => x !== m));
    return post("remit-member", "/v1/remittances", {
      to: { membershipId: to.membershipId },
      amount: won(1_000, 50),
    });
  }
  if (r < 0.47)
    return post("remit-bank", "/v1/remittances", { to: pick(pools.payees), amount: won(1_000, 30) });
  if (r < 0.72) {
    const usePoints = rand() < 0.3 ? won(100, 5) : undefined;
    const body = {
      franchiseId: pick(pools.franchises).franchiseId,
      amount: won(1_000, 30),
      ...(usePoints ? { usePoints } : {}),
    };
    return post("pay", "/v1/payments", body);
  }
  const cancellable = pools.payments.filter((p) => !pools.left.has(p.payer.membershipId));
  if (r < 0.82 && cancellable.length > 0) {
    const p = pick(cancellable);
    return {
      kind: "cancel",
      method: "POST",
      url: `/v1/payments/${p.paymentId}/cancel`,
      body: {},
      token: p.payer.token,
    };
  }
  if (r < 0.86)
    return { kind: "settle", method: "POST", url: "/v1/admin/settlements/run", body: {}, token: staffToken };
  if (r < 0.92) {
    const f = pick(pools.franchises);
    const body = { commissionBps: Math.floor(rand() * 1_001) };
    return {
      kind: "commission",
      method: "PATCH",
      url: `/v1/admin/franchises/${f.franchiseId}/commission`,
      body,
      token: staffToken,
    };
  }
  if (r < 0.94 && live.length > pools.members.length / 2) {
    pools.left.add(m.membershipId);
    return { kind: "leave", method: "DELETE", url: `/v1/memberships/${m.membershipId}`, token: m.token };
  }
  return post("recharge", "/v1/money/recharge", { amount: won(10_000, 5) });
}

/**
 * The mixed run: random recharges, withdrawals, remittances both ways, payments with and without
 * points, cancels, settlement runs, commission changes and members leaving, against a bank that
 * fails and times out, with clients sending requests again under the same key; then the faults stop,
 * every saga finishes, a last settlement runs, and the books are checked against the bank.
 */
export async function runChaos(world: World, o: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const rand = seededRandom(o.seed);
  const pools = await setUp(world, o, rand);
  await bankCall(world.bank, "PUT", "/faults", {
    failureRate: o.failureRate,
    timeoutRate: o.timeoutRate,
    timeoutHoldMs: 50,
  });
  const answers: Record<string, number> = {};
  const count = (label: string) => {
    answers[label] = (answers[label] ?? 0) + 1;
  };
  let retries = 0;
  let next = 0;
  const worker = async () => {
    while (next < o.operations) {
      const i = next++;
      const op = nextOp(rand, pools, world.staffToken);
      const retry = rand() < o.retryRate;
      const key = op.method === "POST" ? `chaos-${o.seed}-${i}` : undefined;
      const send = () => call(world, op.token, op.method, op.url, op.body, key);
      if (op.kind === "leave") await emptyWallet(world, op.token, `chaos-${o.seed}-${i}-empty`);
      const first = await send();
      if (op.kind === "leave" && first.statusCode !== 204) pools.left.delete(op.url.split("/").pop()!);
      const body = first.body ? first.json() : {};
      count(`${op.kind} ${first.statusCode} ${first.statusCode < 300 ? (body.status ?? "") : body.code}`);
      remember(pools, op, first);
      if (retry && key) {
        retries++;
        const again = await send();
        // A retry after a 5xx is a new try: what it made must be checked too.
        if (first.statusCode !== 201) remember(pools, op, again);
        // A 5xx was not processed (nothing moved, the key was released), so its retry is a new try;
        // 409 means the first is still in flight. Any other answer must be the first one again.
        // A 401 (the member left meanwhile) is refused before any key is looked at.
        const fresh = first.statusCode >= 500 || again.statusCode === 409 || again.statusCode === 401;
        if (!fresh && (again.statusCode !== first.statusCode || again.body !== first.body))
          count(`retry changed the answer ${op.kind} ${first.statusCode}→${again.statusCode}`);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const requested = Date.now();
  await bankCall(world.bank, "PUT", "/faults", {});
  await settled(world, 180_000);
  await waitForFirmbanking(world);
  // A last run settles what the faults left over (failed payouts are picked up by a later run).
  await call(world, world.staffToken, "POST", "/v1/admin/settlements/run", {}, `chaos-${o.seed}-last`);
  await settled(world, 180_000);
  await waitForFirmbanking(world);
  const settleSeconds = (Date.now() - requested) / 1000;
  const { trial, recon } = await books(world);
  return {
    operations: o.operations,
    retries,
    answers,
    sagas: await sagaCounts(world),
    members: pools.members.length,
    negativeBalances: await negativeBalances(world),
    trialBalance: { totalDebit: trial.totalDebit, totalCredit: trial.totalCredit },
    reconciliation: recon,
    ...(await settlementChecks(world, pools)),
    remittanceMismatches: await remittanceChecks(world, pools),
    seconds: (Date.now() - started) / 1000,
    requestsSeconds: (requested - started) / 1000,
    settleSeconds,
  };
}

/** The payments and remittances an answer says were made, for the checks at the end. */
function remember(pools: Pools, op: Op, res: { statusCode: number; json(): Record<string, string> }) {
  if (res.statusCode !== 201) return;
  const body = res.json();
  if (op.kind === "pay")
    pools.payments.push({
      paymentId: body.paymentId!,
      payer: pools.members.find((m) => m.token === op.token)!,
    });
  if (op.kind.startsWith("remit")) pools.remittances.add(body.remittanceId!);
}

/** A member about to leave sends its money back to its bank first (it may not leave holding any). */
async function emptyWallet(world: World, token: string, key: string) {
  const { balance } = (await call(world, token, "GET", "/v1/money/me")).json();
  if (balance > 0) await call(world, token, "POST", "/v1/money/withdraw", { amount: balance }, key);
}

async function setUp(world: World, o: ChaosOptions, rand: () => number): Promise<Pools> {
  const regions = ["Seoul", "Busan", "Jeju"];
  const members: Member[] = [];
  for (let i = 0; i < o.members; i++)
    members.push(
      await newMember(world, { bankBalance: startingBankBalance, region: regions[Math.floor(rand() * 3)]! }),
    );
  const franchises: Franchise[] = [];
  for (let i = 0; i < (o.franchises ?? Math.max(2, Math.floor(o.members / 4))); i++)
    franchises.push(await newFranchise(world, { name: `Chaos Store ${i}` }));
  const payees = [];
  for (const bankCode of ["020", "081", "090"]) {
    const a = await bankCall<{ accountNumber: string }>(world.bank, "POST", "/accounts", {
      bankCode,
      holderName: "Chaos Payee",
    });
    payees.push({ bankCode, accountNumber: a.accountNumber });
  }
  return { members, franchises, payees, payments: [], remittances: new Set(), left: new Set() };
}

async function sagaCounts(world: World): Promise<Record<string, number>> {
  const rows = await world.mypay.db.query<{ label: string; n: number }>(
    ["money", "remittance", "payment", "settlement"]
      .map((s) => `SELECT '${s} ' || status AS label, count(*)::int AS n FROM ${s}.sagas GROUP BY status`)
      .join(" UNION ALL "),
  );
  return Object.fromEntries(rows.map((r) => [r.label, r.n]));
}

async function negativeBalances(world: World): Promise<number> {
  const [row] = await world.mypay.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM money.accounts WHERE balance < 0 AND kind IN ('member_money', 'member_points', 'franchise_payable')",
  );
  return row?.n ?? 0;
}

/** Every page of a staff list. */
async function all<T>(world: World, token: string, url: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = url.includes("?") ? "&" : "?";
    const page: { items: T[]; nextCursor: string | null } = (
      await call(world, token, "GET", `${url}${sep}limit=100${cursor ? `&cursor=${cursor}` : ""}`)
    ).json();
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

interface SettlementItem {
  settlementId: string;
  franchiseId: string;
  net: number;
  status: string;
}

/** Each SETTLED payment in exactly one PAID settlement; each franchise paid Σ net of those at the bank. */
async function settlementChecks(world: World, pools: Pools) {
  const settlements = await all<SettlementItem>(world, world.staffToken, "/v1/settlements");
  const settledPayments = await all<{ paymentId: string }>(
    world,
    world.staffToken,
    "/v1/payments?status=SETTLED",
  );
  const seen = new Map<string, number>();
  for (const s of settlements.filter((x) => x.status === "PAID")) {
    const detail = (await call(world, world.staffToken, "GET", `/v1/settlements/${s.settlementId}`)).json();
    for (const id of detail.paymentIds as string[]) seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const settlementMismatches = [
    ...[...seen].filter(([, n]) => n !== 1).map(([id, n]) => `${id} in ${n} settlements`),
    ...settledPayments
      .filter((p) => !seen.has(p.paymentId))
      .map((p) => `${p.paymentId} SETTLED without a settlement`),
  ];
  if (seen.size !== settledPayments.length)
    settlementMismatches.push(`${seen.size} settled by runs, ${settledPayments.length} SETTLED`);
  const payoutMismatches: string[] = [];
  for (const f of pools.franchises) {
    const net = settlements
      .filter((s) => s.franchiseId === f.franchiseId && s.status === "PAID")
      .reduce((sum, s) => sum + s.net, 0);
    const atBank = await bankBalance(world, f.settlementAccount);
    if (atBank !== net) payoutMismatches.push(`${f.franchiseId}: bank ${atBank}, settled net ${net}`);
  }
  return { settlementMismatches, payoutMismatches };
}

/** Each payee's bank balance is the sum of the SUCCEEDED remittances to it, as staff see them. */
async function remittanceChecks(world: World, pools: Pools): Promise<string[]> {
  const expected = new Map<string, number>();
  for (const id of pools.remittances) {
    const r = (await call(world, world.staffToken, "GET", `/v1/remittances/${id}`)).json();
    if (r.type !== "BANK" || r.status !== "SUCCEEDED") continue;
    const k = `${r.to.bankCode}/${r.to.accountNumber}`;
    expected.set(k, (expected.get(k) ?? 0) + r.amount);
  }
  const mismatches: string[] = [];
  for (const p of pools.payees) {
    const k = `${p.bankCode}/${p.accountNumber}`;
    const atBank = await bankBalance(world, p);
    if (atBank !== (expected.get(k) ?? 0))
      mismatches.push(`${k}: bank ${atBank}, remitted ${expected.get(k) ?? 0}`);
  }
  return mismatches;
}

async function waitForFirmbanking(world: World, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await world.mypay.contexts.banking.api.inFlightCount()) > 0) {
    if (Date.now() > deadline) throw new Error("firmbanking requests still in flight");
    await new Promise((r) => setTimeout(r, 100));
  }
}
