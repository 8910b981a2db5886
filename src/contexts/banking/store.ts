import type { Queryable } from "../../platform/db/db.js";
import type { AccountRef } from "./api.js";
import type { BankContract, ContractStatus } from "./domain.js";

/** SQL for bank contracts, linked bank accounts and the corporate account (schema "banking"). */

export const bankingSchema = "banking";

type ContractRow = {
  bank_code: string;
  name: string;
  status: ContractStatus;
  contract_expires_at: Date | string;
  fee_per_transfer: number;
};

const toContract = (r: ContractRow): BankContract => ({
  bankCode: r.bank_code,
  name: r.name,
  status: r.status,
  contractExpiresAt: new Date(r.contract_expires_at),
  feePerTransfer: r.fee_per_transfer,
});

/** Inserts the contracts of banks not yet known; existing ones keep their terms. */
export async function insertMissingContracts(q: Queryable, contracts: readonly BankContract[], now: Date) {
  await q.query(
    `INSERT INTO banking.bank_contracts (bank_code, name, status, contract_expires_at, fee_per_transfer, updated_at)
     SELECT c.bank_code, c.name, c.status, c.contract_expires_at, c.fee_per_transfer, $2
     FROM jsonb_to_recordset($1::jsonb) AS c(bank_code TEXT, name TEXT, status TEXT,
       contract_expires_at TIMESTAMPTZ, fee_per_transfer BIGINT)
     ON CONFLICT (bank_code) DO NOTHING`,
    [
      // An array, not JSON text: both drivers encode it for a jsonb parameter (as the outbox does).
      contracts.map((c) => ({
        bank_code: c.bankCode,
        name: c.name,
        status: c.status,
        contract_expires_at: c.contractExpiresAt.toISOString(),
        fee_per_transfer: c.feePerTransfer,
      })),
      now,
    ],
  );
}

export async function listContracts(q: Queryable): Promise<BankContract[]> {
  const rows = await q.query<ContractRow>("SELECT * FROM banking.bank_contracts ORDER BY bank_code");
  return rows.map(toContract);
}

export async function findContract(q: Queryable, bankCode: string): Promise<BankContract | undefined> {
  const rows = await q.query<ContractRow>("SELECT * FROM banking.bank_contracts WHERE bank_code = $1", [
    bankCode,
  ]);
  return rows[0] && toContract(rows[0]);
}

export interface ContractChanges {
  readonly status?: ContractStatus | undefined;
  readonly contractExpiresAt?: Date | undefined;
  readonly feePerTransfer?: number | undefined;
}

export async function updateContract(
  q: Queryable,
  bankCode: string,
  changes: ContractChanges,
  now: Date,
): Promise<BankContract | undefined> {
  const rows = await q.query<ContractRow>(
    `UPDATE banking.bank_contracts SET status = COALESCE($2, status),
       contract_expires_at = COALESCE($3, contract_expires_at),
       fee_per_transfer = COALESCE($4, fee_per_transfer), updated_at = $5
     WHERE bank_code = $1 RETURNING *`,
    [
      bankCode,
      changes.status ?? null,
      changes.contractExpiresAt ?? null,
      changes.feePerTransfer ?? null,
      now,
    ],
  );
  return rows[0] && toContract(rows[0]);
}

export interface BankAccountLink extends AccountRef {
  readonly id: string;
  readonly membershipId: string;
  readonly holderName: string;
  readonly status: "LINKED" | "UNLINKED";
  readonly linkedAt: Date;
}

type LinkRow = {
  id: string;
  membership_id: string;
  bank_code: string;
  account_number: string;
  holder_name: string;
  status: "LINKED" | "UNLINKED";
  linked_at: Date | string;
};

const toLink = (r: LinkRow): BankAccountLink => ({
  id: r.id,
  membershipId: r.membership_id,
  bankCode: r.bank_code,
  accountNumber: r.account_number,
  holderName: r.holder_name,
  status: r.status,
  linkedAt: new Date(r.linked_at),
});

