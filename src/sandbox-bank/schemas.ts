import { type Static, Type } from "@sinclair/typebox";

/** The banks the sandbox plays (API.md "The sandbox bank"). */
export const banks = [
  { bankCode: "004", name: "KB Kookmin Bank" },
  { bankCode: "088", name: "Shinhan Bank" },
  { bankCode: "020", name: "Woori Bank" },
  { bankCode: "081", name: "Hana Bank" },
  { bankCode: "090", name: "Kakao Bank" },
] as const;

export type BankCode = (typeof banks)[number]["bankCode"];

export const Won = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: "Won" });

// Any three digits: a transfer naming a bank we do not play is refused as ACCOUNT_NOT_FOUND, as a
// real gateway would, rather than rejected as malformed.
export const BankCodeText = Type.String({ pattern: "^[0-9]{3}$", description: "Three-digit bank code" });
export const KnownBankCode = Type.Unsafe<BankCode>({
  type: "string",
  enum: banks.map((b) => b.bankCode),
  description: "One of the codes GET /banks lists",
});
export const AccountNumber = Type.String({ pattern: "^[0-9]{1,32}$", description: "Digits only" });
// No '/' so that the id can sit in GET /transfers/{requestId}.
export const RequestId = Type.String({ pattern: "^[A-Za-z0-9._:-]{1,128}$" });

export const AccountStatus = Type.Union([
  Type.Literal("ACTIVE"),
  Type.Literal("FROZEN"),
  Type.Literal("CLOSED"),
]);
export type AccountStatus = Static<typeof AccountStatus>;

export const BankList = Type.Object({
  items: Type.Array(Type.Object({ bankCode: Type.String(), name: Type.String() })),
});

export const OpenAccountBody = Type.Object(
  {
    bankCode: KnownBankCode,
    holderName: Type.String({ minLength: 1, maxLength: 100 }),
    balance: Type.Optional(
      Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: "Opening balance in won" }),
    ),
  },
  { additionalProperties: false },
);

export const Account = Type.Object({
  bankCode: Type.String(),
  accountNumber: Type.String(),
  holderName: Type.String(),
  balance: Type.Integer(),
  status: AccountStatus,
});
export type Account = Static<typeof Account>;

export const AccountParams = Type.Object({ bankCode: BankCodeText, accountNumber: AccountNumber });
export const ChangeStatusBody = Type.Object({ status: AccountStatus }, { additionalProperties: false });

export const AccountRef = Type.Object(
  { bankCode: BankCodeText, accountNumber: AccountNumber },
  { additionalProperties: false },
);
export type AccountRef = Static<typeof AccountRef>;

export const TransferBody = Type.Object(
  { requestId: RequestId, from: AccountRef, to: AccountRef, amount: Won },
  { additionalProperties: false },
);
export type TransferCommand = Static<typeof TransferBody>;

export const refusalReasons = [
  "INSUFFICIENT_FUNDS",
  "ACCOUNT_NOT_FOUND",
  "ACCOUNT_NOT_ACTIVE",
  "BALANCE_LIMIT_EXCEEDED",
  "REFUSED",
] as const;
export type RefusalReason = (typeof refusalReasons)[number];

const TransferStatus = Type.Union([Type.Literal("SUCCEEDED"), Type.Literal("FAILED")]);
const Reason = Type.Optional(Type.Union(refusalReasons.map((r) => Type.Literal(r))));

export const TransferResult = Type.Object({
  requestId: Type.String(),
  status: TransferStatus,
  reason: Reason,
});

export const TransferRecord = Type.Object({
  requestId: Type.String(),
  status: TransferStatus,
  reason: Reason,
  amount: Type.Integer(),
  from: Type.Object({ bankCode: Type.String(), accountNumber: Type.String() }),
  to: Type.Object({ bankCode: Type.String(), accountNumber: Type.String() }),
  createdAt: Type.String({ format: "date-time" }),
});
export type TransferRecord = Static<typeof TransferRecord>;

export const TransferParams = Type.Object({ requestId: RequestId });

const Rate = Type.Number({ minimum: 0, maximum: 1 });

export const FaultsBody = Type.Object(
  {
    failureRate: Type.Optional(Rate),
    timeoutRate: Type.Optional(Rate),
    latencyMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
    down: Type.Optional(Type.Boolean()),
    timeoutHoldMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
  },
  {
    additionalProperties: false,
    description: "The complete fault settings: a field left out goes back to its default (no fault)",
  },
);

export const Faults = Type.Object({
  failureRate: Rate,
  timeoutRate: Rate,
  latencyMs: Type.Integer(),
  down: Type.Boolean(),
  timeoutHoldMs: Type.Integer(),
});
export type Faults = Static<typeof Faults>;
