-- Remittances (송금): each is run by a saga of the same id (platform table sagas). The money itself
-- moves in the money context's ledger; this row is the business record and its final answer.
CREATE TABLE remittances (
  id                TEXT PRIMARY KEY,
  type              TEXT NOT NULL CHECK (type IN ('MEMBER', 'BANK')),
  sender_id         TEXT NOT NULL,
  receiver_id       TEXT,
  to_bank_code      TEXT,
  to_account_number TEXT,
  amount            BIGINT NOT NULL CHECK (amount > 0),
  fee               BIGINT NOT NULL CHECK (fee >= 0),
  memo              TEXT CHECK (char_length(memo) <= 100),
  status            TEXT NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
  auto_recharged    BOOLEAN NOT NULL DEFAULT false,
  failure_reason    TEXT,
  idempotency_key   TEXT,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  completed_at      TIMESTAMPTZ,
  -- A member remittance names a member, a bank one an account, never both; only a bank one has a fee.
  CHECK ((type = 'MEMBER') = (receiver_id IS NOT NULL)),
  CHECK ((type = 'BANK') = (to_bank_code IS NOT NULL AND to_account_number IS NOT NULL)),
  CHECK (type = 'BANK' OR fee = 0),
  CHECK (receiver_id IS DISTINCT FROM sender_id),
  CHECK ((status = 'PENDING') = (completed_at IS NULL)),
  CHECK ((status = 'FAILED') = (failure_reason IS NOT NULL)),
  UNIQUE (sender_id, idempotency_key)
);
CREATE INDEX remittances_sent ON remittances (sender_id, id DESC);
CREATE INDEX remittances_received ON remittances (receiver_id, id DESC) WHERE status = 'SUCCEEDED';

-- What was asked never changes, and a final answer is final: the code must never do either.
CREATE FUNCTION refuse_remittance_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'PENDING' THEN
    RAISE EXCEPTION 'remittance % is % already', OLD.id, OLD.status;
  END IF;
  IF (NEW.id, NEW.type, NEW.sender_id, NEW.receiver_id, NEW.to_bank_code, NEW.to_account_number,
      NEW.amount, NEW.fee, NEW.memo, NEW.idempotency_key, NEW.created_at)
     IS DISTINCT FROM
     (OLD.id, OLD.type, OLD.sender_id, OLD.receiver_id, OLD.to_bank_code, OLD.to_account_number,
      OLD.amount, OLD.fee, OLD.memo, OLD.idempotency_key, OLD.created_at) THEN
    RAISE EXCEPTION 'remittance % cannot change what was asked', OLD.id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER remittances_final BEFORE UPDATE ON remittances
  FOR EACH ROW EXECUTE FUNCTION refuse_remittance_rewrite();
