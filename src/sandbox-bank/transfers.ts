import { fail, ok, type Result } from "../kernel/errors.js";
import type { AccountRef, RefusalReason, TransferCommand, TransferRecord } from "./schemas.js";
import type { BankStore } from "./store.js";

export interface TransferOutcome {
  requestId: string;
  status: "SUCCEEDED" | "FAILED";
  reason?: RefusalReason;
}

export async function findTransfer(store: BankStore, requestId: string): Promise<TransferRecord | undefined> {
  await store.settled();
  return store.transfer(requestId);
}

const sameRef = (a: AccountRef, b: AccountRef) =>
  a.bankCode === b.bankCode && a.accountNumber === b.accountNumber;

/** A repeat gets the stored outcome; the same id with another transfer is a caller's bug. */
function replay(stored: TransferRecord, cmd: TransferCommand): Result<TransferOutcome> {
  if (!sameRef(stored.from, cmd.from) || !sameRef(stored.to, cmd.to) || stored.amount !== cmd.amount) {
    return fail("CONFLICT", `requestId ${cmd.requestId} was already used for a different transfer`);
  }
  return ok(outcome(stored));
}

const outcome = (t: TransferRecord): TransferOutcome => ({
  requestId: t.requestId,
  status: t.status,
  ...(t.reason ? { reason: t.reason } : {}),
});

/** Why the money cannot move, if it cannot: the payer's side is judged first. */
function refusal(store: BankStore, { from, to, amount }: TransferCommand): RefusalReason | undefined {
  const payer = store.account(from);
  if (!payer) return "ACCOUNT_NOT_FOUND";
  if (payer.status !== "ACTIVE") return "ACCOUNT_NOT_ACTIVE";
  if (payer.balance < amount) return "INSUFFICIENT_FUNDS";
  const payee = store.account(to);
  if (!payee) return "ACCOUNT_NOT_FOUND";
  if (payee.status !== "ACTIVE") return "ACCOUNT_NOT_ACTIVE";
  // A payer paying itself ends where it started; anyone else must stay a safe integer.
  if (!sameRef(from, to) && payee.balance > Number.MAX_SAFE_INTEGER - amount) return "BALANCE_LIMIT_EXCEEDED";
  return undefined;
}

/**
 * Carries out a transfer once per requestId: the check, the debit, the credit and the stored outcome
 * are one synchronous step, so a concurrent copy sees either nothing or the whole of it. `refuse` is
 * an injected failure: stored as FAILED (REFUSED) with no money moved. Answered once on disk.
 */
export async function transfer(
  store: BankStore,
  cmd: TransferCommand,
  options: { refuse: boolean },
): Promise<Result<TransferOutcome>> {
  const stored = store.transfer(cmd.requestId);
  if (stored) {
    // The first copy may still be on its way to disk: its outcome is not given before it is there.
    await store.settled();
    return replay(stored, cmd);
  }
  const reason = options.refuse ? "REFUSED" : refusal(store, cmd);
  const record: TransferRecord = {
    requestId: cmd.requestId,
    status: reason ? "FAILED" : "SUCCEEDED",
    ...(reason ? { reason } : {}),
    amount: cmd.amount,
    from: { bankCode: cmd.from.bankCode, accountNumber: cmd.from.accountNumber },
    to: { bankCode: cmd.to.bankCode, accountNumber: cmd.to.accountNumber },
    createdAt: new Date().toISOString(),
  };
  await store.record({ op: "transfer", transfer: record });
  return ok(outcome(record));
}
