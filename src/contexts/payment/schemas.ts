import { type Static, Type } from "@sinclair/typebox";
import { IdParams, idPattern } from "../../platform/http/params.js";
import { IdempotencyHeaders, WonAmount } from "../../platform/http/shapes.js";
import { withDefault } from "../../platform/http/validation.js";
import { paymentStatuses } from "./domain.js";

/** The HTTP shapes of payments (API.md "Payment and points"). */

const DateTime = Type.String({ format: "date-time" });

export const PaymentBody = (max: number) =>
  Type.Object(
    {
      franchiseId: Type.String({ pattern: idPattern("franchise"), description: "fra_…" }),
      amount: WonAmount(max),
      usePoints: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: max,
          description:
            "points to pay part or all of the amount with (1 point = 1 won); not more than the amount",
        }),
      ),
    },
    { additionalProperties: false, title: "PaymentRequest" },
  );
export type PaymentBody = Static<ReturnType<typeof PaymentBody>>;

/** Nothing to send: no body (or `{}`) is the whole request. */
export const CancelBody = Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()]);

const Status = Type.Union(
  paymentStatuses.map((s) => Type.Literal(s)),
  {
    description:
      "NORMAL: made, not settled yet; SETTLED: the franchise was paid for it; CANCELLED. Also PENDING: " +
      "its auto-recharge is still at the bank; FAILED: not made, nothing paid; CANCELLING: a cancel is under way",
  },
);

const Refund = Type.Object(
  {
    money: Type.Integer({ description: "won back to the member's money" }),
    points: Type.Integer({ description: "used points given back" }),
    pointsTakenBack: Type.Integer({ description: "earned points taken back" }),
    takenFromMoney: Type.Integer({
      description: "earned points already spent, taken from the money refund instead (1 point = 1 won)",
    }),
  },
  { title: "Refund" },
);

export const Payment = Type.Object(
  {
    paymentId: Type.String({ description: "pay_…" }),
    membershipId: Type.String({ description: "the payer" }),
    franchiseId: Type.String(),
    amount: Type.Integer(),
    paidWithMoney: Type.Integer(),
    paidWithPoints: Type.Integer(),
    pointsEarned: Type.Integer({ description: "credited when the payment succeeds" }),
    autoRecharged: Type.Boolean({
      description: "the payment recharged the money from the linked account first",
    }),
    commissionBps: Type.Integer({ description: "the franchise's rate when the payment was made" }),
    status: Status,
    createdAt: DateTime,
    settlementId: Type.Union([Type.String(), Type.Null()], {
      description: "the settlement that paid for it",
    }),
    refund: Type.Optional(Refund),
  },
  { title: "Payment" },
);
export type PaymentView = Static<typeof Payment>;

export const PaymentParams = IdParams("payment");

export const PaymentQuery = Type.Object(
  {
    limit: withDefault(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(
      Type.String({ pattern: idPattern("payment"), description: "nextCursor of the previous page" }),
    ),
    status: Type.Optional(Status),
    franchiseId: Type.Optional(Type.String({ pattern: idPattern("franchise") })),
  },
  { additionalProperties: false },
);

export const PaymentList = Type.Object(
  { items: Type.Array(Payment), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { title: "PaymentList" },
);

export { IdempotencyHeaders };
