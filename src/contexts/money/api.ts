import type { Result } from "../../kernel/errors.js";
import type { CancelRefund } from "./domain.js";

/** What other contexts may use of money: these calls and the events it publishes. */

export { type CancelRefund, pointsEarned } from "./domain.js";
export {
  type AutoRechargeData,
  type AutoRechargeStepDeps,
  autoRechargeStep,
  rechargeFailed,
} from "./recharge-step.js";

/**
 * Money's commands for remittance, payment and settlement. Each is idempotent on the id the caller
 * chooses (a retried call, local or remote, moves nothing twice and answers as the first did), takes
 * and returns plain data, and answers expected failures as codes; none takes a callback, so each can
 * be called over HTTP (the distributed deployment).
 */
export interface MoneyCommands {
  /** A member's money and points now; undefined when the member has no wallet. */
  balances(membershipId: string): Promise<Balances | undefined>;
  /**
   * The auto-recharge (자동 충전) before a payment or remittance of `amount` won: when the balance is
   * short, recharges from the newest linked account (10,000 won for a shortfall of 10,000 or less,
   * else exactly the shortfall, within the cap) and drives it as far as it goes now. Idempotent on
   * `cause`: once a recharge was started for it, every call answers that recharge as it stands.
   * Failures: NO_LINKED_ACCOUNT (short and nothing linked), BALANCE_LIMIT_EXCEEDED, BANK_UNAVAILABLE
   * (nothing started; try again), NOT_FOUND / CONFLICT (no wallet, wallet closed).
   */
  ensureBalance(cmd: EnsureBalance): Promise<Result<AutoRecharge>>;
  /**
   * Member→member: `amount` from one member's money to another's, one ledger transaction (kind
   * REMITTANCE). INSUFFICIENT_BALANCE, BALANCE_LIMIT_EXCEEDED (the receiver's cap), NOT_FOUND /
   * CONFLICT (a wallet missing or closed).
   */
  transfer(cmd: TransferMoney): Promise<Result<Transferred>>;
  /**
   * Takes `amount + fee` out of a member's money or a franchise's payable into money in transit, for a
   * payout by firmbanking. INSUFFICIENT_BALANCE, NOT_FOUND / CONFLICT.
   */
  hold(cmd: HoldMoney): Promise<Result<Held>>;
  /** The payout was made: the amount leaves transit to corporate cash's payout, the fee becomes revenue. */
  settleHold(holdId: string): Promise<Result<Held>>;
  /** The payout was refused: everything held goes back where it came from (the fee too). */
  releaseHold(holdId: string): Promise<Result<Held>>;
  /**
   * A payment: `money` won from the member's money and `points` from its points into the franchise's
   * payable (points funded by mypay's points expense), and `pointsEarned` credited, in one ledger
   * transaction. INSUFFICIENT_BALANCE, INSUFFICIENT_POINTS, NOT_FOUND / CONFLICT.
   */
  pay(cmd: PayFranchise): Promise<Result<Paid>>;
  /**
   * Cancels a payment `pay` made: the money and used points go back and the earned points are taken
   * back, the points going no lower than zero (the missing ones are taken from the money refund), in
   * one ledger transaction whose arithmetic is the domain's cancelRefund. NOT_FOUND when that payment
   * was never paid.
   */
  refund(cmd: RefundPayment): Promise<Result<CancelRefund>>;
}

export interface Balances {
  readonly membershipId: string;
  readonly balance: number;
  readonly points: number;
}

export interface EnsureBalance {
  /** The business id that needs the won (rem_…, pay_…); a recharge is started at most once for it. */
  readonly cause: string;
  readonly membershipId: string;
  /** What is about to be spent from the member's money (amount + fee). */
  readonly amount: number;
  readonly correlationId: string;
}

export interface AutoRecharge {
  /** NOT_NEEDED: the balance covers the amount (no recharge recorded); else the recharge's status. */
  readonly status: "NOT_NEEDED" | "PENDING" | "SUCCEEDED" | "FAILED";
  readonly rechargeId: string | null;
  /** Won recharged (or being recharged); 0 when not needed. */
  readonly amount: number;
  /** The bank's or mypay's reason when FAILED. */
  readonly reason: string | null;
}

