-- The money-by-region read model (CQRS): fed only by events, eventually consistent.
CREATE TABLE member_balances (
  membership_id TEXT PRIMARY KEY,
  region        TEXT,
  type          TEXT,
  status        TEXT NOT NULL DEFAULT 'ACTIVE',
  balance       BIGINT NOT NULL DEFAULT 0,
  -- The ledger's order of the last balance applied: an older event arriving late changes nothing.
  version       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX member_balances_region ON member_balances (region) WHERE status = 'ACTIVE';
