/** What other contexts may use of payment: settlement's calls and the events payment publishes. */

/** A franchise's payments one settlement run claimed, summed per stamped commission rate. */
export interface ClaimedFranchise {
  readonly franchiseId: string;
  readonly paymentCount: number;
  /** Sum of the claimed payments' amounts. */
  readonly gross: number;
  /** The same payments grouped by the commission rate stamped on each when it was made. */
  readonly byRate: readonly {
    readonly commissionBps: number;
    readonly gross: number;
    readonly count: number;
  }[];
}

/** The calls settlement makes; in the distributed deployment an HTTP client implements it. */
export interface PaymentApi {
  /**
   * Claims for the run every NORMAL payment made before `cutoff` that no settlement claims, in one
   * statement, and answers them grouped by franchise. Idempotent on runId: a second call claims
   * nothing more and answers the first call's groups. A claimed payment can no longer be cancelled.
   */
  claimForSettlement(cmd: { readonly runId: string; readonly cutoff: string }): Promise<ClaimedFranchise[]>;
  /**
   * The franchise was paid: its payments claimed by the run become SETTLED. Idempotent. Calls that
   * arrive together are marked in one statement.
   */
  markSettled(cmd: {
    readonly runId: string;
    readonly franchiseId: string;
    readonly settlementId: string;
  }): Promise<void>;
  /** The payout failed for good: the franchise's payments claimed by the run are NORMAL and free again. */
  releaseClaim(cmd: { readonly runId: string; readonly franchiseId: string }): Promise<void>;
  /** The ids of the franchise's payments claimed by the run (its settlement's once SETTLED), oldest first. */
  claimedPaymentIds(cmd: {
    readonly runId: string;
    readonly franchiseId: string;
    readonly settlementId: string;
  }): Promise<string[]>;
}

export const paymentEvents = {
  PaymentMade: "PaymentMade",
  PaymentCancelled: "PaymentCancelled",
  PaymentsSettled: "PaymentsSettled",
} as const;

/** A payment was made (status NORMAL). */
export interface PaymentMade {
  readonly paymentId: string;
  readonly membershipId: string;
  readonly franchiseId: string;
  readonly amount: number;
  readonly paidWithMoney: number;
  readonly paidWithPoints: number;
  readonly pointsEarned: number;
  readonly commissionBps: number;
}

/** A payment was cancelled, with what went back to the member. */
export interface PaymentCancelled {
  readonly paymentId: string;
  readonly membershipId: string;
  readonly franchiseId: string;
  readonly amount: number;
  readonly refund: {
    readonly money: number;
    readonly points: number;
    readonly pointsTakenBack: number;
    readonly takenFromMoney: number;
  };
}

/** A settlement paid the franchise for these payments (now SETTLED). */
export interface PaymentsSettled {
  readonly runId: string;
  readonly settlementId: string;
  readonly franchiseId: string;
  readonly paymentCount: number;
}
