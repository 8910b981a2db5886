import assert from "node:assert/strict";
import { expectOk } from "../../packages/client/src/index.js";
import { seededRandom } from "../testing/random.js";
import {
  type Actor,
  type Move,
  type Op,
  type Payee,
  perform,
  price,
  rechargeUnit,
  type Sending,
} from "./mixed-moves.js";
import {
  assertBooksBalance,
  bankBalance,
  myMoney,
  openBankAccount,
  poll,
  recharge,
  registerFranchise,
  signUp,
  staff,
  type Target,
  unique,
} from "./steps.js";

/**
 * Journey 6: members doing random operations, some sent twice with the same Idempotency-Key, a few at a
 * time; afterwards each member's money is what a model computed from the answers alone (2xx only,
 * PENDING followed to its end), each bank account holds what moved to it, and the books balance.
 * Members act in rounds, each at most once a round, so every answer is decided by what came before the
 * round, except money arriving from others in it, which the plan keeps from deciding anything.
 */

export interface MixedRunOptions {
  /** Default 8. */
  members?: number;
  /** Default 60. */
  operations?: number;
  /** Default: a random one, named in any failure so that the run can be repeated. */
  seed?: number;
  /** Members acting at once (default 4). */
  concurrency?: number;
}

const startingBank = 5_000_000;
const startingMoney = 20_000;

interface World {
  readonly actors: Actor[];
  readonly payees: Payee[];
  readonly franchises: string[];
}

/** A random move of `a`, decided by the model alone (never by an answer not yet given). */
function randomMove(rand: () => number, world: World, a: Actor): Move {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const won = (unit: number, max: number) => unit * (1 + Math.floor(rand() * max));
  const r = rand();
  if (r < 0.18) return { kind: "recharge", amount: won(rechargeUnit, 10) };
  if (r < 0.3 && a.money >= 1_000)
    return { kind: "withdraw", amount: won(1_000, Math.floor(a.money / 1_000)) };
  if (r < 0.5) {
    return { kind: "remit-member", to: pick(world.actors.filter((x) => x !== a)), amount: won(1_000, 40) };
  }
  if (r < 0.6) return { kind: "remit-bank", to: pick(world.payees), amount: won(1_000, 20) };
  const [franchiseId, amount] = [pick(world.franchises), won(500, 60)];
  if (r < 0.63 && a.points < amount) {
    return { kind: "pay-too-many-points", franchiseId, amount, usePoints: a.points + 1 };
  }
  if (r < 0.88) {
    const usePoints = rand() < 0.4 ? Math.min(a.points, amount, Math.floor(rand() * 1_000)) : 0;
    return { kind: "pay", franchiseId, amount, usePoints };
  }
  if (a.payments.length > 0) return { kind: "cancel", payment: pick(a.payments) };
  return { kind: "recharge", amount: rechargeUnit };
}

/** The next round: up to `size` distinct members, one op each. */
function nextRound(rand: () => number, world: World, size: number): Op[] {
  const actors = [...world.actors];
  for (let i = actors.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [actors[i], actors[j]] = [actors[j]!, actors[i]!];
  }
  const sending = (): Sending => {
    const r = rand();
    return r < 0.15 ? "again" : r < 0.25 ? "twice-at-once" : "once";
  };
  const ops = actors
    .slice(0, size)
    .map((actor) => ({ actor, move: randomMove(rand, world, actor), sending: sending() }));
  // Money arriving in the same round could decide an auto-recharge: a receiver spends only what it has.
  const receivers = new Set(ops.flatMap((op) => (op.move.kind === "remit-member" ? [op.move.to] : [])));
  const recharge: Move = { kind: "recharge", amount: rechargeUnit };
  return ops.map((op) =>
    receivers.has(op.actor) && price(op.move) > op.actor.money ? { ...op, move: recharge } : op,
  );
}

async function setUp(t: Target, members: number, region: string): Promise<World> {
  const actors = await Promise.all(
    Array.from({ length: members }, async (): Promise<Actor> => {
      const member = await signUp(t, { region, bankBalance: startingBank });
      await recharge(member, startingMoney);
      return { member, money: startingMoney, points: 0, bank: startingBank - startingMoney, payments: [] };
    }),
  );
  const franchises = [await registerFranchise(t), await registerFranchise(t)].map((f) => f.franchiseId);
  const payees = await Promise.all(
    ["081", "020"].map(async (bankCode) => ({
      account: await openBankAccount(t, `Payee ${unique("p")}`, 0, bankCode),
      received: 0,
    })),
  );
  return { actors, payees, franchises };
}

/** What members, payees and staff see at the end is what the model says. */
async function assertModel(t: Target, world: World, region: string) {
  for (const a of world.actors) {
    const money = await myMoney(a.member);
    assert.deepEqual(
      { balance: money.balance, points: money.points },
      { balance: a.money, points: a.points },
      `${a.member.name}'s money and points are what its answers add up to`,
    );
    assert.equal(await bankBalance(t, a.member.account!), a.bank, `${a.member.name}'s bank account`);
  }
  for (const p of world.payees) {
    assert.equal(await bankBalance(t, p.account), p.received, "a payee's account holds its remittances");
  }
  await assertBooksBalance(t);
  const admin = await staff(t);
  const total = world.actors.reduce((sum, a) => sum + a.money, 0);
  await poll(
    `money by region shows the run's ${world.actors.length} members with ${total} won`,
    async () =>
      expectOk(await admin.GET("/v1/admin/stats/money", { params: { query: { groupBy: "region" } } })),
    (s) => {
      const group = s.groups.find((g) => g.region === region);
      return group?.members === world.actors.length && group.balance === total;
    },
  );
}

/** Journey 6: N members (default 8) doing K random operations (default 60), checked against a model. */
export async function mixedRun(t: Target, o: MixedRunOptions = {}): Promise<void> {
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  const [members, operations, concurrency] = [o.members ?? 8, o.operations ?? 60, o.concurrency ?? 4];
  try {
    const region = `E2E mixed ${unique("r")}`;
    const world = await setUp(t, members, region);
    const rand = seededRandom(seed);
    for (let done = 0; done < operations; ) {
      const round = nextRound(rand, world, Math.min(concurrency, operations - done));
      await Promise.all(round.map(perform));
      done += round.length;
    }
    await assertModel(t, world, region);
  } catch (error) {
    if (error instanceof Error) error.message = `mixed run (seed ${seed}): ${error.message}`;
    throw error;
  }
}
