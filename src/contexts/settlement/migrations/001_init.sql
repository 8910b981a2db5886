-- Settlement runs (정산) and the per-franchise settlements they make. A run is run by the saga of the
-- same id (settlement-run), each settlement by its payout saga of the same id (settlement-payout).
CREATE TABLE runs (
  id              TEXT PRIMARY KEY,
  cutoff          TIMESTAMPTZ NOT NULL,
  -- The slot of a scheduled run: two schedulers firing the same slot make one run.
  scheduled_for   TIMESTAMPTZ UNIQUE,
  requested_by    TEXT,
  idempotency_key TEXT,
  -- CLAIMING until the run has recorded its settlements (the totals are known from then on).
  status          TEXT NOT NULL CHECK (status IN ('CLAIMING', 'RECORDED')),
  franchises      INTEGER CHECK (franchises >= 0),
  payment_count   INTEGER CHECK (payment_count >= 0),
  gross           BIGINT CHECK (gross >= 0),
  commission      BIGINT CHECK (commission >= 0),
  net             BIGINT CHECK (net >= 0),
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  recorded_at     TIMESTAMPTZ,
  UNIQUE (requested_by, idempotency_key),
  CHECK (status = 'CLAIMING' OR gross = commission + net),
  CHECK (scheduled_for IS NULL OR requested_by IS NULL)
);

CREATE TABLE settlements (
  id             TEXT PRIMARY KEY,
  run_id         TEXT NOT NULL REFERENCES runs (id),
  franchise_id   TEXT NOT NULL,
  -- The franchise's owner when the run was made: a merchant lists its own settlements by it.
  owner_id       TEXT NOT NULL,
  payment_count  INTEGER NOT NULL CHECK (payment_count > 0),
  gross          BIGINT NOT NULL CHECK (gross > 0),
  commission     BIGINT NOT NULL CHECK (commission >= 0),
  net            BIGINT NOT NULL CHECK (net >= 0),
  status         TEXT NOT NULL CHECK (status IN ('PENDING', 'PAID', 'FAILED')),
  bank_code      TEXT NOT NULL,
  account_number TEXT NOT NULL,
  firmbanking_id TEXT,
  failure_reason TEXT,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  paid_at        TIMESTAMPTZ,
  completed_at   TIMESTAMPTZ,
  -- A run pays a franchise once: its claimed payments are one settlement.
  UNIQUE (run_id, franchise_id),
  CHECK (gross = commission + net),
  CHECK ((status = 'PAID') = (paid_at IS NOT NULL)),
  CHECK (status <> 'FAILED' OR failure_reason IS NOT NULL)
);
CREATE INDEX settlements_owner ON settlements (owner_id, id DESC);
CREATE INDEX settlements_franchise ON settlements (franchise_id, id DESC);
CREATE INDEX settlements_pending ON settlements (run_id) WHERE status = 'PENDING';

-- The schedule's lease ('settlement-run') lives in the schema's lease table (platform/lease.ts).
