-- The sandbox bank's accounts and the transfers it has carried out or refused.
CREATE TABLE accounts (
  bank_code TEXT NOT NULL,
  account_number TEXT NOT NULL,
  holder_name TEXT NOT NULL,
  -- Won; the upper bound keeps every balance a JavaScript safe integer.
  balance BIGINT NOT NULL CHECK (balance >= 0 AND balance <= 9007199254740991),
  status TEXT NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'FROZEN', 'CLOSED')),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (bank_code, account_number)
);

-- The primary key on request_id is what makes a repeated request move money at most once.
CREATE TABLE transfers (
  request_id TEXT PRIMARY KEY,
  from_bank_code TEXT NOT NULL,
  from_account_number TEXT NOT NULL,
  to_bank_code TEXT NOT NULL,
  to_account_number TEXT NOT NULL,
  amount BIGINT NOT NULL CHECK (amount > 0),
  status TEXT NOT NULL CHECK (status IN ('SUCCEEDED', 'FAILED')),
  reason TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK ((status = 'FAILED') = (reason IS NOT NULL))
);
