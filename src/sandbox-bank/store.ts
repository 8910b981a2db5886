import { randomInt } from "node:crypto";
import { type Db, isUniqueViolation, type Queryable } from "../platform/db/db.js";
import type { Account, AccountRef, AccountStatus, BankCode } from "./schemas.js";

/** The schema that holds the sandbox bank's tables. */
export const bankSchema = "sandbox_bank";

interface AccountRow {
  [key: string]: unknown;
  bank_code: string;
  account_number: string;
  holder_name: string;
  balance: number;
  status: AccountStatus;
}

const accountColumns = "bank_code, account_number, holder_name, balance, status";

function toAccount(row: AccountRow): Account {
  return {
    bankCode: row.bank_code,
    accountNumber: row.account_number,
    holderName: row.holder_name,
    balance: row.balance,
    status: row.status,
  };
}

/** Twelve digits, like a real deposit account number; the first is never 0 so it keeps its length. */
function newAccountNumber(): string {
  return String(randomInt(1, 10)) + String(randomInt(0, 1e11)).padStart(11, "0");
}

export async function openAccount(
  db: Db,
  input: { bankCode: BankCode; holderName: string; balance: number },
): Promise<Account> {
  // A clash among 9e11 numbers is rare; a few attempts make it practically impossible.
  for (let attempt = 0; ; attempt++) {
    try {
      const rows = await db.query<AccountRow>(
        `INSERT INTO ${bankSchema}.accounts (bank_code, account_number, holder_name, balance)
         VALUES ($1, $2, $3, $4) RETURNING ${accountColumns}`,
        [input.bankCode, newAccountNumber(), input.holderName, input.balance],
      );
      return toAccount(rows[0]!);
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 4) throw error;
    }
  }
}

export async function findAccount(db: Queryable, ref: AccountRef): Promise<Account | undefined> {
  const rows = await db.query<AccountRow>(
    `SELECT ${accountColumns} FROM ${bankSchema}.accounts WHERE bank_code = $1 AND account_number = $2`,
    [ref.bankCode, ref.accountNumber],
  );
  return rows[0] ? toAccount(rows[0]) : undefined;
}

export async function changeStatus(
  db: Db,
  ref: AccountRef,
  status: AccountStatus,
): Promise<Account | undefined> {
  const rows = await db.query<AccountRow>(
    `UPDATE ${bankSchema}.accounts SET status = $3 WHERE bank_code = $1 AND account_number = $2
     RETURNING ${accountColumns}`,
    [ref.bankCode, ref.accountNumber, status],
  );
  return rows[0] ? toAccount(rows[0]) : undefined;
}