/** Inserts a live link; undefined when the member already has this account linked. */
export async function insertLink(q: Queryable, link: BankAccountLink): Promise<BankAccountLink | undefined> {
  const rows = await q.query<LinkRow>(
    `INSERT INTO banking.bank_accounts (id, membership_id, bank_code, account_number, holder_name, status, linked_at)
     VALUES ($1, $2, $3, $4, $5, 'LINKED', $6)
     ON CONFLICT (membership_id, bank_code, account_number) WHERE status = 'LINKED' DO NOTHING RETURNING *`,
    [link.id, link.membershipId, link.bankCode, link.accountNumber, link.holderName, link.linkedAt],
  );
  return rows[0] && toLink(rows[0]);
}

export async function findLiveLink(
  q: Queryable,
  membershipId: string,
  ref: AccountRef,
): Promise<BankAccountLink | undefined> {
  const rows = await q.query<LinkRow>(
    `SELECT * FROM banking.bank_accounts
     WHERE membership_id = $1 AND bank_code = $2 AND account_number = $3 AND status = 'LINKED'`,
    [membershipId, ref.bankCode, ref.accountNumber],
  );
  return rows[0] && toLink(rows[0]);
}

/** The member's links, newest first; only one when `id` names it. */
export async function listLinks(
  q: Queryable,
  membershipId: string,
  page: { before?: string | undefined; limit: number; id?: string | undefined },
): Promise<BankAccountLink[]> {
  const rows = await q.query<LinkRow>(
    `SELECT * FROM banking.bank_accounts
     WHERE membership_id = $1 AND status = 'LINKED' AND ($2::text IS NULL OR id < $2)
       AND ($3::text IS NULL OR id = $3)
     ORDER BY id DESC LIMIT $4`,
    [membershipId, page.before ?? null, page.id ?? null, page.limit],
  );
  return rows.map(toLink);
}

/** The member's link by id, live or not (an unlink repeated finds it). */
export async function findOwnLink(q: Queryable, membershipId: string, id: string) {
  const rows = await q.query<LinkRow>(
    "SELECT * FROM banking.bank_accounts WHERE id = $1 AND membership_id = $2",
    [id, membershipId],
  );
  return rows[0] && toLink(rows[0]);
}

export async function markUnlinked(q: Queryable, id: string, now: Date): Promise<void> {
  await q.query(
    "UPDATE banking.bank_accounts SET status = 'UNLINKED', unlinked_at = $2 WHERE id = $1 AND status = 'LINKED'",
    [id, now],
  );
}

export async function findCorporateAccount(q: Queryable): Promise<AccountRef | undefined> {
  const rows = await q.query<{ bank_code: string; account_number: string | null }>(
    "SELECT bank_code, account_number FROM banking.corporate_account",
  );
  const row = rows[0];
  return row?.account_number ? { bankCode: row.bank_code, accountNumber: row.account_number } : undefined;
}

/** Claims the right to open the corporate account; false while another process holds the claim. */
export async function claimCorporateAccount(q: Queryable, bankCode: string, now: Date, until: Date) {
  const rows = await q.query(
    `INSERT INTO banking.corporate_account (singleton, bank_code, claimed_until) VALUES (TRUE, $1, $3)
     ON CONFLICT (singleton) DO UPDATE SET bank_code = $1, claimed_until = $3
     WHERE banking.corporate_account.account_number IS NULL AND banking.corporate_account.claimed_until < $2
     RETURNING 1`,
    [bankCode, now, until],
  );
  return rows.length > 0;
}

export async function saveCorporateAccount(q: Queryable, account: AccountRef, now: Date): Promise<void> {
  await q.query(
    `UPDATE banking.corporate_account SET bank_code = $1, account_number = $2, opened_at = $3
     WHERE account_number IS NULL`,
    [account.bankCode, account.accountNumber, now],
  );
}

/** Gives up a claim whose opening failed, so the next try need not wait for it to expire. */
export async function releaseCorporateClaim(q: Queryable, now: Date): Promise<void> {
  await q.query("UPDATE banking.corporate_account SET claimed_until = $1 WHERE account_number IS NULL", [
    now,
  ]);
}
