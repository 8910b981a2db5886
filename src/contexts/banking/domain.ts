/** Banking's rules: contracts, holder names, firmbanking states and the resolver's backoff. */

// The same words as api.ts, spelled here because the domain imports nothing but the kernel.
type FirmbankingStatus = "REQUESTED" | "SUCCEEDED" | "FAILED" | "UNKNOWN";
type FirmbankingPurpose = "RECHARGE" | "WITHDRAW" | "REMITTANCE" | "SETTLEMENT";

export const contractStatuses = ["ACTIVE", "SUSPENDED"] as const;
export type ContractStatus = (typeof contractStatuses)[number];

export interface BankContract {
  readonly bankCode: string;
  readonly name: string;
  readonly status: ContractStatus;
  readonly contractExpiresAt: Date;
  readonly feePerTransfer: number;
}

export const defaultFeePerTransfer = 500;
const contractTermMs = 365 * 24 * 60 * 60 * 1000;

/** The contract a bank gets when mypay first sees it on the gateway's list. */
export function newContract(bank: { bankCode: string; name: string }, now: Date): BankContract {
  return {
    ...bank,
    status: "ACTIVE",
    contractExpiresAt: new Date(now.getTime() + contractTermMs),
    feePerTransfer: defaultFeePerTransfer,
  };
}

/** Only a bank with an active, unexpired contract can be linked. */
export function contractUsable(contract: BankContract | undefined, now: Date): boolean {
  return contract !== undefined && contract.status === "ACTIVE" && contract.contractExpiresAt > now;
}

/**
 * Names as banks compare them: NFC, any case, no whitespace at all, because banks print Korean
 * names with or without the space ("홍 길동" is "홍길동").
 */
export function nameKey(name: string): string {
  return name.normalize("NFC").toLowerCase().replace(/\s+/gu, "").normalize("NFC");
}

export function holderMatches(bankHolder: string, memberName: string): boolean {
  const key = nameKey(memberName);
  return key.length > 0 && nameKey(bankHolder) === key;
}

export interface AccountAtBank {
  readonly holderName: string;
  readonly status: string;
}

/** Why an account cannot be linked to the member, or undefined when it can. Never names the holder. */
export function accountProblem(
  account: AccountAtBank | undefined,
  memberName: string | undefined,
): string | undefined {
  if (!account) return "the bank has no such account";
  if (account.status !== "ACTIVE") return `the account is ${account.status.toLowerCase()} at the bank`;
  // A payee's account (a remittance to a bank) is anyone's: only the member's own is checked by name.
  if (memberName !== undefined && !holderMatches(account.holderName, memberName))
    return "the account is not held in the member's name";
  return undefined;
}

export const terminalStatuses = ["SUCCEEDED", "FAILED"] as const;
export type TerminalStatus = (typeof terminalStatuses)[number];
/** SQL list of the statuses the resolver still works on (constants, never input). */
export const openStatusesSql = "('REQUESTED', 'UNKNOWN')";

export function isTerminal(status: FirmbankingStatus): status is TerminalStatus {
  return status === "SUCCEEDED" || status === "FAILED";
}

// UNKNOWN → UNKNOWN: another check that got no answer either.
const transitions: Record<FirmbankingStatus, readonly FirmbankingStatus[]> = {
  REQUESTED: ["SUCCEEDED", "FAILED", "UNKNOWN"],
  UNKNOWN: ["SUCCEEDED", "FAILED", "UNKNOWN"],
  SUCCEEDED: [],
  FAILED: [],
};

export function canMove(from: FirmbankingStatus, to: FirmbankingStatus): boolean {
  return transitions[from].includes(to);
}

/**
 * The bank whose contract carries (and charges for) a transfer: the member's or payee's bank, i.e.
 * the side that is not the corporate account.
 */
export function contractBankOf(
  purpose: FirmbankingPurpose,
  from: { bankCode: string },
  to: { bankCode: string },
): string {
  return purpose === "RECHARGE" ? from.bankCode : to.bankCode;
}

export const resolverCapMs = 60_000;
/** Unanswered checks of one request before the resolver stops: about half an hour at the cap. */
export const resolverMaxChecks = 30;

/**
 * When to ask the bank again after `checks` unanswered checks: exponential from baseMs, capped,
 * with "equal jitter" (half fixed, half random) so replicas do not ask in lockstep.
 */
export function nextCheckDelayMs(
  checks: number,
  baseMs: number,
  random: number,
  capMs = resolverCapMs,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(checks, 30));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

/**
 * A REQUESTED row older than this was left by a process that died between storing and calling
 * the bank: a live call has long ended by then (every attempt has a timeout).
 */
export function staleRequestMs(bankTimeoutMs: number, attempts: number): number {
  return Math.max(30_000, bankTimeoutMs * (attempts + 2));
}
