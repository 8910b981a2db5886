import { fail, ok, type Result } from "../kernel/errors.js";
import { type Db, isUniqueViolation, type Queryable } from "../platform/db/db.js";
import type { AccountRef, RefusalReason, TransferCommand, TransferRecord } from "./schemas.js";
import { bankSchema, findAccount } from "./store.js";

export interface TransferOutcome {
  requestId: string;
  status: "SUCCEEDED" | "FAILED";
  reason?: RefusalReason;
}

interface TransferRow {
  [key: string]: unknown;
  request_id: string;
  from_bank_code: string;
  from_account_number: string;
  to_bank_code: string;
  to_account_number: string;
  amount: number;
  status: "SUCCEEDED" | "FAILED";
  reason: RefusalReason | null;
  created_at: Date | string;
}

/** Thrown inside the transaction so that a half-done move (debited, not credited) rolls back. */
class Refusal extends Error {
  constructor(readonly reason: RefusalReason) {
    super(reason);
  }
}

/** Another request with the same id got its row in first. */
class DuplicateRequest extends Error {}

function toRecord(row: TransferRow): TransferRecord {
  return {
    requestId: row.request_id,
    status: row.status,
    ...(row.reason ? { reason: row.reason } : {}),
    amount: row.amount,
    from: { bankCode: row.from_bank_code, accountNumber: row.from_account_number },
    to: { bankCode: row.to_bank_code, accountNumber: row.to_account_number },
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export async function findTransfer(db: Queryable, requestId: string): Promise<TransferRecord | undefined> {
  const rows = await db.query<TransferRow>(`SELECT * FROM ${bankSchema}.transfers WHERE request_id = $1`, [
    requestId,
  ]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

const sameRef = (a: AccountRef, b: AccountRef) =>
  a.bankCode === b.bankCode && a.accountNumber === b.accountNumber;

/** A repeat gets the stored outcome; the same id with another transfer is a caller's bug. */
function replay(stored: TransferRecord, cmd: TransferCommand): Result<TransferOutcome> {
  if (!sameRef(stored.from, cmd.from) || !sameRef(stored.to, cmd.to) || stored.amount !== cmd.amount) {
    return fail("CONFLICT", `requestId ${cmd.requestId} was already used for a different transfer`);
  }
  return ok({
    requestId: stored.requestId,
    status: stored.status,
    ...(stored.reason ? { reason: stored.reason } : {}),
  });
}

async function insertTransfer(db: Queryable, cmd: TransferCommand, reason: RefusalReason | null) {
  return db.query(
    `INSERT INTO ${bankSchema}.transfers
       (request_id, from_bank_code, from_account_number, to_bank_code, to_account_number, amount, status, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (request_id) DO NOTHING RETURNING request_id`,
    [
      cmd.requestId,
      cmd.from.bankCode,
      cmd.from.accountNumber,
      cmd.to.bankCode,
      cmd.to.accountNumber,
      cmd.amount,
      reason ? "FAILED" : "SUCCEEDED",
      reason,
    ],
  );
}

/** Names why an account could not be debited or credited; it decides nothing about money. */
async function whyNot(tx: Queryable, ref: AccountRef): Promise<RefusalReason> {
  const account = await findAccount(tx, ref);
  if (!account) return "ACCOUNT_NOT_FOUND";
  if (account.status !== "ACTIVE") return "ACCOUNT_NOT_ACTIVE";
  return "INSUFFICIENT_FUNDS";
}

const accountKey = (ref: AccountRef) => `${ref.bankCode}:${ref.accountNumber}`;

async function debit(tx: Queryable, { from, amount }: TransferCommand): Promise<void> {
  const rows = await tx.query(
    `UPDATE ${bankSchema}.accounts SET balance = balance - $3
     WHERE bank_code = $1 AND account_number = $2 AND balance >= $3 AND status = 'ACTIVE' RETURNING 1`,
    [from.bankCode, from.accountNumber, amount],
  );
  if (rows.length === 0) throw new Refusal(await whyNot(tx, from));
}

async function credit(tx: Queryable, { to, amount }: TransferCommand): Promise<void> {
  const rows = await tx.query(
    `UPDATE ${bankSchema}.accounts SET balance = balance + $3
     WHERE bank_code = $1 AND account_number = $2 AND status = 'ACTIVE'
       AND balance <= ${Number.MAX_SAFE_INTEGER} - $3 RETURNING 1`,
    [to.bankCode, to.accountNumber, amount],
  );
  if (rows.length > 0) return;
  const reason = await whyNot(tx, to);
  throw new Refusal(reason === "INSUFFICIENT_FUNDS" ? "BALANCE_LIMIT_EXCEEDED" : reason);
}

async function moveMoney(tx: Queryable, cmd: TransferCommand): Promise<void> {
  // The row goes in first: a concurrent duplicate waits on the primary key here, then fails.
  const inserted = await insertTransfer(tx, cmd, null);
  if (inserted.length === 0) throw new DuplicateRequest();
  // Rows are locked in one global order, so transfers in opposite directions never deadlock;
  // a refusal at either step rolls the other back.
  if (accountKey(cmd.from) <= accountKey(cmd.to)) {
    await debit(tx, cmd);
    await credit(tx, cmd);
  } else {
    await credit(tx, cmd);
    await debit(tx, cmd);
  }
}

/** Stores a refusal, unless a concurrent duplicate stored its outcome first. */
async function recordRefusal(db: Db, cmd: TransferCommand, reason: RefusalReason) {
  const inserted = await insertTransfer(db, cmd, reason);
  if (inserted.length > 0) return ok<TransferOutcome>({ requestId: cmd.requestId, status: "FAILED", reason });
  return replayStored(db, cmd);
}

async function replayStored(db: Db, cmd: TransferCommand): Promise<Result<TransferOutcome>> {
  const stored = await findTransfer(db, cmd.requestId);
  if (!stored) throw new Error(`transfer ${cmd.requestId} vanished after a duplicate insert`);
  return replay(stored, cmd);
}

/**
 * Carries out a transfer once per requestId: debit, credit and the transfer row in one transaction.
 * `refuse` is an injected failure: stored as FAILED (REFUSED) with no money moved.
 */
export async function transfer(
  db: Db,
  cmd: TransferCommand,
  options: { refuse: boolean },
): Promise<Result<TransferOutcome>> {
  const stored = await findTransfer(db, cmd.requestId);
  if (stored) return replay(stored, cmd);
  if (options.refuse) return recordRefusal(db, cmd, "REFUSED");
  try {
    await db.tx((tx) => moveMoney(tx, cmd));
    return ok({ requestId: cmd.requestId, status: "SUCCEEDED" });
  } catch (error) {
    if (error instanceof Refusal) return recordRefusal(db, cmd, error.reason);
    if (error instanceof DuplicateRequest || isUniqueViolation(error)) return replayStored(db, cmd);
    throw error;
  }
}
