import assert from "node:assert/strict";
import { type Answer, expectOk, newIdempotencyKey, problemOf } from "../../packages/client/src/index.js";
import {
  type AccountRef,
  type Member,
  paymentEnd,
  rechargeEnd,
  remittanceEnd,
  type Schemas,
  withdrawalEnd,
} from "./steps.js";

/**
 * The moves of the mixed run (journey 6) and the model they keep: each move is sent, its answers are
 * checked, and only what a 2xx answer (followed from PENDING to its end) says changes the model.
 */

/** A member as the model sees it: what its answers add up to. */
export interface Actor {
  readonly member: Member;
  money: number;
  points: number;
  /** Won in the member's linked bank account. */
  bank: number;
  /** Its NORMAL payments, which it may cancel. */
  readonly payments: Schemas["Payment"][];
}

/** An account at the bank that members remit to. */
export interface Payee {
  readonly account: AccountRef;
  received: number;
}

export type Move =
  | { kind: "recharge"; amount: number }
  | { kind: "withdraw"; amount: number }
  | { kind: "remit-member"; to: Actor; amount: number }
  | { kind: "remit-bank"; to: Payee; amount: number }
  | { kind: "pay"; franchiseId: string; amount: number; usePoints: number }
  | { kind: "pay-too-many-points"; franchiseId: string; amount: number; usePoints: number }
  | { kind: "cancel"; payment: Schemas["Payment"] };

/** How the client sends it: once, again after the answer, or twice at once (the same key each time). */
export type Sending = "once" | "again" | "twice-at-once";

export interface Op {
  readonly actor: Actor;
  readonly move: Move;
  readonly sending: Sending;
}

export const bankFee = 500;
export const rechargeUnit = 10_000;

/** The auto-recharge a spend of `price` triggers (API.md): none, 10,000 won, or exactly the shortfall. */
export function autoRecharge(balance: number, price: number): number {
  const short = price - balance;
  return short <= 0 ? 0 : Math.max(short, rechargeUnit);
}

/** The won a move takes from the actor's money (before any auto-recharge). */
export function price(move: Move): number {
  if (move.kind === "withdraw" || move.kind === "remit-member") return move.amount;
  if (move.kind === "remit-bank") return move.amount + bankFee;
  if (move.kind === "pay") return move.amount - move.usePoints;
  return 0;
}

/** Sends a request with one key, as the op's sending says; the answer that counts, the copies checked. */
async function send(op: Op, request: (key: string) => Promise<Answer<unknown>>): Promise<Answer<unknown>> {
  const key = newIdempotencyKey();
  if (op.sending === "once") return request(key);
  if (op.sending === "again") {
    const first = await request(key);
    const again = await request(key);
    assert.equal(again.response.status, first.response.status, "a retry gets the first answer's status");
    if (first.response.ok) {
      assert.equal(again.response.headers.get("idempotent-replayed"), "true");
      assert.deepEqual(again.data, first.data, "a retry gets the first answer's body");
    }
    return first;
  }
  const both = await Promise.all([request(key), request(key)]);
  // A copy that arrives while the other is in flight is told so (409 CONFLICT); none moves money twice.
  const answered = both.filter((a) => a.response.status !== 409 || problemOf(a)?.code !== "CONFLICT");
  const errors = JSON.stringify(both.map((a) => a.error));
  assert.ok(answered.length > 0, `both copies were refused as in flight: ${errors}`);
  const [first, second] = answered as [Answer<unknown>, Answer<unknown>?];
  if (second && first.response.ok) assert.deepEqual(second.data, first.data, "both copies got one answer");
  return first;
}

const header = (key: string) => ({ header: { "idempotency-key": key } });

/** The actor spends `cost` won, auto-recharged first when short; whether it was. */
function spend(actor: Actor, cost: number): boolean {
  const auto = autoRecharge(actor.money, cost);
  actor.money += auto - cost;
  actor.bank -= auto;
  return auto > 0;
}

async function rechargeMove(op: Op, amount: number) {
  const { client } = op.actor.member;
  const answer = await send(op, (k) =>
    client.POST("/v1/money/recharge", { params: header(k), body: { amount } }),
  );
  const first = expectOk(answer as Answer<Schemas["Recharge"]>);
  const end = first.status === "PENDING" ? await rechargeEnd(client, first.rechargeId) : first;
  assert.equal(end.status, "SUCCEEDED", `recharge: ${JSON.stringify(end)}`);
  op.actor.money += amount;
  op.actor.bank -= amount;
}

