/** What other contexts may use of money: these calls and the events it publishes. */

export interface MoneyApi {
  /**
   * What stops a member from withdrawing from mypay: money held plus won promised by recharges in
   * flight (0 when the member never had a wallet).
   */
  heldBy(membershipId: string): Promise<number>;
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
