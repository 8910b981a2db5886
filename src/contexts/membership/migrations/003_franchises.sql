-- Franchises (가맹점), owned by merchant members. The settlement account was confirmed at the bank
-- as held in the merchant's name when the franchise registered.
CREATE TABLE franchises (
  id                TEXT PRIMARY KEY,
  owner_id          TEXT NOT NULL REFERENCES members (id),
  name              TEXT NOT NULL,
  business_number   TEXT NOT NULL CHECK (business_number ~ '^[0-9]{10}$'),
  region            TEXT NOT NULL,
  commission_bps    INTEGER NOT NULL CHECK (commission_bps BETWEEN 0 AND 10000),
  settlement_bank_code      TEXT NOT NULL,
  settlement_account_number TEXT NOT NULL,
  settlement_holder_name    TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('ACTIVE')),
  created_at        TIMESTAMPTZ NOT NULL,
  updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX franchises_owner ON franchises (owner_id, id DESC);

-- Every rate a franchise has had, the registration's first (previous_bps NULL): who set it and when.
-- Written in the transaction that changes franchises.commission_bps; an audit trail is never edited.
CREATE TABLE commission_changes (
  seq            BIGSERIAL PRIMARY KEY,
  franchise_id   TEXT NOT NULL REFERENCES franchises (id),
  commission_bps INTEGER NOT NULL CHECK (commission_bps BETWEEN 0 AND 10000),
  previous_bps   INTEGER CHECK (previous_bps BETWEEN 0 AND 10000),
  changed_by     TEXT NOT NULL REFERENCES members (id),
  changed_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX commission_changes_franchise ON commission_changes (franchise_id, seq DESC);

CREATE FUNCTION refuse_commission_change_edit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'COMMISSION_HISTORY_APPEND_ONLY:% rows are never changed or deleted', TG_TABLE_NAME
    USING ERRCODE = '55000';
END $$;
CREATE TRIGGER commission_changes_append_only BEFORE UPDATE OR DELETE ON commission_changes
  FOR EACH ROW EXECUTE FUNCTION refuse_commission_change_edit();
