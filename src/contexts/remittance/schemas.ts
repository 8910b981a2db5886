import { type Static, Type } from "@sinclair/typebox";
import { IdParams, idPattern } from "../../platform/http/params.js";
import { IdempotencyHeaders, WonAmount } from "../../platform/http/shapes.js";
import { withDefault } from "../../platform/http/validation.js";

/** The remittance context's HTTP schemas (API.md "Remittance"). */

const Won = WonAmount;
const Fee = Type.Integer({
  minimum: 0,
  description: "Won; MYPAY_REMITTANCE_FEE for a bank account, 0 between members",
});
const DateTime = Type.String({ format: "date-time" });

const MemberRecipient = Type.Object(
  {
    membershipId: Type.String({
      pattern: idPattern("membership"),
      description: "mem_…, another active member",
    }),
  },
  { additionalProperties: false, title: "MemberRecipient" },
);
const BankRecipient = Type.Object(
  {
    bankCode: Type.String({ pattern: "^[0-9]{3}$", description: "Three-digit bank code" }),
    accountNumber: Type.String({ pattern: "^[0-9]{1,32}$", description: "Digits only" }),
  },
  {
    additionalProperties: false,
    title: "BankRecipient",
    description: "Any account at a contracted bank; the bank confirms it exists and is active",
  },
);
const Recipient = Type.Union([MemberRecipient, BankRecipient]);

export const RemittanceBody = (max: number) =>
  Type.Object(
    {
      to: Recipient,
      amount: Won(max),
      memo: Type.Optional(
        Type.String({
          maxLength: 100,
          pattern: "^[^\\p{Cc}\\p{Cs}]*$",
          description: "Up to 100 characters, no control characters",
        }),
      ),
    },
    { additionalProperties: false, title: "RemittanceRequest" },
  );
export type RemittanceBody = Static<ReturnType<typeof RemittanceBody>>;

const remittanceFields = {
  remittanceId: Type.String({ description: "rem_…" }),
  type: Type.Union([Type.Literal("MEMBER"), Type.Literal("BANK")]),
  from: Type.Object({ membershipId: Type.String() }, { description: "The sender" }),
  to: Recipient,
  amount: Type.Integer(),
  fee: Fee,
  memo: Type.Union([Type.String(), Type.Null()]),
  autoRecharged: Type.Boolean({ description: "The sender's money was recharged automatically for it" }),
  status: Type.Union([Type.Literal("SUCCEEDED"), Type.Literal("FAILED"), Type.Literal("PENDING")], {
    description: "PENDING until the bank's (or an auto-recharge's) outcome is known",
  }),
  failureReason: Type.Union([Type.String(), Type.Null()], { description: "A stable code, when FAILED" }),
  createdAt: DateTime,
  completedAt: Type.Union([DateTime, Type.Null()]),
};

export const Remittance = Type.Object(remittanceFields, { title: "Remittance" });

const Step = Type.Object({
  step: Type.String({ description: "recharge, transfer, hold, payout or settle" }),
  phase: Type.Union([Type.Literal("action"), Type.Literal("compensation")]),
  outcome: Type.Union(["done", "waiting", "failed", "stuck", "retried"].map((o) => Type.Literal(o))),
  at: DateTime,
  reason: Type.Optional(Type.String({ description: "A stable code, when the step failed" })),
});

export const RemittanceDetail = Type.Object(
  { ...remittanceFields, steps: Type.Array(Step, { description: "The saga's steps so far, oldest first" }) },
  { title: "RemittanceDetail" },
);

export const RemittanceParams = IdParams("remittance");

export const RemittanceQuery = Type.Object(
  {
    limit: withDefault(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(
      Type.String({ pattern: idPattern("remittance"), description: "nextCursor of the previous page" }),
    ),
  },
  { additionalProperties: false },
);

export const RemittanceList = Type.Object(
  { items: Type.Array(Remittance), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { title: "RemittanceList" },
);

export { IdempotencyHeaders };
