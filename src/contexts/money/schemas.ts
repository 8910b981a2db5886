import { type Static, Type } from "@sinclair/typebox";
import { IdempotencyHeaders, WonAmount } from "../../platform/http/shapes.js";
import { withDefault } from "../../platform/http/validation.js";
import { historyCursorPattern } from "./ledger.js";

/** The money context's HTTP schemas (API.md "Money", "Administration"). */

export const Won = WonAmount;

const bankAccountId = Type.String({
  pattern: "^bac_[0-9a-f]{32}$",
  description: "a linked account (default: the newest)",
});

export const MoveBody = (max: number) =>
  Type.Object(
    { amount: Won(max), bankAccountId: Type.Optional(bankAccountId) },
    { additionalProperties: false },
  );
export type MoveBody = Static<ReturnType<typeof MoveBody>>;

const status = Type.Union([Type.Literal("PENDING"), Type.Literal("SUCCEEDED"), Type.Literal("FAILED")]);

/** One meaning wherever a move is shown (its POST's answer and its GET): API.md "Money". */
const balanceAfter = Type.Union([Type.Integer(), Type.Null()], {
  description: "the member's money balance right after this move; null while PENDING",
});

export const Recharge = Type.Object(
  {
    rechargeId: Type.String(),
    amount: Type.Integer(),
    status,
    balance: balanceAfter,
  },
  { title: "Recharge" },
);

export const Withdrawal = Type.Object(
  {
    withdrawalId: Type.String(),
    amount: Type.Integer(),
    status,
    balance: balanceAfter,
  },
  { title: "Withdrawal" },
);

export const MyMoney = Type.Object(
  {
    membershipId: Type.String(),
    balance: Type.Integer(),
    points: Type.Integer(),
    updatedAt: Type.String({ format: "date-time" }),
  },
  { title: "MyMoney" },
);

export const HistoryQuery = Type.Object(
  {
    limit: withDefault(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(
      Type.String({ pattern: historyCursorPattern, description: "nextCursor of the previous page" }),
    ),
  },
  { additionalProperties: false },
);

export const History = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        entryId: Type.String(),
        kind: Type.Union(
          ["RECHARGE", "WITHDRAW", "REMITTANCE_OUT", "REMITTANCE_IN", "PAYMENT", "PAYMENT_CANCEL", "FEE"].map(
            (k) => Type.Literal(k),
          ),
        ),
        amount: Type.Integer({ description: "signed: + into the member's money, − out of it" }),
        balanceAfter: Type.Integer(),
        reference: Type.String(),
        createdAt: Type.String({ format: "date-time" }),
      }),
    ),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { title: "History" },
);

export const Points = Type.Object(
  {
    membershipId: Type.String(),
    points: Type.Integer({ description: "1 point pays 1 won at any franchise" }),
    history: Type.Array(
      Type.Object({
        entryId: Type.String(),
        kind: Type.Union(
          ["EARNED", "USED", "RETURNED", "TAKEN_BACK", "EXPIRED"].map((k) => Type.Literal(k)),
          {
            description:
              "EARNED by a payment; USED to pay; RETURNED (used points) or TAKEN_BACK (earned ones) by a cancel; EXPIRED on leaving",
          },
        ),
        amount: Type.Integer({ description: "signed: + to the member's points, − from them" }),
        balanceAfter: Type.Integer(),
        reference: Type.String({ description: "the payment (pay_…) or, for EXPIRED, the membership" }),
        createdAt: Type.String({ format: "date-time" }),
      }),
    ),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: "pass as ?cursor= for older history",
    }),
  },
  { title: "Points" },
);

export const IdParams = (prefix: string) =>
  Type.Object({ id: Type.String({ pattern: `^${prefix}_[0-9a-f]{32}$` }) }, { additionalProperties: false });

export const TrialBalance = Type.Object(
  {
    accounts: Type.Array(
      Type.Object({
        account: Type.String(),
        currency: Type.String(),
        debit: Type.Integer(),
        credit: Type.Integer(),
        balance: Type.Integer(),
      }),
    ),
    totalDebit: Type.Integer(),
    totalCredit: Type.Integer(),
  },
  { title: "TrialBalance" },
);

export const Reconciliation = Type.Object(
  {
    bankBalance: Type.Integer({ description: "the corporate account's balance, as the bank reports it" }),
    ledgerBalance: Type.Integer({ description: "corporate cash in the ledger" }),
    difference: Type.Integer({ description: "bankBalance − ledgerBalance" }),
    ok: Type.Boolean(),
    inFlight: Type.Integer({ description: "firmbanking requests not yet SUCCEEDED or FAILED" }),
    customerFunds: Type.Integer({
      description: "what mypay owes its customers: member money + franchise payables + money in transit",
    }),
    safeguarded: Type.Boolean({ description: "corporate cash in the ledger covers the customer funds" }),
  },
  { title: "Reconciliation" },
);

export { IdempotencyHeaders };
