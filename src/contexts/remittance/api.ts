import { type Static, Type } from "@sinclair/typebox";
import { defineContract } from "../../platform/contract.js";

export const remittanceEvents = {
  RemittanceCompleted: "RemittanceCompleted",
} as const;

const won = Type.Integer({ minimum: 0 });

/** A remittance reached its end: SUCCEEDED (the money arrived) or FAILED (everything went back). */
const remittanceCompleted = Type.Object({
  remittanceId: Type.String(),
  type: Type.Union([Type.Literal("MEMBER"), Type.Literal("BANK")]),
  /** The sender. */
  membershipId: Type.String(),
  /** The receiving member (type MEMBER), else null. */
  toMembershipId: Type.Union([Type.String(), Type.Null()]),
  /** The receiving bank account (type BANK), else null. */
  toAccount: Type.Union([
    Type.Object({ bankCode: Type.String(), accountNumber: Type.String() }),
    Type.Null(),
  ]),
  amount: won,
  fee: won,
  status: Type.Union([Type.Literal("SUCCEEDED"), Type.Literal("FAILED")]),
  reason: Type.Union([Type.String(), Type.Null()]),
});
export type RemittanceCompleted = Static<typeof remittanceCompleted>;

/** What other contexts may use of remittance: the events it publishes (nobody calls it). */
export const remittanceContract = defineContract({
  context: "remittance",
  operations: {},
  events: { [remittanceEvents.RemittanceCompleted]: remittanceCompleted },
});
