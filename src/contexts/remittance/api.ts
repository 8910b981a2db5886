/** What other contexts may use of remittance: the events it publishes (nobody calls it). */

export const remittanceEvents = {
  RemittanceCompleted: "RemittanceCompleted",
} as const;

/** A remittance reached its end: SUCCEEDED (the money arrived) or FAILED (everything went back). */
export interface RemittanceCompleted {
  readonly remittanceId: string;
  readonly type: "MEMBER" | "BANK";
  /** The sender. */
  readonly membershipId: string;
  /** The receiving member (type MEMBER), else null. */
  readonly toMembershipId: string | null;
  /** The receiving bank account (type BANK), else null. */
  readonly toAccount: { readonly bankCode: string; readonly accountNumber: string } | null;
  readonly amount: number;
  readonly fee: number;
  readonly status: "SUCCEEDED" | "FAILED";
  readonly reason: string | null;
}
