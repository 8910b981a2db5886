import { type Static, Type } from "@sinclair/typebox";
import { defineContract } from "../../platform/contract.js";

export const settlementEvents = {
  SettlementCompleted: "SettlementCompleted",
} as const;

const won = Type.Integer({ minimum: 0 });

/** A franchise's settlement ended: PAID (net arrived at its settlement account) or FAILED (retry budget spent). */
const settlementCompleted = Type.Object({
  settlementId: Type.String(),
  runId: Type.String(),
  franchiseId: Type.String(),
  paymentCount: Type.Integer({ minimum: 0 }),
  gross: won,
  commission: won,
  net: won,
  status: Type.Union([Type.Literal("PAID"), Type.Literal("FAILED")]),
  reason: Type.Union([Type.String(), Type.Null()]),
});
export type SettlementCompleted = Static<typeof settlementCompleted>;

/** What other contexts may use of settlement: the events it publishes (nobody calls it). */
export const settlementContract = defineContract({
  context: "settlement",
  operations: {},
  events: { [settlementEvents.SettlementCompleted]: settlementCompleted },
});
