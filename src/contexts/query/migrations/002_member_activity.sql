-- A member's activity for staff (CQRS): one row per business item, fed only by events. The key is
-- the item's own id, so an event delivered twice, or published again under a new event id, adds
-- nothing; rows are only inserted, so events arriving in any order are all kept.
CREATE TABLE member_activity (
  item_id        TEXT PRIMARY KEY,
  membership_id  TEXT NOT NULL,
  kind           TEXT NOT NULL,
  ledger_kind    TEXT,
  amount         BIGINT,
  balance_after  BIGINT,
  reference      TEXT,
  status         TEXT,
  occurred_at    TIMESTAMPTZ NOT NULL
);
-- Newest first, with the item id breaking ties, for the keyset pages.
CREATE INDEX member_activity_newest ON member_activity (membership_id, occurred_at DESC, item_id DESC);
