import { type Static, Type } from "@sinclair/typebox";
import { defineContract, type Implementation, maybe, resultOf, shaped } from "../../platform/contract.js";

export {
  type TransferData,
  type TransferSpec,
  type TransferStepDeps,
  transferStep,
} from "./transfer-step.js";

const accountRef = Type.Object({ bankCode: Type.String(), accountNumber: Type.String() });
export type AccountRef = Static<typeof accountRef>;

/** An account the bank confirmed: it exists, is active and is held in the name asked about. */
const verifiedAccount = Type.Object({
  ...accountRef.properties,
  /** The holder's name as the bank prints it. */
  holderName: Type.String(),
});
export type VerifiedAccount = Static<typeof verifiedAccount>;

const linkedAccount = Type.Object({
  ...accountRef.properties,
  bankAccountId: Type.String(),
  membershipId: Type.String(),
  holderName: Type.String(),
});
export type LinkedAccount = Static<typeof linkedAccount>;

const purposes = ["RECHARGE", "WITHDRAW", "REMITTANCE", "SETTLEMENT"] as const;
const purpose = Type.Union(purposes.map((p) => Type.Literal(p)));
export type FirmbankingPurpose = (typeof purposes)[number];
export type FirmbankingStatus = "REQUESTED" | "SUCCEEDED" | "FAILED" | "UNKNOWN";

const won = Type.Integer({ minimum: 0 });

const transferCommand = Type.Object({
  /** Chosen and stored by the caller before it calls: a retry with it never moves money twice. */
  requestId: Type.String(),
  purpose: shaped<FirmbankingPurpose>(purpose),
  /** The member on whose behalf (or the franchise owner), for GET /v1/firmbanking. */
  membershipId: Type.Union([Type.String(), Type.Null()]),
  from: accountRef,
  to: accountRef,
  amount: won,
  /** The business id this transfer serves (rch_…, wdr_…, rem_…, stl_…). */
  reference: Type.String(),
  correlationId: Type.String(),
});
export type TransferCommand = Static<typeof transferCommand>;

const outcome = Type.Object({
  firmbankingId: Type.String(),
  requestId: Type.String(),
  /** UNKNOWN: the bank's answer did not come (timeout, reset, 5xx); resolved later, never guessed. */
  status: shaped<Exclude<FirmbankingStatus, "REQUESTED">>(
    Type.Union([Type.Literal("SUCCEEDED"), Type.Literal("FAILED"), Type.Literal("UNKNOWN")]),
  ),
  reason: Type.Optional(Type.String()),
  fee: won,
});
export type FirmbankingOutcome = Static<typeof outcome>;

/** Published when a firmbanking request reaches SUCCEEDED or FAILED (including after UNKNOWN). */
const firmbankingCompleted = Type.Object({
  firmbankingId: Type.String(),
  requestId: Type.String(),
  purpose: shaped<FirmbankingPurpose>(purpose),
  reference: Type.String(),
  membershipId: Type.Union([Type.String(), Type.Null()]),
  status: shaped<"SUCCEEDED" | "FAILED">(Type.Union([Type.Literal("SUCCEEDED"), Type.Literal("FAILED")])),
  amount: won,
  /** The bank's contracted fee, mypay's expense, charged only on SUCCEEDED. */
  fee: won,
  bankCode: Type.String(),
});
export type FirmbankingCompleted = Static<typeof firmbankingCompleted>;

/** What other contexts may ask of banking, the only code that talks to banks. */
export const bankingContract = defineContract({
  context: "banking",
  operations: {
    /** The member's linked account: the one named, else the newest. NO_LINKED_ACCOUNT when none. */
    linkedAccount: {
      args: [Type.String(), Type.Optional(Type.String())],
      returns: resultOf(linkedAccount),
      errors: ["NO_LINKED_ACCOUNT"],
      retry: true,
    },
    /**
     * Checks an account as a link is checked (a franchise's settlement account): an active contract
     * with its bank (else BANK_NOT_SUPPORTED), and at the bank: exists, ACTIVE, held in `holderName`
     * (else BANK_ACCOUNT_INVALID). Without `holderName` (a payee's account, anyone's) the name is not
     * checked. BANK_UNAVAILABLE when the bank does not answer. Stores nothing.
     */
    verifyAccount: {
      args: [accountRef, Type.Optional(Type.String())],
      returns: resultOf(verifiedAccount),
      errors: ["BANK_NOT_SUPPORTED", "BANK_ACCOUNT_INVALID", "BANK_UNAVAILABLE"],
      retry: true,
    },
    /** mypay's corporate account at the bank. */
    corporateAccount: { args: [], returns: accountRef, errors: [], retry: true },
    /**
     * Orders a transfer. Idempotent on requestId: a repeat returns the stored outcome without calling
     * the bank (an UNKNOWN one is resolved by banking, which publishes FirmbankingCompleted).
     * BANK_UNAVAILABLE (nothing sent) as a failure.
     */
    transfer: {
      args: [transferCommand],
      returns: resultOf(outcome),
      errors: ["BANK_UNAVAILABLE"],
      retry: true,
    },
    /**
     * Call before giving up on a transfer that may have been ordered: when banking has no request with
     * that requestId it stores one as FAILED (reason NOT_SENT), so that no transfer() still on its way
     * can reach the bank; otherwise it answers the stored outcome (UNKNOWN: do not give up yet).
     */
    voidUnsent: { args: [transferCommand], returns: outcome, errors: [], retry: true },
    /** Asks banking to check an open request with the bank afresh (after its checks ran out). */
    recheck: { args: [Type.String()], returns: Type.Boolean(), errors: [], retry: true },
    /** The stored outcome of a request, undefined if banking never saw it. */
    outcome: { args: [Type.String()], returns: maybe(outcome), errors: [], retry: true },
    /** The corporate account's balance as the bank reports it (for reconciliation). */
    corporateBalanceAtBank: {
      args: [],
      returns: resultOf(Type.Integer()),
      errors: ["BANK_UNAVAILABLE"],
      retry: true,
    },
    /** How many firmbanking requests are not yet SUCCEEDED or FAILED. */
    inFlightCount: { args: [], returns: Type.Integer({ minimum: 0 }), errors: [], retry: true },
  },
  events: { FirmbankingCompleted: firmbankingCompleted },
});

export type BankingApi = Implementation<typeof bankingContract> & {
  /** False while a circuit breaker is open: callers fail fast with BANK_UNAVAILABLE and move nothing. */
  available(): boolean;
};

/** The reason of a request voidUnsent stored as FAILED: it never reached the bank. */
export const firmbankingNotSent = "NOT_SENT";

export const bankingEvents = {
  FirmbankingCompleted: "FirmbankingCompleted",
} as const;