export interface TransferMoney {
  /** The caller's id for this move (rem_…): one posting per id. */
  readonly transferId: string;
  readonly from: string;
  readonly to: string;
  readonly amount: number;
  readonly correlationId: string;
}

export interface Transferred {
  readonly transferId: string;
  /** The sender's and receiver's money right after the move. */
  readonly fromBalance: number;
  readonly toBalance: number;
}

export type HoldSource = { readonly membershipId: string } | { readonly franchiseId: string };

export interface HoldMoney {
  /** The caller's id (rem_…, stl_…): one hold per id. */
  readonly holdId: string;
  readonly source: HoldSource;
  /** What the payout sends. */
  readonly amount: number;
  /** Kept by mypay when the payout is made: a remittance fee (fee revenue) or commission (commission revenue). */
  readonly fee: number;
  readonly purpose: "REMITTANCE" | "SETTLEMENT";
  readonly correlationId: string;
}

export interface Held {
  readonly holdId: string;
  readonly amount: number;
  readonly fee: number;
  readonly status: "HELD" | "SETTLED" | "RELEASED";
  /** The member's money right after this change (null for a franchise's hold). */
  readonly balance: number | null;
}

export interface PayFranchise {
  /** The caller's id (pay_…): one payment posting per id. */
  readonly paymentId: string;
  readonly membershipId: string;
  readonly franchiseId: string;
  readonly money: number;
  readonly points: number;
  readonly pointsEarned: number;
  readonly correlationId: string;
}

export interface Paid {
  readonly paymentId: string;
  /** The member's money and points right after the payment. */
  readonly balance: number;
  readonly points: number;
}

export interface RefundPayment {
  /** The payment `pay` posted: its figures are read from money's own record of it. */
  readonly paymentId: string;
  readonly correlationId: string;
}

/** What membership needs of money when a member leaves. */
export interface MoneyWallets {
  /**
   * The first step of a member leaving mypay: closes the wallet in one conditional update, only
   * when it holds no money and no recharge or refund is under way; from then on it refuses new
   * money. CONFLICT (naming the won held) otherwise, with nothing changed. Safe to repeat. Follow
   * it with the withdrawal (MemberWithdrawn closes the wallet for good) or with reopenWallet.
   */
  closeWalletForLeaving(membershipId: string): Promise<Result<void>>;
  /** The withdrawal after closeWalletForLeaving did not happen: the wallet takes money again. */
  reopenWallet(membershipId: string): Promise<void>;
}

export interface MoneyApi extends MoneyWallets, MoneyCommands {}

export const moneyEvents = {
  MoneyBalanceChanged: "MoneyBalanceChanged",
  PointsBalanceChanged: "PointsBalanceChanged",
  RechargeCompleted: "RechargeCompleted",
  WithdrawalCompleted: "WithdrawalCompleted",
} as const;

/** A member's money changed; `version` grows with every change, so a reader keeps only the newest. */
export interface MoneyBalanceChanged {
  readonly membershipId: string;
  readonly balance: number;
  /** Signed: + into the member's money, − out. */
  readonly change: number;
  readonly kind: string;
  readonly reference: string;
  readonly entryId: string;
  readonly version: number;
}

/** A member's points changed (earned, spent, given back, taken back, expired); newest `version` wins. */
export interface PointsBalanceChanged {
  readonly membershipId: string;
  readonly points: number;
  /** Signed: + to the member, − from it. */
  readonly change: number;
  readonly kind: string;
  readonly reference: string;
  readonly entryId: string;
  readonly version: number;
}

export interface RechargeCompleted {
  readonly rechargeId: string;
  readonly membershipId: string;
  readonly amount: number;
  readonly status: "SUCCEEDED" | "FAILED";
  readonly auto: boolean;
  /** The business id an auto-recharge served (rem_…, pay_…), so its saga can go on. */
  readonly cause?: string;
}

export interface WithdrawalCompleted {
  readonly withdrawalId: string;
  readonly membershipId: string;
  readonly amount: number;
  readonly status: "SUCCEEDED" | "FAILED";
}