async function withdrawMove(op: Op, amount: number) {
  const { client } = op.actor.member;
  const answer = await send(op, (k) =>
    client.POST("/v1/money/withdraw", { params: header(k), body: { amount } }),
  );
  const first = expectOk(answer as Answer<Schemas["Withdrawal"]>);
  const end = first.status === "PENDING" ? await withdrawalEnd(client, first.withdrawalId) : first;
  assert.equal(end.status, "SUCCEEDED", `withdrawal: ${JSON.stringify(end)}`);
  op.actor.money -= amount;
  op.actor.bank += amount;
}

async function remitMove(op: Op, move: Extract<Move, { kind: "remit-member" | "remit-bank" }>) {
  const { client } = op.actor.member;
  const to = move.kind === "remit-member" ? { membershipId: move.to.member.membershipId } : move.to.account;
  const body = { to, amount: move.amount };
  const answer = await send(op, (k) => client.POST("/v1/remittances", { params: header(k), body }));
  const first = expectOk(answer as Answer<Schemas["Remittance"]>);
  assert.equal(first.fee, move.kind === "remit-bank" ? bankFee : 0, "the fee");
  const end = first.status === "PENDING" ? await remittanceEnd(client, first.remittanceId) : first;
  assert.equal(end.status, "SUCCEEDED", `remittance: ${JSON.stringify(end)}`);
  assert.equal(
    end.autoRecharged,
    spend(op.actor, price(move)),
    `remittance ${end.remittanceId}: autoRecharged`,
  );
  if (move.kind === "remit-member") move.to.money += move.amount;
  else move.to.received += move.amount;
}

async function payMove(op: Op, move: Extract<Move, { kind: "pay" | "pay-too-many-points" }>) {
  const { actor } = op;
  const { franchiseId, amount, usePoints } = move;
  const body = { franchiseId, amount, ...(usePoints ? { usePoints } : {}) };
  const answer = await send(op, (k) => actor.member.client.POST("/v1/payments", { params: header(k), body }));
  if (move.kind === "pay-too-many-points") {
    const why = `paying with ${usePoints} points of ${actor.points}`;
    assert.equal(problemOf(answer)?.code, "INSUFFICIENT_POINTS", why);
    return;
  }
  const first = expectOk(answer as Answer<Schemas["Payment"]>);
  const end = first.status === "PENDING" ? await paymentEnd(actor.member.client, first.paymentId) : first;
  assert.equal(end.status, "NORMAL", `payment: ${JSON.stringify(end)}`);
  assert.deepEqual([end.paidWithMoney, end.paidWithPoints], [amount - usePoints, usePoints]);
  assert.equal(end.pointsEarned, Math.floor(end.paidWithMoney / 100), "a payment earns 1% of its money part");
  assert.equal(end.autoRecharged, spend(actor, end.paidWithMoney), `payment ${end.paymentId}: autoRecharged`);
  actor.points += end.pointsEarned - end.paidWithPoints;
  actor.payments.push(end);
}

async function cancelMove(op: Op, payment: Schemas["Payment"]) {
  const { actor } = op;
  const { client } = actor.member;
  const answer = await send(op, (k) =>
    client.POST("/v1/payments/{id}/cancel", {
      params: { ...header(k), path: { id: payment.paymentId } },
      body: {},
    }),
  );
  actor.payments.splice(actor.payments.indexOf(payment), 1);
  // A settlement run (the daily one, or another runner's) may have claimed it: then nothing moves.
  if (problemOf(answer)?.code === "ALREADY_SETTLED") return;
  const first = expectOk(answer as Answer<Schemas["Payment"]>);
  const end = first.status === "CANCELLING" ? await paymentEnd(client, payment.paymentId) : first;
  assert.equal(end.status, "CANCELLED", `cancel: ${JSON.stringify(end)}`);
  const refund = end.refund!;
  assert.equal(refund.points, payment.paidWithPoints, "used points come back");
  assert.equal(refund.pointsTakenBack + refund.takenFromMoney, payment.pointsEarned, "earned points go back");
  assert.equal(refund.money, payment.paidWithMoney - refund.takenFromMoney, "the money comes back");
  actor.money += refund.money;
  actor.points += refund.points - refund.pointsTakenBack;
}

/** Sends one op and applies what its answers tell to the model. */
export function perform(op: Op): Promise<void> {
  const { move } = op;
  switch (move.kind) {
    case "recharge":
      return rechargeMove(op, move.amount);
    case "withdraw":
      return withdrawMove(op, move.amount);
    case "remit-member":
    case "remit-bank":
      return remitMove(op, move);
    case "pay":
    case "pay-too-many-points":
      return payMove(op, move);
    case "cancel":
      return cancelMove(op, move.payment);
  }
}
