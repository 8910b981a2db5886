-- Recharges (충전) and withdrawals (출금): each is run by a saga of the same id (platform table sagas).
CREATE TABLE recharges (
  id              TEXT PRIMARY KEY,
  membership_id   TEXT NOT NULL,
  amount          BIGINT NOT NULL CHECK (amount > 0),
  status          TEXT NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
  bank_account_id TEXT NOT NULL,
  request_id      TEXT NOT NULL UNIQUE,
  firmbanking_id  TEXT,
  failure_reason  TEXT,
  auto            BOOLEAN NOT NULL DEFAULT false,
  idempotency_key TEXT,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  completed_at    TIMESTAMPTZ,
  UNIQUE (membership_id, idempotency_key)
);
CREATE INDEX recharges_member ON recharges (membership_id, id DESC);

CREATE TABLE withdrawals (
  id              TEXT PRIMARY KEY,
  membership_id   TEXT NOT NULL,
  amount          BIGINT NOT NULL CHECK (amount > 0),
  status          TEXT NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
  bank_account_id TEXT NOT NULL,
  request_id      TEXT NOT NULL UNIQUE,
  firmbanking_id  TEXT,
  failure_reason  TEXT,
  idempotency_key TEXT,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  completed_at    TIMESTAMPTZ,
  UNIQUE (membership_id, idempotency_key)
);
CREATE INDEX withdrawals_member ON withdrawals (membership_id, id DESC);
