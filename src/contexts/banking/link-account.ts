import { fail, ok, type Result } from "../../kernel/errors.js";
import { newId } from "../../kernel/ids.js";
import type { AccountRef, LinkedAccount, VerifiedAccount } from "./api.js";
import { isNoAnswer } from "./bank-port.js";
import type { BankingDeps } from "./deps.js";
import { accountProblem, contractUsable } from "./domain.js";
import {
  type BankAccountLink,
  findContract,
  findLiveLink,
  findOwnLink,
  insertLink,
  listLinks,
  markUnlinked,
} from "./store.js";

/** Linking a member's own bank account after the bank confirms it, listing and unlinking. */

export interface Linked {
  readonly link: BankAccountLink;
  /** False when the account was already linked: the existing link is returned. */
  readonly created: boolean;
}

const unavailable = <T>(): Result<T> =>
  fail("BANK_UNAVAILABLE", "the bank cannot be reached now; try again shortly");

/** Asks the bank that the account exists, is active and is held in the member's name. */
async function verifyAtBank(
  deps: BankingDeps,
  ref: AccountRef,
  memberName: string | undefined,
): Promise<Result<string>> {
  if (!deps.bank.available()) return unavailable();
  try {
    const account = await deps.bank.getAccount(ref);
    const problem = accountProblem(account, memberName);
    if (problem || !account) return fail("BANK_ACCOUNT_INVALID", problem ?? "the bank has no such account");
    return ok(account.holderName);
  } catch (error) {
    if (isNoAnswer(error)) return unavailable();
    throw error;
  }
}

/** An active contract with the account's bank, then the bank's check of the account (verifyAtBank). */
export async function verifyAccount(
  deps: BankingDeps,
  ref: AccountRef,
  holderName: string | undefined,
): Promise<Result<VerifiedAccount>> {
  const contract = await findContract(deps.db, ref.bankCode);
  if (!contractUsable(contract, deps.clock.now())) {
    return fail("BANK_NOT_SUPPORTED", `mypay has no active firmbanking contract with bank ${ref.bankCode}`);
  }
  const verified = await verifyAtBank(deps, ref, holderName);
  if (!verified.ok) return verified;
  return ok({ bankCode: ref.bankCode, accountNumber: ref.accountNumber, holderName: verified.value });
}

/**
 * Links an account once the contract and the bank allow it. Linking an account the member has
 * linked already returns that link (created: false) rather than a conflict: a retried request is
 * answered the same way.
 */
export async function linkAccount(
  deps: BankingDeps,
  membershipId: string,
  ref: AccountRef,
): Promise<Result<Linked>> {
  const name = await deps.memberName(membershipId);
  if (name === undefined) return fail("NOT_FOUND", `no membership ${membershipId}`);
  const verified = await verifyAccount(deps, ref, name);
  if (!verified.ok) return verified;
  const link: BankAccountLink = {
    id: newId("bankAccount"),
    membershipId,
    bankCode: ref.bankCode,
    accountNumber: ref.accountNumber,
    holderName: verified.value.holderName,
    status: "LINKED",
    linkedAt: deps.clock.now(),
  };
  const inserted = await insertLink(deps.db, link);
  if (inserted) return ok({ link: inserted, created: true });
  const existing = await findLiveLink(deps.db, membershipId, ref);
  if (!existing) throw new Error("a live link was neither inserted nor found");
  return ok({ link: existing, created: false });
}

export async function listAccounts(
  deps: BankingDeps,
  membershipId: string,
  page: { before?: string | undefined; limit: number },
): Promise<BankAccountLink[]> {
  return listLinks(deps.db, membershipId, page);
}

/** Unlinks the member's own account; another member's or an unknown id is NOT_FOUND alike. */
export async function unlinkAccount(
  deps: BankingDeps,
  membershipId: string,
  id: string,
): Promise<Result<void>> {
  const link = await findOwnLink(deps.db, membershipId, id);
  if (!link) return fail("NOT_FOUND", `no bank account ${id}`);
  // Already unlinked: a repeated DELETE is answered as the first.
  await markUnlinked(deps.db, link.id, deps.clock.now());
  return ok(undefined);
}

/** The linked account a recharge or withdrawal uses: the one named, else the newest. */
export async function linkedAccount(
  deps: BankingDeps,
  membershipId: string,
  bankAccountId?: string,
): Promise<Result<LinkedAccount>> {
  const [link] = await listLinks(deps.db, membershipId, { limit: 1, id: bankAccountId });
  if (!link) {
    const which = bankAccountId
      ? `the bank account ${bankAccountId} is not linked`
      : "no bank account is linked";
    return fail("NO_LINKED_ACCOUNT", which);
  }
  return ok({
    bankAccountId: link.id,
    membershipId: link.membershipId,
    bankCode: link.bankCode,
    accountNumber: link.accountNumber,
    holderName: link.holderName,
  });
}
