import { type Static, Type } from "@sinclair/typebox";
import { IdParams } from "../../platform/http/params.js";
import { withDefault } from "../../platform/http/validation.js";
import type { BankContract } from "./domain.js";
import type { Firmbanking } from "./firmbanking-store.js";
import type { BankAccountLink } from "./store.js";

/** The HTTP shapes of banking's routes (API.md "Banks and linked bank accounts"). */

const DateTime = Type.String({ format: "date-time" });
export const BankCode = Type.String({ pattern: "^[0-9]{3}$", description: "Three-digit bank code" });
const AccountNumber = Type.String({ pattern: "^[0-9]{1,32}$", description: "Digits only" });
const Won = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: "Won" });

export const Bank = Type.Object(
  {
    bankCode: Type.String(),
    name: Type.String(),
    status: Type.Union([Type.Literal("ACTIVE"), Type.Literal("SUSPENDED")]),
    contractExpiresAt: DateTime,
    feePerTransfer: Won,
  },
  { title: "Bank" },
);
export const BankList = Type.Object({ items: Type.Array(Bank) }, { title: "BankList" });

export const BankParams = Type.Object({ bankCode: BankCode });
export const ChangeBankBody = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal("ACTIVE"), Type.Literal("SUSPENDED")])),
    contractExpiresAt: Type.Optional(DateTime),
    feePerTransfer: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: "Won" })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type ChangeBankBody = Static<typeof ChangeBankBody>;

export const LinkBody = Type.Object(
  { bankCode: BankCode, accountNumber: AccountNumber },
  { additionalProperties: false },
);

export const BankAccount = Type.Object(
  {
    bankAccountId: Type.String(),
    membershipId: Type.String(),
    bankCode: Type.String(),
    accountNumber: Type.String(),
    holderName: Type.String(),
    status: Type.Union([Type.Literal("LINKED"), Type.Literal("UNLINKED")]),
    linkedAt: DateTime,
  },
  { title: "BankAccount" },
);
export const BankAccountParams = IdParams("bankAccount");

const cursor = (prefix: string) =>
  Type.Optional(
    Type.String({ pattern: `^${prefix}_[0-9a-f]{32}$`, description: "nextCursor of the previous page" }),
  );
const limit = withDefault(Type.Integer({ minimum: 1, maximum: 100, default: 20 }));
export const BankAccountQuery = Type.Object(
  { limit, cursor: cursor("bac") },
  { additionalProperties: false },
);
export const BankAccountList = Type.Object(
  { items: Type.Array(BankAccount), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { title: "BankAccountList" },
);

const Ref = Type.Object({ bankCode: Type.String(), accountNumber: Type.String() });
export const FirmbankingItem = Type.Object(
  {
    firmbankingId: Type.String(),
    purpose: Type.Union(["RECHARGE", "WITHDRAW", "REMITTANCE", "SETTLEMENT"].map((p) => Type.Literal(p))),
    from: Ref,
    to: Ref,
    amount: Won,
    fee: Won,
    status: Type.Union(["REQUESTED", "SUCCEEDED", "FAILED", "UNKNOWN"].map((s) => Type.Literal(s))),
    reason: Type.Union([Type.String(), Type.Null()], { description: "Why the bank refused it, when FAILED" }),
    createdAt: DateTime,
    completedAt: Type.Union([DateTime, Type.Null()]),
  },
  { title: "Firmbanking" },
);
export const FirmbankingQuery = Type.Object(
  {
    limit,
    cursor: cursor("fbk"),
    membershipId: Type.Optional(Type.String({ pattern: "^mem_[0-9a-f]{32}$", description: "staff only" })),
  },
  { additionalProperties: false },
);
export const FirmbankingList = Type.Object(
  { items: Type.Array(FirmbankingItem), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { title: "FirmbankingList" },
);

export const bankView = (c: BankContract) => ({
  bankCode: c.bankCode,
  name: c.name,
  status: c.status,
  contractExpiresAt: c.contractExpiresAt.toISOString(),
  feePerTransfer: c.feePerTransfer,
});

export const bankAccountView = (l: BankAccountLink) => ({
  bankAccountId: l.id,
  membershipId: l.membershipId,
  bankCode: l.bankCode,
  accountNumber: l.accountNumber,
  holderName: l.holderName,
  status: l.status,
  linkedAt: l.linkedAt.toISOString(),
});

export const firmbankingView = (f: Firmbanking) => ({
  firmbankingId: f.id,
  purpose: f.purpose,
  from: f.from,
  to: f.to,
  amount: f.amount,
  fee: f.fee,
  status: f.status,
  reason: f.reason,
  createdAt: f.createdAt.toISOString(),
  completedAt: f.completedAt?.toISOString() ?? null,
});

export { pageOf as page } from "../../platform/http/shapes.js";
