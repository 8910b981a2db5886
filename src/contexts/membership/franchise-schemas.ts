import { Type } from "@sinclair/typebox";
import { IdParams } from "../../platform/http/params.js";
import { withDefault } from "../../platform/http/validation.js";
import { visibleText } from "./domain.js";
import { businessNumberPattern, commissionBpsRange, franchiseStatuses } from "./domain-franchise.js";

/** The HTTP shapes of franchises and commission (API.md "Franchises (merchants) and commission"). */

const Text = Type.String({
  ...visibleText,
  description: "1–100 characters, no control characters, not blank",
});
const Bps = Type.Integer({ ...commissionBpsRange, description: "Basis points: 200 is 2%" });
const DateTime = Type.String({ format: "date-time" });

const SettlementAccountRef = Type.Object(
  {
    bankCode: Type.String({ pattern: "^[0-9]{3}$", description: "Three-digit bank code" }),
    accountNumber: Type.String({ pattern: "^[0-9]{1,32}$", description: "Digits only" }),
  },
  {
    additionalProperties: false,
    description: "Held in the merchant's name at a contracted bank; checked with the bank",
  },
);

export const FranchiseRegistration = Type.Object(
  {
    name: Text,
    businessNumber: Type.String({
      pattern: businessNumberPattern,
      description: "사업자등록번호: 10 digits, dashes optional (123-45-67891); the check digit must match",
      examples: ["123-45-67891"],
    }),
    region: Text,
    settlementAccount: SettlementAccountRef,
  },
  { additionalProperties: false, title: "FranchiseRegistration" },
);

export const Franchise = Type.Object(
  {
    franchiseId: Type.String({ description: "fra_…" }),
    ownerId: Type.String({ description: "The merchant's membershipId" }),
    name: Type.String(),
    businessNumber: Type.String({ description: "123-45-67891" }),
    region: Type.String(),
    commissionBps: Bps,
    settlementAccount: Type.Optional(
      Type.Object(
        { bankCode: Type.String(), accountNumber: Type.String(), holderName: Type.String() },
        { description: "Only for the owner and staff" },
      ),
    ),
    status: Type.Union(franchiseStatuses.map((s) => Type.Literal(s))),
    createdAt: DateTime,
  },
  { title: "Franchise" },
);

export const FranchiseParams = IdParams("franchise");

const limit = withDefault(Type.Integer({ minimum: 1, maximum: 100, default: 20 }));

export const FranchiseQuery = Type.Object(
  {
    limit,
    cursor: Type.Optional(
      Type.String({ pattern: "^fra_[0-9a-f]{32}$", description: "nextCursor of the previous page" }),
    ),
    ownerId: Type.Optional(
      Type.String({ pattern: "^mem_[0-9a-f]{32}$", description: "staff: one merchant's franchises" }),
    ),
  },
  { additionalProperties: false },
);

export const FranchiseList = Type.Object(
  { items: Type.Array(Franchise), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { title: "FranchiseList" },
);

export const CommissionBody = Type.Object(
  { commissionBps: Bps },
  { additionalProperties: false, title: "CommissionChange" },
);

export const CommissionHistoryQuery = Type.Object(
  {
    limit,
    cursor: Type.Optional(
      Type.String({ pattern: "^[0-9]{1,18}$", description: "nextCursor of the previous page" }),
    ),
  },
  { additionalProperties: false },
);

export const CommissionHistory = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        commissionBps: Bps,
        previousBps: Type.Union([Bps, Type.Null()], { description: "null for the rate at registration" }),
        changedBy: Type.String({ description: "The membershipId of who set it" }),
        changedAt: DateTime,
      }),
    ),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { title: "CommissionHistory" },
);
