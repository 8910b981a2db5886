import { randomInt } from "node:crypto";
import type { Journal } from "./journal.js";
import type { Account, AccountRef, AccountStatus, BankCode, TransferRecord } from "./schemas.js";

/** One change, as the journal keeps it; replaying them in order rebuilds the bank. */
export type BankEntry =
  | { op: "open"; account: Account }
  | { op: "status"; bankCode: string; accountNumber: string; status: AccountStatus }
  | { op: "transfer"; transfer: TransferRecord };

const accountKey = (ref: AccountRef) => `${ref.bankCode}:${ref.accountNumber}`;

/**
 * The bank's accounts and transfers, in memory and journaled. A change is applied and journaled in
 * one synchronous step, so debit, credit and the transfer's record can never be seen half done; its
 * caller answers only after `record` resolves, when the change is on disk.
 */
export class BankStore {
  private readonly accountsByKey = new Map<string, Account>();
  private readonly transfersById = new Map<string, TransferRecord>();

  constructor(private readonly journal: Journal) {}

  /** Rebuilds the state from the journal's entries, oldest first. */
  replay(entries: readonly unknown[]) {
    for (const entry of entries) this.apply(entry as BankEntry);
  }

  /** Applies a change now and resolves once it is durable. */
  record(entry: BankEntry): Promise<void> {
    this.apply(entry);
    this.journal.append(entry);
    return this.journal.durable();
  }

  /**
   * Resolves once every change made so far is durable: a read waits for it, so nothing it shows can
   * be lost in a crash after the answer.
   */
  settled(): Promise<void> {
    return this.journal.durable();
  }

  account(ref: AccountRef): Account | undefined {
    const account = this.accountsByKey.get(accountKey(ref));
    return account ? { ...account } : undefined;
  }

  transfer(requestId: string): TransferRecord | undefined {
    return this.transfersById.get(requestId);
  }

  /** Every account, for tests that count what was opened. */
  accounts(): Account[] {
    return [...this.accountsByKey.values()].map((a) => ({ ...a }));
  }

  close(): Promise<void> {
    return this.journal.close();
  }

  private apply(entry: BankEntry) {
    switch (entry.op) {
      case "open":
        this.accountsByKey.set(accountKey(entry.account), { ...entry.account });
        return;
      case "status":
        this.mustFind(entry).status = entry.status;
        return;
      case "transfer": {
        const t = entry.transfer;
        this.transfersById.set(t.requestId, t);
        if (t.status !== "SUCCEEDED") return;
        this.mustFind(t.from).balance -= t.amount;
        this.mustFind(t.to).balance += t.amount;
        return;
      }
      default:
        throw new Error(`unknown sandbox bank entry ${JSON.stringify(entry)}`);
    }
  }

  private mustFind(ref: AccountRef): Account {
    const account = this.accountsByKey.get(accountKey(ref));
    if (!account) throw new Error(`the sandbox bank's journal names an unknown account ${accountKey(ref)}`);
    return account;
  }
}

/** Twelve digits, like a real deposit account number; the first is never 0 so it keeps its length. */
function newAccountNumber(): string {
  return String(randomInt(1, 10)) + String(randomInt(0, 1e11)).padStart(11, "0");
}

export async function openAccount(
  store: BankStore,
  input: { bankCode: BankCode; holderName: string; balance: number },
): Promise<Account> {
  let accountNumber = newAccountNumber();
  while (store.account({ bankCode: input.bankCode, accountNumber })) accountNumber = newAccountNumber();
  const account: Account = { ...input, accountNumber, status: "ACTIVE" };
  await store.record({ op: "open", account });
  return { ...account };
}

export async function findAccount(store: BankStore, ref: AccountRef): Promise<Account | undefined> {
  await store.settled();
  return store.account(ref);
}

export async function changeStatus(
  store: BankStore,
  ref: AccountRef,
  status: AccountStatus,
): Promise<Account | undefined> {
  if (!store.account(ref)) {
    await store.settled();
    return undefined;
  }
  const durable = store.record({
    op: "status",
    bankCode: ref.bankCode,
    accountNumber: ref.accountNumber,
    status,
  });
  const changed = store.account(ref);
  await durable;
  return changed;
}
