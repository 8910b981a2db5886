import { fail, ok, type Result } from "../../kernel/errors.js";
import type { AccountRef } from "./api.js";
import type { BankingDeps } from "./deps.js";
import { type BankContract, newContract } from "./domain.js";
import {
  type ContractChanges,
  claimCorporateAccount,
  findCorporateAccount,
  insertMissingContracts,
  releaseCorporateClaim,
  saveCorporateAccount,
  updateContract,
} from "./store.js";

/** Bank contracts and the corporate account: what banking sets up at first start. */

/** Adds a contract for every bank the gateway lists that mypay does not know yet. */
export async function seedContracts(deps: BankingDeps): Promise<void> {
  const banks = await deps.bank.listBanks();
  const now = deps.clock.now();
  await insertMissingContracts(
    deps.db,
    banks.map((b) => newContract(b, now)),
    now,
  );
}

export async function changeContract(
  deps: BankingDeps,
  bankCode: string,
  changes: ContractChanges,
): Promise<Result<BankContract>> {
  const updated = await updateContract(deps.db, bankCode, changes, deps.clock.now());
  return updated ? ok(updated) : fail("NOT_FOUND", `mypay has no contract with bank ${bankCode}`);
}

export const corporateHolderName = "mypay Corp.";
const claimPollMs = 200;

/**
 * mypay's corporate account: from the configuration, else the one remembered in the database, else
 * opened at the bank now. A claim row lets exactly one of several starting processes open it; the
 * others wait for its number.
 */
export async function ensureCorporateAccount(deps: BankingDeps): Promise<AccountRef> {
  const { config, db, clock } = deps;
  if (config.corporateAccountNumber) {
    return { bankCode: config.corporateBankCode, accountNumber: config.corporateAccountNumber };
  }
  // Long enough for the opening call with its retries; a claim left by a dead process expires.
  const claimMs = config.bankTimeoutMs * 4 + 1_000;
  const giveUpAt = clock.now().getTime() + claimMs * 2;
  for (;;) {
    const known = await findCorporateAccount(db);
    if (known) return known;
    const now = clock.now();
    if (await claimCorporateAccount(db, config.corporateBankCode, now, new Date(now.getTime() + claimMs))) {
      return openCorporateAccount(deps);
    }
    if (now.getTime() > giveUpAt)
      throw new Error("the corporate account is still being opened by another process");
    await new Promise((resolve) => setTimeout(resolve, claimPollMs));
  }
}

async function openCorporateAccount(deps: BankingDeps): Promise<AccountRef> {
  const opened = await deps.bank
    .openAccount(deps.config.corporateBankCode, corporateHolderName)
    .catch(async (error) => {
      await releaseCorporateClaim(deps.db, deps.clock.now());
      throw error;
    });
  const account = { bankCode: opened.bankCode, accountNumber: opened.accountNumber };
  await saveCorporateAccount(deps.db, account, deps.clock.now());
  deps.logger.info({ account }, "opened mypay's corporate account at the bank");
  const saved = await findCorporateAccount(deps.db);
  if (!saved) throw new Error("the corporate account was not saved");
  return saved;
}
