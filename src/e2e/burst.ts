import assert from "node:assert/strict";
import { newIdempotencyKey } from "../../packages/client/src/index.js";
import {
  assertBooksBalance,
  type Franchise,
  type Member,
  myMoney,
  paymentEnd,
  poll,
  recharge,
  registerFranchise,
  remittanceEnd,
  signUp,
  staff,
  type Target,
} from "./steps.js";

/**
 * A burst of payments and member→member remittances sent while something fails (a service killed,
 * NATS stopped, a rolling restart), the way a phone app sends them: one Idempotency-Key per intent,
 * the same request again with the same key after a network error or a 5xx, until an answer comes.
 * Afterwards every answered request must be applied exactly once: each member's money equals what
 * the answers say, every saga ended, and the books balance and reconcile with the bank.
 */

export interface World {
  readonly members: readonly Member[];
  readonly franchise: Franchise;
  /** Each member's money before the burst. */
  readonly start: ReadonlyMap<string, number>;
}

const startingMoney = 1_500_000;

export async function prepareWorld(t: Target, size = 5): Promise<World> {
  const members = await Promise.all(
    Array.from({ length: size }, () => signUp(t, { bankBalance: 2_000_000 })),
  );
  for (const m of members) {
    const r = await recharge(m, startingMoney);
    assert.equal(r.status, "SUCCEEDED", JSON.stringify(r));
  }
  const franchise = await registerFranchise(t);
  return { members, franchise, start: new Map(members.map((m) => [m.membershipId, startingMoney])) };
}

export interface Sent {
  readonly kind: "payment" | "remittance";
  readonly from: Member;
  readonly to: Member | undefined;
  readonly amount: number;
  /** The id of the payment or remittance, once an answer came (2xx). */
  readonly id: string | undefined;
  /** How many times the request went out. */
  readonly tries: number;
  /** The stable code of a definitive refusal (4xx), if that was the answer. */
  readonly refused: string | undefined;
  /** Sent while the failure was under way. */
  readonly duringFailure?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends one request until it gets an answer that is not a 5xx or a network error (within 90 s). */
async function untilAnswered(send: () => Promise<Response>) {
  const deadline = Date.now() + 90_000;
  for (let tries = 1; ; tries++) {
    try {
      const response = await send();
      if (response.status < 500)
        return { response, body: (await response.json()) as Record<string, unknown>, tries };
      await response.body?.cancel();
    } catch {
      // the connection failed: the same request again, with the same key
    }
    if (Date.now() > deadline) throw new Error(`no answer after ${tries} tries`);
    await sleep(Math.min(100 * tries, 1_000));
  }
}

/**
 * At least `count` operations from `concurrency` clients at once, and more until `during` (the
 * failure under way) has ended: a seeded choice of kind, parties and amount.
 */
export async function burst(
  t: Target,
  world: World,
  options: { count: number; concurrency: number; seed: number; during?: () => Promise<void> },
): Promise<Sent[]> {
  let seed = options.seed;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const plan = () => {
    const from = world.members[Math.floor(random() * world.members.length)]!;
    const others = world.members.filter((m) => m !== from);
    const kind = random() < 0.5 ? ("payment" as const) : ("remittance" as const);
    const to = kind === "remittance" ? others[Math.floor(random() * others.length)] : undefined;
    return { kind, from, to, amount: 1_000 + Math.floor(random() * 40) * 100 };
  };
  const sent: Sent[] = [];
  let started = 0;
  let failing = options.during !== undefined;
  // Enough headroom that no member runs short (no auto-recharge): at most 2,000 requests.
  const more = () => started < 2_000 && (started < options.count || failing);
  const client = async () => {
    while (more()) {
      started++;
      const duringFailure = failing;
      const p = plan();
      const key = newIdempotencyKey();
      const headers = {
        authorization: `Bearer ${p.from.client.accessToken}`,
        "content-type": "application/json",
        "idempotency-key": key,
      };
      const body =
        p.kind === "payment"
          ? { franchiseId: world.franchise.franchiseId, amount: p.amount }
          : { to: { membershipId: p.to!.membershipId }, amount: p.amount };
      const path = p.kind === "payment" ? "/v1/payments" : "/v1/remittances";
      const answer = await untilAnswered(() =>
        fetch(`${t.baseUrl}${path}`, { method: "POST", headers, body: JSON.stringify(body) }),
      );
      const ok = answer.response.status === 201;
      const id = ok ? String(answer.body.paymentId ?? answer.body.remittanceId) : undefined;
      if (ok) assert.equal(answer.body.autoRecharged, false, "the burst never needs an auto-recharge");
      const refused = ok ? undefined : String(answer.body.code);
      sent.push({ ...p, id, tries: answer.tries, refused, duringFailure });
    }
  };
  const during = options.during?.().finally(() => {
    failing = false;
  });
  await Promise.all([Promise.all(Array.from({ length: options.concurrency }, client)), during]);
  return sent;
}

/**
 * Every answered request applied exactly once: each ends (SUCCEEDED or NORMAL, or FAILED with nothing
 * moved), each member's money is the start plus what the answers moved, no saga is left running or
 * stuck, and the books balance and reconcile with the bank.
 */
export async function assertAppliedOnce(t: Target, world: World, sent: readonly Sent[]) {
  const expected = new Map(world.start);
  const add = (m: Member, won: number) => expected.set(m.membershipId, expected.get(m.membershipId)! + won);
  for (const s of sent) {
    assert.ok(s.id || s.refused, "every request got an answer");
    if (!s.id) continue;
    if (s.kind === "payment") {
      const end = await paymentEnd(s.from.client, s.id);
      if (end.status === "NORMAL") add(s.from, -end.paidWithMoney);
      else assert.equal(end.status, "FAILED", `payment ${s.id}`);
    } else {
      const end = await remittanceEnd(s.from.client, s.id);
      if (end.status === "SUCCEEDED") {
        add(s.from, -s.amount);
        add(s.to!, s.amount);
      } else assert.equal(end.status, "FAILED", `remittance ${s.id}`);
    }
  }
  for (const m of world.members) {
    const money = await poll(
      `${m.name}'s money is what the answers moved`,
      () => myMoney(m),
      (me) => me.balance === expected.get(m.membershipId),
      30_000,
    );
    assert.equal(money.balance, expected.get(m.membershipId));
  }
  const admin = await staff(t);
  await poll(
    "no saga is left running or stuck",
    async () => {
      const running = await admin.GET("/v1/admin/sagas", { params: { query: { status: "RUNNING" } } });
      const stuck = await admin.GET("/v1/admin/sagas", { params: { query: { status: "STUCK" } } });
      return [running.data?.items.length, stuck.data?.items.length];
    },
    ([running, stuck]) => running === 0 && stuck === 0,
    60_000,
  );
  await assertBooksBalance(t);
}

/** What a burst's clients lived through, for the test's report. */
export function summary(sent: readonly Sent[]): string {
  const answered = sent.filter((s) => s.id).length;
  const refused = sent.filter((s) => s.refused).map((s) => s.refused);
  const retried = sent.filter((s) => s.tries > 1);
  const most = Math.max(1, ...sent.map((s) => s.tries));
  const during = sent.filter((s) => s.duringFailure).length;
  return `${sent.length} requests (${during} while failing): ${answered} taken (201), ${refused.length} refused (${[...new Set(refused)].join(", ") || "none"}); ${retried.length} needed more than one try (at most ${most})`;
}
