import type { Result } from "../../kernel/errors.js";

/** What other contexts may use of money: these calls and the events it publishes. */

export interface MoneyApi {
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

export const moneyEvents = {
  MoneyBalanceChanged: "MoneyBalanceChanged",
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

export interface RechargeCompleted {
  readonly rechargeId: string;
  readonly membershipId: string;
  readonly amount: number;
  readonly status: "SUCCEEDED" | "FAILED";
  readonly auto: boolean;
}

export interface WithdrawalCompleted {
  readonly withdrawalId: string;
  readonly membershipId: string;
  readonly amount: number;
  readonly status: "SUCCEEDED" | "FAILED";
}
