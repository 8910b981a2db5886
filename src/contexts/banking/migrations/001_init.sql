-- The banks mypay has a firmbanking contract with. Seeded from the bank gateway's list at first
-- start (ON CONFLICT DO NOTHING, so two processes starting together insert each bank once).
CREATE TABLE bank_contracts (
  bank_code           TEXT PRIMARY KEY,
  name                TEXT NOT NULL,
  status              TEXT NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED')),
  contract_expires_at TIMESTAMPTZ NOT NULL,
  fee_per_transfer    BIGINT NOT NULL CHECK (fee_per_transfer >= 0),
  updated_at          TIMESTAMPTZ NOT NULL
);

-- Members' own accounts, verified with the bank. Unlinking keeps the row (firmbanking history
-- names it); one live link per member and account, so linking again finds the existing one.
CREATE TABLE bank_accounts (
  id             TEXT PRIMARY KEY,
  membership_id  TEXT NOT NULL,
  bank_code      TEXT NOT NULL,
  account_number TEXT NOT NULL,
  holder_name    TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('LINKED', 'UNLINKED')),
  linked_at      TIMESTAMPTZ NOT NULL,
  unlinked_at    TIMESTAMPTZ
);
CREATE UNIQUE INDEX bank_accounts_one_live_link ON bank_accounts (membership_id, bank_code, account_number)
  WHERE status = 'LINKED';
CREATE INDEX bank_accounts_member ON bank_accounts (membership_id, id DESC);

-- Firmbanking requests. The row is committed before the bank is called; request_id is what the bank
-- de-duplicates on. next_check_at/lease_until drive the resolver of REQUESTED and UNKNOWN rows.
CREATE TABLE firmbanking (
  id                  TEXT PRIMARY KEY,
  request_id          TEXT NOT NULL UNIQUE,
  purpose             TEXT NOT NULL CHECK (purpose IN ('RECHARGE', 'WITHDRAW', 'REMITTANCE', 'SETTLEMENT')),
  membership_id       TEXT,
  from_bank_code      TEXT NOT NULL,
  from_account_number TEXT NOT NULL,
  to_bank_code        TEXT NOT NULL,
  to_account_number   TEXT NOT NULL,
  amount              BIGINT NOT NULL CHECK (amount > 0),
  -- The contract fee at request time, and the bank whose contract it comes from.
  fee                 BIGINT NOT NULL CHECK (fee >= 0),
  bank_code           TEXT NOT NULL,
  status              TEXT NOT NULL CHECK (status IN ('REQUESTED', 'SUCCEEDED', 'FAILED', 'UNKNOWN')),
  reason              TEXT,
  reference           TEXT NOT NULL,
  correlation_id      TEXT NOT NULL,
  created_at          TIMESTAMPTZ NOT NULL,
  completed_at        TIMESTAMPTZ,
  checks              INTEGER NOT NULL DEFAULT 0,
  next_check_at       TIMESTAMPTZ NOT NULL,
  lease_until         TIMESTAMPTZ
);
CREATE INDEX firmbanking_due ON firmbanking (next_check_at) WHERE status IN ('REQUESTED', 'UNKNOWN');
CREATE INDEX firmbanking_member ON firmbanking (membership_id, id DESC);

-- mypay's corporate account when the configuration names none: one row. A process claims it
-- (claimed_until) before opening the account at the bank, so two starting together open one.
CREATE TABLE corporate_account (
  singleton      BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
  bank_code      TEXT NOT NULL,
  account_number TEXT,
  claimed_until  TIMESTAMPTZ NOT NULL,
  opened_at      TIMESTAMPTZ
);
