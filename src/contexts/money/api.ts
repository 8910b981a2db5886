import { type Static, Type } from "@sinclair/typebox";
import {
  defineContract,
  type Implementation,
  maybe,
  nothing,
  resultOf,
  shaped,
} from "../../platform/contract.js";
import type { CancelRefund } from "./domain.js";

/** What other contexts may use of money: these calls and the events it publishes. */

export { type CancelRefund, pointsEarned } from "./domain.js";
export {
  type AutoRechargeData,
  type AutoRechargeStepDeps,
  autoRechargeStep,
  rechargeFailed,
} from "./recharge-step.js";

const won = Type.Integer({ minimum: 0 });
const signed = Type.Integer();
const id = Type.String();

const balances = Type.Object({ membershipId: id, balance: won, points: won });
export type Balances = Static<typeof balances>;

const ensureBalance = Type.Object({
  /** The business id that needs the won (rem_…, pay_…); a recharge is started at most once for it. */
  cause: id,
  membershipId: id,
  /** What is about to be spent from the member's money (amount + fee). */
  amount: won,
  correlationId: id,
});
export type EnsureBalance = Static<typeof ensureBalance>;

const autoRecharge = Type.Object({
  /** NOT_NEEDED: the balance covers the amount (no recharge recorded); else the recharge's status. */
  status: shaped<"NOT_NEEDED" | "PENDING" | "SUCCEEDED" | "FAILED">(
    Type.Union(["NOT_NEEDED", "PENDING", "SUCCEEDED", "FAILED"].map((s) => Type.Literal(s))),
  ),
  rechargeId: Type.Union([id, Type.Null()]),
  /** Won recharged (or being recharged); 0 when not needed. */
  amount: won,
  /** The bank's or mypay's reason when FAILED. */
  reason: Type.Union([Type.String(), Type.Null()]),
});
export type AutoRecharge = Static<typeof autoRecharge>;

const transferMoney = Type.Object({
  /** The caller's id for this move (rem_…): one posting per id. */
  transferId: id,
  from: id,
  to: id,
  amount: won,
  correlationId: id,
});
export type TransferMoney = Static<typeof transferMoney>;

const transferred = Type.Object({
  transferId: id,
  /** The sender's and receiver's money right after the move. */
  fromBalance: won,
  toBalance: won,
});
export type Transferred = Static<typeof transferred>;

const holdSource = Type.Union([Type.Object({ membershipId: id }), Type.Object({ franchiseId: id })]);
export type HoldSource = { readonly membershipId: string } | { readonly franchiseId: string };

const holdMoney = Type.Object({
  /** The caller's id (rem_…, stl_…): one hold per id. */
  holdId: id,
  source: shaped<HoldSource>(holdSource),
  /** What the payout sends. */
  amount: won,
  /** Kept by mypay when the payout is made: a remittance fee (fee revenue) or commission (commission revenue). */
  fee: won,
  purpose: shaped<"REMITTANCE" | "SETTLEMENT">(
    Type.Union([Type.Literal("REMITTANCE"), Type.Literal("SETTLEMENT")]),
  ),
  correlationId: id,
});
export type HoldMoney = Static<typeof holdMoney>;

const held = Type.Object({
  holdId: id,
  amount: won,
  fee: won,
  status: shaped<"HELD" | "SETTLED" | "RELEASED">(
    Type.Union([Type.Literal("HELD"), Type.Literal("SETTLED"), Type.Literal("RELEASED")]),
  ),
  /** The member's money right after this change (null for a franchise's hold). */
  balance: Type.Union([won, Type.Null()]),
});
export type Held = Static<typeof held>;

const payFranchise = Type.Object({
  /** The caller's id (pay_…): one payment posting per id. */
  paymentId: id,
  membershipId: id,
  franchiseId: id,
  money: won,
  points: won,
  pointsEarned: won,
  correlationId: id,
});
export type PayFranchise = Static<typeof payFranchise>;

const paid = Type.Object({
  paymentId: id,
  /** The member's money and points right after the payment. */
  balance: won,
  points: won,
});
export type Paid = Static<typeof paid>;

const refundPayment = Type.Object({
  /** The payment `pay` posted: its figures are read from money's own record of it. */
  paymentId: id,
  correlationId: id,
});
export type RefundPayment = Static<typeof refundPayment>;

const cancelRefund = shaped<CancelRefund>(
  Type.Object({ money: won, points: won, pointsTakenBack: won, takenFromMoney: won }),
);

const balanceChanged = {
  membershipId: id,
  /** Signed: + into the member, − out. */
  change: signed,
  kind: Type.String(),
  reference: Type.String(),
  entryId: id,
  /** Grows with every change, so a reader keeps only the newest. */
  version: Type.Integer({ minimum: 0 }),
};
const moneyBalanceChanged = Type.Object({ ...balanceChanged, balance: won });
const pointsBalanceChanged = Type.Object({ ...balanceChanged, points: won });
const completed = Type.Union([Type.Literal("SUCCEEDED"), Type.Literal("FAILED")]);
const rechargeCompleted = Type.Object({
  rechargeId: id,
  membershipId: id,
  amount: won,
  status: shaped<"SUCCEEDED" | "FAILED">(completed),
  auto: Type.Boolean(),
  /** The business id an auto-recharge served (rem_…, pay_…), so its saga can go on. */
  cause: Type.Optional(id),
});
const withdrawalCompleted = Type.Object({
  withdrawalId: id,
  membershipId: id,
  amount: won,
  status: shaped<"SUCCEEDED" | "FAILED">(completed),
});

