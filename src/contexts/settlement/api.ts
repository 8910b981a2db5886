/** What other contexts may use of settlement: the events it publishes (nobody calls it). */

export const settlementEvents = {
  SettlementCompleted: "SettlementCompleted",
} as const;

/** A franchise's settlement ended: PAID (net arrived at its settlement account) or FAILED (retry budget spent). */
export interface SettlementCompleted {
  readonly settlementId: string;
  readonly runId: string;
  readonly franchiseId: string;
  readonly paymentCount: number;
  readonly gross: number;
  readonly commission: number;
  readonly net: number;
  readonly status: "PAID" | "FAILED";
  readonly reason: string | null;
}
