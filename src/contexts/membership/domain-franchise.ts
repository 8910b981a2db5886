import type { Id } from "../../kernel/ids.js";

/** Franchises (가맹점): a merchant's store, its settlement account and its commission rate. */

/** 2%, what a franchise pays until staff change it (API.md). */
export const defaultCommissionBps = 200;
export const commissionBpsRange = { minimum: 0, maximum: 10_000 } as const;

/** 사업자등록번호: ten digits, written 123-45-67890 or without the dashes. */
export const businessNumberPattern = "^[0-9]{3}-?[0-9]{2}-?[0-9]{5}$";

const checkWeights = [1, 3, 7, 1, 3, 7, 1, 3, 5] as const;

/** The number's ten digits, whichever way it was written. */
export function businessNumberDigits(raw: string): string {
  return raw.replaceAll("-", "");
}

/** The tenth digit the National Tax Service's check gives the first nine. */
export function businessNumberCheckDigit(firstNine: string): number {
  const digits = [...firstNine].map(Number);
  const weighted = checkWeights.reduce((sum, w, i) => sum + w * (digits[i] ?? 0), 0);
  // The ninth digit counts once more: the tens of its product with 5.
  const sum = weighted + Math.floor(((digits[8] ?? 0) * 5) / 10);
  return (10 - (sum % 10)) % 10;
}

/** Whether ten digits form a business registration number (its check digit is right). */
export function businessNumberValid(digits: string): boolean {
  return /^[0-9]{10}$/.test(digits) && businessNumberCheckDigit(digits.slice(0, 9)) === Number(digits[9]);
}

/** The way the number is shown: 123-45-67891. */
export function formatBusinessNumber(digits: string): string {
  return `${digits.slice(0, 3)}-${digits.slice(3, 5)}-${digits.slice(5)}`;
}

export function commissionBpsValid(bps: number): boolean {
  return Number.isInteger(bps) && bps >= commissionBpsRange.minimum && bps <= commissionBpsRange.maximum;
}

export const franchiseStatuses = ["ACTIVE"] as const;
export type FranchiseStatus = (typeof franchiseStatuses)[number];

export interface SettlementAccount {
  readonly bankCode: string;
  readonly accountNumber: string;
  /** As the bank printed it when it confirmed the account was the merchant's. */
  readonly holderName: string;
}

export interface Franchise {
  readonly id: Id<"franchise">;
  readonly ownerId: Id<"membership">;
  readonly name: string;
  /** Ten digits, no dashes. */
  readonly businessNumber: string;
  readonly region: string;
  readonly commissionBps: number;
  readonly settlementAccount: SettlementAccount;
  readonly status: FranchiseStatus;
  readonly createdAt: Date;
}

/** One line of a franchise's commission history; the registration is the first, with no previous rate. */
export interface CommissionChange {
  readonly franchiseId: Id<"franchise">;
  readonly commissionBps: number;
  readonly previousBps: number | null;
  readonly changedBy: Id<"membership">;
  readonly changedAt: Date;
}

/** The rate at registration, as the first line of the history. */
export function initialCommission(f: Franchise): CommissionChange {
  return {
    franchiseId: f.id,
    commissionBps: f.commissionBps,
    previousBps: null,
    changedBy: f.ownerId,
    changedAt: f.createdAt,
  };
}

/**
 * A new rate for the franchise and the history line it adds; undefined when the rate is already
 * in force, so that a repeated change is recorded once.
 */
export function changeCommission(
  f: Franchise,
  commissionBps: number,
  changedBy: Id<"membership">,
  now: Date,
): { franchise: Franchise; change: CommissionChange } | undefined {
  if (!commissionBpsValid(commissionBps)) throw new Error(`not a commission rate: ${commissionBps}`);
  if (commissionBps === f.commissionBps) return undefined;
  return {
    franchise: { ...f, commissionBps },
    change: { franchiseId: f.id, commissionBps, previousBps: f.commissionBps, changedBy, changedAt: now },
  };
}

/** A franchise as callers see it: the settlement account only for its owner and staff. */
export interface FranchiseView {
  readonly franchiseId: string;
  readonly ownerId: string;
  readonly name: string;
  readonly businessNumber: string;
  readonly region: string;
  readonly commissionBps: number;
  readonly settlementAccount?: SettlementAccount;
  readonly status: FranchiseStatus;
  readonly createdAt: string;
}

export function toFranchiseView(f: Franchise, showAccount: boolean): FranchiseView {
  return {
    franchiseId: f.id,
    ownerId: f.ownerId,
    name: f.name,
    businessNumber: formatBusinessNumber(f.businessNumber),
    region: f.region,
    commissionBps: f.commissionBps,
    ...(showAccount ? { settlementAccount: f.settlementAccount } : {}),
    status: f.status,
    createdAt: f.createdAt.toISOString(),
  };
}