export const moneyEvents = {
  MoneyBalanceChanged: "MoneyBalanceChanged",
  PointsBalanceChanged: "PointsBalanceChanged",
  RechargeCompleted: "RechargeCompleted",
  WithdrawalCompleted: "WithdrawalCompleted",
} as const;

/** A member's money changed; `version` grows with every change, so a reader keeps only the newest. */
export type MoneyBalanceChanged = Static<typeof moneyBalanceChanged>;
/** A member's points changed (earned, spent, given back, taken back, expired); newest `version` wins. */
export type PointsBalanceChanged = Static<typeof pointsBalanceChanged>;
export type RechargeCompleted = Static<typeof rechargeCompleted>;
export type WithdrawalCompleted = Static<typeof withdrawalCompleted>;

const wallet = ["NOT_FOUND", "CONFLICT"] as const;

/**
 * Money's commands for remittance, payment, settlement and membership. Each is idempotent on the id
 * the caller chooses (a retried call, local or remote, moves nothing twice and answers as the first
 * did), takes and returns plain data, and answers expected failures as codes; none takes a callback,
 * so each can be called over HTTP (the distributed deployment).
 */
export const moneyContract = defineContract({
  context: "money",
  operations: {
    /** A member's money and points now; undefined when the member has no wallet. */
    balances: { args: [id], returns: maybe(balances), errors: [], retry: true },
    /**
     * The auto-recharge (자동 충전) before a payment or remittance of `amount` won: when the balance is
     * short, recharges from the newest linked account (10,000 won for a shortfall of 10,000 or less,
     * else exactly the shortfall, within the cap) and drives it as far as it goes now. Idempotent on
     * `cause`: once a recharge was started for it, every call answers that recharge as it stands.
     * Failures: NO_LINKED_ACCOUNT (short and nothing linked), BALANCE_LIMIT_EXCEEDED, BANK_UNAVAILABLE
     * (nothing started; try again), NOT_FOUND / CONFLICT (no wallet, wallet closed).
     */
    ensureBalance: {
      args: [ensureBalance],
      returns: resultOf(autoRecharge),
      errors: ["NO_LINKED_ACCOUNT", "BALANCE_LIMIT_EXCEEDED", "BANK_UNAVAILABLE", ...wallet],
      retry: true,
    },
    /**
     * Member→member: `amount` from one member's money to another's, one ledger transaction (kind
     * REMITTANCE). INSUFFICIENT_BALANCE, BALANCE_LIMIT_EXCEEDED (the receiver's cap), NOT_FOUND /
     * CONFLICT (a wallet missing or closed).
     */
    transfer: {
      args: [transferMoney],
      returns: resultOf(transferred),
      errors: ["INSUFFICIENT_BALANCE", "BALANCE_LIMIT_EXCEEDED", ...wallet],
      retry: true,
    },
    /**
     * Takes `amount + fee` out of a member's money or a franchise's payable into money in transit, for a
     * payout by firmbanking. INSUFFICIENT_BALANCE, NOT_FOUND / CONFLICT.
     */
    hold: {
      args: [holdMoney],
      returns: resultOf(held),
      errors: ["INSUFFICIENT_BALANCE", ...wallet],
      retry: true,
    },
    /** The payout was made: the amount leaves transit to corporate cash's payout, the fee becomes revenue. */
    settleHold: { args: [id], returns: resultOf(held), errors: wallet, retry: true },
    /** The payout was refused: everything held goes back where it came from (the fee too). */
    releaseHold: { args: [id], returns: resultOf(held), errors: wallet, retry: true },
    /**
     * A payment: `money` won from the member's money and `points` from its points into the franchise's
     * payable (points funded by mypay's points expense), and `pointsEarned` credited, in one ledger
     * transaction. INSUFFICIENT_BALANCE, INSUFFICIENT_POINTS, NOT_FOUND / CONFLICT.
     */
    pay: {
      args: [payFranchise],
      returns: resultOf(paid),
      errors: ["INSUFFICIENT_BALANCE", "INSUFFICIENT_POINTS", ...wallet],
      retry: true,
    },
    /**
     * Cancels a payment `pay` made: the money and used points go back and the earned points are taken
     * back, the points going no lower than zero (the missing ones are taken from the money refund), in
     * one ledger transaction whose arithmetic is the domain's cancelRefund. NOT_FOUND when that payment
     * was never paid.
     */
    refund: { args: [refundPayment], returns: resultOf(cancelRefund), errors: ["NOT_FOUND"], retry: true },
    /**
     * The first step of a member leaving mypay: closes the wallet in one conditional update, only
     * when it holds no money and no recharge or refund is under way; from then on it refuses new
     * money. CONFLICT (naming the won held) otherwise, with nothing changed. Safe to repeat. Follow
     * it with the withdrawal (MemberWithdrawn closes the wallet for good) or with reopenWallet.
     */
    closeWalletForLeaving: { args: [id], returns: resultOf(nothing), errors: ["CONFLICT"], retry: true },
    /** The withdrawal after closeWalletForLeaving did not happen: the wallet takes money again. */
    reopenWallet: { args: [id], returns: nothing, errors: [], retry: true },
  },
  events: {
    [moneyEvents.MoneyBalanceChanged]: moneyBalanceChanged,
    [moneyEvents.PointsBalanceChanged]: pointsBalanceChanged,
    [moneyEvents.RechargeCompleted]: rechargeCompleted,
    [moneyEvents.WithdrawalCompleted]: withdrawalCompleted,
  },
});

export type MoneyApi = Implementation<typeof moneyContract>;
/** What remittance, payment and settlement call. */
export type MoneyCommands = Omit<MoneyApi, keyof MoneyWallets>;
/** What membership needs of money when a member leaves. */
export type MoneyWallets = Pick<MoneyApi, "closeWalletForLeaving" | "reopenWallet">;
