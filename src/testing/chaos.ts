import { seededRandom } from "./random.js";
import {
  bankBalance,
  bankCall,
  books,
  call,
  type Member,
  moneyOf,
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
}

export interface ChaosReport {
  operations: number;
  retries: number;
  answers: Record<string, number>;
  sagas: Record<string, number>;
  members: number;
  /** Members whose bank balance + mypay money differs from what they started with. */
  wealthMismatches: string[];
  negativeBalances: number;
  trialBalance: { totalDebit: number; totalCredit: number };
  reconciliation: {
    bankBalance: number;
    ledgerBalance: number;
    difference: number;
    ok: boolean;
    inFlight: number;
  };
  seconds: number;
  requestsSeconds?: number;
  settleSeconds?: number;
}

const startingBankBalance = 5_000_000;

/**
 * Random recharges and withdrawals against a faulty bank, with clients retrying the same key; then
 * the faults stop, every saga finishes, and the books are checked against the bank.
 */
export async function runChaos(world: World, o: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const rand = seededRandom(o.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const members: Member[] = [];
  for (let i = 0; i < o.members; i++)
    members.push(
      await newMember(world, { bankBalance: startingBankBalance, region: pick(["Seoul", "Busan", "Jeju"]) }),
    );

  await bankCall(world.bank, "PUT", "/faults", {
    failureRate: o.failureRate,
    timeoutRate: o.timeoutRate,
    timeoutHoldMs: 50,
  });
  const answers: Record<string, number> = {};
  let retries = 0;
  const plan = Array.from({ length: o.operations }, (_, i) => ({
    member: pick(members),
    ...(rand() < 0.6
      ? { kind: "recharge", amount: 10_000 * (1 + Math.floor(rand() * 20)) }
      : { kind: "withdraw", amount: 1_000 * (1 + Math.floor(rand() * 100)) }),
    key: `chaos-${o.seed}-${i}`,
    retry: rand() < o.retryRate,
  }));
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const op = plan[next++]!;
      const send = () =>
        call(world, op.member.token, "POST", `/v1/money/${op.kind}`, { amount: op.amount }, op.key);
      const first = await send();
      const body = first.json();
      const label = `${op.kind} ${first.statusCode} ${first.statusCode < 300 ? body.status : body.code}`;
      answers[label] = (answers[label] ?? 0) + 1;
      if (op.retry) {
        retries++;
        const again = await send();
        // A 5xx was not processed (nothing moved, the key was released), so its retry is a new try;
        // 409 means the first is still in flight. Any other answer must be the first one again.
        const fresh = first.statusCode >= 500 || again.statusCode === 409;
        if (!fresh && (again.statusCode !== first.statusCode || again.body !== first.body)) {
          answers[`retry changed the answer ${first.statusCode}→${again.statusCode}`] = 1;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const requested = Date.now();
  await bankCall(world.bank, "PUT", "/faults", {});
  await settled(world, 120_000);
  await waitForFirmbanking(world);
  const phases = {
    requestsSeconds: (requested - started) / 1000,
    settleSeconds: (Date.now() - requested) / 1000,
  };

  const sagaRows = await world.mypay.db.query<{ status: string; n: number }>(
    "SELECT status, count(*)::int AS n FROM money.sagas GROUP BY status",
  );
  const wealthMismatches: string[] = [];
  let negativeBalances = 0;
  for (const m of members) {
    const [money, bank] = [await moneyOf(world, m), await bankBalance(world, m.account)];
    if (money < 0) negativeBalances++;
    if (money + bank !== startingBankBalance)
      wealthMismatches.push(`${m.membershipId}: money ${money} + bank ${bank}`);
  }
  const { trial, recon } = await books(world);
  return {
    operations: o.operations,
    retries,
    answers,
    sagas: Object.fromEntries(sagaRows.map((r) => [r.status, r.n])),
    members: members.length,
    wealthMismatches,
    negativeBalances,
    trialBalance: { totalDebit: trial.totalDebit, totalCredit: trial.totalCredit },
    reconciliation: recon,
    seconds: (Date.now() - started) / 1000,
    ...phases,
  };
}

async function waitForFirmbanking(world: World, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await world.mypay.contexts.banking.api.inFlightCount()) > 0) {
    if (Date.now() > deadline) throw new Error("firmbanking requests still in flight");
    await new Promise((r) => setTimeout(r, 100));
  }
}
