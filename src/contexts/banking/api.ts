import type { Result } from "../../kernel/errors.js";

/** What other contexts may ask of banking, the only code that talks to banks. */

export {
  type TransferData,
  type TransferSpec,
  type TransferStepDeps,
  transferStep,
} from "./transfer-step.js";

export interface AccountRef {
  readonly bankCode: string;
  readonly accountNumber: string;
}

/** An account the bank confirmed: it exists, is active and is held in the name asked about. */
export interface VerifiedAccount extends AccountRef {
  /** The holder's name as the bank prints it. */
  readonly holderName: string;
}

export interface LinkedAccount extends AccountRef {
  readonly bankAccountId: string;
  readonly membershipId: string;
  readonly holderName: string;
}

export type FirmbankingPurpose = "RECHARGE" | "WITHDRAW" | "REMITTANCE" | "SETTLEMENT";
export type FirmbankingStatus = "REQUESTED" | "SUCCEEDED" | "FAILED" | "UNKNOWN";

export interface TransferCommand {
  /** Chosen and stored by the caller before it calls: a retry with it never moves money twice. */
  readonly requestId: string;
  readonly purpose: FirmbankingPurpose;
  /** The member on whose behalf (or the franchise owner), for GET /v1/firmbanking. */
  readonly membershipId: string | null;
  readonly from: AccountRef;
  readonly to: AccountRef;
  readonly amount: number;
  /** The business id this transfer serves (rch_…, wdr_…, rem_…, stl_…). */
  readonly reference: string;
  readonly correlationId: string;
}

export interface FirmbankingOutcome {
  readonly firmbankingId: string;
  readonly requestId: string;
  /** UNKNOWN: the bank's answer did not come (timeout, reset, 5xx); resolved later, never guessed. */
  readonly status: Exclude<FirmbankingStatus, "REQUESTED">;
  readonly reason?: string;
  readonly fee: number;
}

export interface BankingApi {
  /** The member's linked account: the one named, else the newest. NO_LINKED_ACCOUNT when none. */
  linkedAccount(membershipId: string, bankAccountId?: string): Promise<Result<LinkedAccount>>;
  /**
   * Checks an account as a link is checked (a franchise's settlement account): an active contract
   * with its bank (else BANK_NOT_SUPPORTED), and at the bank: exists, ACTIVE, held in `holderName`
   * (else BANK_ACCOUNT_INVALID). Without `holderName` (a payee's account, anyone's) the name is not
   * checked. BANK_UNAVAILABLE when the bank does not answer. Stores nothing.
   */
  verifyAccount(ref: AccountRef, holderName?: string): Promise<Result<VerifiedAccount>>;
  /** mypay's corporate account at the bank. */
  corporateAccount(): Promise<AccountRef>;
  /** False while the circuit breaker is open: callers fail fast with BANK_UNAVAILABLE and move nothing. */
  available(): boolean;
  /**
   * Orders a transfer. Idempotent on requestId: a repeat returns the stored outcome without calling
   * the bank (an UNKNOWN one is resolved by banking, which publishes FirmbankingCompleted).
   * BANK_UNAVAILABLE (nothing sent) as a failure.
   */
  transfer(command: TransferCommand): Promise<Result<FirmbankingOutcome>>;
  /**
   * Call before giving up on a transfer that may have been ordered: when banking has no request with
   * that requestId it stores one as FAILED (reason NOT_SENT), so that no transfer() still on its way
   * can reach the bank; otherwise it answers the stored outcome (UNKNOWN: do not give up yet).
   */
  voidUnsent(command: TransferCommand): Promise<FirmbankingOutcome>;
  /** Asks banking to check an open request with the bank afresh (after its checks ran out). */
  recheck(requestId: string): Promise<boolean>;
  /** The stored outcome of a request, undefined if banking never saw it. */
  outcome(requestId: string): Promise<FirmbankingOutcome | undefined>;
  /** The corporate account's balance as the bank reports it (for reconciliation). */
  corporateBalanceAtBank(): Promise<Result<number>>;
  /** How many firmbanking requests are not yet SUCCEEDED or FAILED. */
  inFlightCount(): Promise<number>;
}

/** Published when a firmbanking request reaches SUCCEEDED or FAILED (including after UNKNOWN). */
export interface FirmbankingCompleted {
  readonly firmbankingId: string;
  readonly requestId: string;
  readonly purpose: FirmbankingPurpose;
  readonly reference: string;
  readonly membershipId: string | null;
  readonly status: "SUCCEEDED" | "FAILED";
  readonly amount: number;
  /** The bank's contracted fee, mypay's expense, charged only on SUCCEEDED. */
  readonly fee: number;
  readonly bankCode: string;
}

/** The reason of a request voidUnsent stored as FAILED: it never reached the bank. */
export const firmbankingNotSent = "NOT_SENT";

export const bankingEvents = {
  FirmbankingCompleted: "FirmbankingCompleted",
} as const;
