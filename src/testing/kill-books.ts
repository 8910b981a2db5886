import { ask, type KeyRecord, request, type Seen } from "./kill-client.js";
import { sleep } from "./kill-procs.js";

/** After a kill run's load: every key asked once more, every move followed to its end, the books checked. */

export interface Member {
  readonly token: string;
  readonly account: { readonly bankCode: string; readonly accountNumber: string };
}

export interface Move {
  readonly id: string;
  readonly rec: KeyRecord;
  status: string;
}

const moveId = (body: string) => {
  const json = JSON.parse(body) as { rechargeId?: string; withdrawalId?: string };
  return json.rechargeId ?? json.withdrawalId;
};

async function get<T>(base: string, path: string, token?: string): Promise<T | undefined> {
  const reply = await request(base, "GET", path, token ? { token } : {});
  return "error" in reply || reply.status !== 200 ? undefined : (JSON.parse(reply.body) as T);
}

/**
 * Every key is sent once more (its answer must be the one it got before; a key never answered gets
 * its answer now), then every move is followed until it is no longer PENDING or settleMs pass.
 */
export async function finish(o: {
  base: string;
  staff: string;
  plan: readonly KeyRecord[];
  members: readonly Member[];
  seen: Seen;
  settleMs: number;
}): Promise<Move[]> {
  const giveUpAt = Date.now() + 60_000;
  let next = 0;
  const replay = async () => {
    while (next < o.plan.length) {
      const rec = o.plan[next++] as KeyRecord;
      const token = o.members[rec.member]?.token as string;
      await ask(
        { baseUrl: o.base, token, seen: o.seen, giveUpAt: () => giveUpAt, aborted: () => false },
        rec,
        false,
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, replay));
  const moves = new Map<string, Move>();
  for (const rec of o.plan)
    for (const a of rec.answers) {
      const id = a.status === 201 ? moveId(a.body) : undefined;
      if (id && !moves.has(id)) moves.set(id, { id, rec, status: "PENDING" });
    }
  const deadline = Date.now() + o.settleMs;
  for (;;) {
    const pending = [...moves.values()].filter((m) => m.status === "PENDING");
    for (const m of pending) {
      const path = `/v1/money/${m.rec.kind === "recharge" ? "recharges" : "withdrawals"}/${m.id}`;
      const body = await get<{ status: string }>(o.base, path, o.staff);
      if (body) m.status = body.status;
    }
    if (pending.length === 0 || Date.now() > deadline) return [...moves.values()];
    await sleep(500);
  }
}

export interface Books {
  readonly finalStatuses: Record<string, number>;
  readonly trialBalance: { readonly totalDebit: number; readonly totalCredit: number } | undefined;
  readonly reconciliation: { difference: number; ok: boolean; inFlight: number } | undefined;
  readonly checks: Record<string, boolean>;
  readonly violations: Record<string, string[]>;
}

/**
 * What must hold: each member's bank balance + mypay money is what the bank account started with;
 * no money is negative; each member's money is the sum of their moves that succeeded; an answer that
 * said SUCCEEDED or FAILED stayed so; nothing is left PENDING; the ledger balances and agrees with the bank.
 */
export async function checkBooks(o: {
  base: string;
  bankUrl: string;
  staff: string;
  members: readonly Member[];
  moves: readonly Move[];
  startingBankBalance: number;
}): Promise<Books> {
  const wealthMismatches: string[] = [];
  const negativeMoney: string[] = [];
  const moneyNotMatchingMoves: string[] = [];
  for (const [i, m] of o.members.entries()) {
    const money = (await get<{ balance: number }>(o.base, "/v1/money/me", m.token))?.balance ?? Number.NaN;
    const path = `/accounts/${m.account.bankCode}/${m.account.accountNumber}`;
    const bank = (await get<{ balance: number }>(o.bankUrl, path))?.balance ?? Number.NaN;
    const moved = o.moves
      .filter((x) => x.rec.member === i && x.status === "SUCCEEDED")
      .reduce((sum, x) => sum + (x.rec.kind === "recharge" ? x.rec.amount : -x.rec.amount), 0);
    if (money + bank !== o.startingBankBalance)
      wealthMismatches.push(`member ${i}: money ${money} + bank ${bank}`);
    if (!(money >= 0)) negativeMoney.push(`member ${i}: money ${money}`);
    if (money !== moved) moneyNotMatchingMoves.push(`member ${i}: money ${money}, succeeded moves ${moved}`);
  }
  const answerNotKept = o.moves.flatMap((m) => {
    const told = m.rec.answers.map((a) => (JSON.parse(a.body) as { status?: string }).status);
    const broken = told.find((s) => (s === "SUCCEEDED" || s === "FAILED") && s !== m.status);
    return broken ? [`${m.rec.key} (${m.id}): answered ${broken}, now ${m.status}`] : [];
  });
  const leftPending = o.moves.filter((m) => m.status === "PENDING").map((m) => `${m.rec.key} (${m.id})`);
  const finalStatuses: Record<string, number> = {};
  for (const m of o.moves) finalStatuses[m.status] = (finalStatuses[m.status] ?? 0) + 1;
  const trialBalance = await get<{ totalDebit: number; totalCredit: number }>(
    o.base,
    "/v1/admin/ledger/trial-balance",
    o.staff,
  );
  const reconciliation = await settledReconciliation(o.base, o.staff);
  return {
    finalStatuses,
    trialBalance: trialBalance && {
      totalDebit: trialBalance.totalDebit,
      totalCredit: trialBalance.totalCredit,
    },
    reconciliation,
    checks: {
      nothingCreatedOrLost: wealthMismatches.length === 0,
      noNegativeMoney: negativeMoney.length === 0,
      moneyIsTheSucceededMoves: moneyNotMatchingMoves.length === 0,
      answersKept: answerNotKept.length === 0,
      nothingPending: leftPending.length === 0,
      trialBalanced: trialBalance !== undefined && trialBalance.totalDebit === trialBalance.totalCredit,
      reconciled:
        reconciliation?.ok === true && reconciliation.difference === 0 && reconciliation.inFlight === 0,
    },
    violations: { wealthMismatches, negativeMoney, moneyNotMatchingMoves, answerNotKept, leftPending },
  };
}

/** The reconciliation once no firmbanking request is in flight (or after 60 s, as it is then). */
async function settledReconciliation(base: string, staff: string) {
  type Recon = {
    difference: number;
    ok: boolean;
    inFlight: number;
    bankBalance: number;
    ledgerBalance: number;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const recon = await get<Recon>(base, "/v1/admin/reconciliation", staff);
    if ((recon && recon.inFlight === 0) || Date.now() > deadline) return recon;
    await sleep(500);
  }
}
