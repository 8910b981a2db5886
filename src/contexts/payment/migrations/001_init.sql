-- Payment slips (전표): each payment is run by a saga of the same id, its cancel by the saga named in
-- cancel_saga_id (platform table sagas). The rate in force and the franchise's owner are stamped when it is made.
CREATE TABLE payments (
  id                TEXT PRIMARY KEY,
  membership_id     TEXT NOT NULL,
  franchise_id      TEXT NOT NULL,
  owner_id          TEXT NOT NULL,
  amount            BIGINT NOT NULL CHECK (amount > 0),
  paid_with_money   BIGINT NOT NULL CHECK (paid_with_money >= 0),
  paid_with_points  BIGINT NOT NULL CHECK (paid_with_points >= 0),
  points_earned     BIGINT NOT NULL CHECK (points_earned >= 0 AND points_earned <= paid_with_money),
  commission_bps    INTEGER NOT NULL CHECK (commission_bps BETWEEN 0 AND 10000),
  status            TEXT NOT NULL
                    CHECK (status IN ('PENDING', 'NORMAL', 'FAILED', 'CANCELLING', 'CANCELLED', 'SETTLED')),
  auto_recharged    BOOLEAN NOT NULL DEFAULT false,
  failure_reason    TEXT,
  idempotency_key   TEXT,
  -- The settlement run that claimed it; a claimed slip can no longer be cancelled.
  settlement_run_id TEXT,
  settlement_id     TEXT,
  -- The cancel under way or done: who asked, with which idempotency key, and its saga.
  cancel_key        TEXT,
  cancelled_by      TEXT,
  cancel_saga_id    TEXT UNIQUE,
  refund_money      BIGINT,
  refund_points     BIGINT,
  points_taken_back BIGINT,
  taken_from_money  BIGINT,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  completed_at      TIMESTAMPTZ,
  cancelled_at      TIMESTAMPTZ,
  settled_at        TIMESTAMPTZ,
  CHECK (paid_with_money + paid_with_points = amount),
  -- A slip being cancelled is never claimed, and a claimed one never cancelled: one of them wins.
  CHECK (settlement_run_id IS NULL OR status IN ('NORMAL', 'SETTLED')),
  CHECK ((status = 'SETTLED') = (settlement_id IS NOT NULL)),
  UNIQUE (membership_id, idempotency_key)
);
CREATE INDEX payments_claim ON payments (status, created_at);
CREATE INDEX payments_run ON payments (settlement_run_id, franchise_id);
CREATE INDEX payments_member ON payments (membership_id, id DESC);
CREATE INDEX payments_owner ON payments (owner_id, id DESC);
CREATE INDEX payments_franchise ON payments (franchise_id, id DESC);

-- What each settlement run claimed, so that a repeated claim answers the first one's groups.
CREATE TABLE settlement_claims (
  run_id     TEXT PRIMARY KEY,
  cutoff     TIMESTAMPTZ NOT NULL,
  groups     JSONB,
  claimed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
