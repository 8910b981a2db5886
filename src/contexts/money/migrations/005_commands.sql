-- Money's commands for remittance, payment and settlement (api.ts MoneyCommands), each idempotent on
-- the caller's id: a hold and a payment are rows keyed by it, and their ledger transactions' ids are
-- derived from it, so a retried command finds what the first one did and moves nothing again.

-- Won taken out of a member's money or a franchise's payable into money in transit, for a payout.
CREATE TABLE holds (
  id              TEXT PRIMARY KEY,
  source_account  TEXT NOT NULL,
  membership_id   TEXT,
  amount          BIGINT NOT NULL CHECK (amount >= 0),
  fee             BIGINT NOT NULL CHECK (fee >= 0),
  purpose         TEXT NOT NULL CHECK (purpose IN ('REMITTANCE', 'SETTLEMENT')),
  status          TEXT NOT NULL CHECK (status IN ('HELD', 'SETTLED', 'RELEASED')),
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  completed_at    TIMESTAMPTZ,
  CHECK (amount + fee > 0),
  CHECK ((status = 'HELD') = (completed_at IS NULL))
);

-- What each payment moved, so that its cancel gives back exactly that (and only once).
CREATE TABLE payments (
  id              TEXT PRIMARY KEY,
  membership_id   TEXT NOT NULL,
  franchise_id    TEXT NOT NULL,
  money           BIGINT NOT NULL CHECK (money >= 0),
  points          BIGINT NOT NULL CHECK (points >= 0),
  points_earned   BIGINT NOT NULL CHECK (points_earned >= 0 AND points_earned <= money),
  refund          JSONB,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  refunded_at     TIMESTAMPTZ,
  CHECK (money + points > 0),
  CHECK ((refund IS NULL) = (refunded_at IS NULL))
);

-- An auto-recharge serves one business transaction (its cause: rem_…, pay_…), at most once.
ALTER TABLE recharges ADD COLUMN cause TEXT;
CREATE UNIQUE INDEX recharges_cause ON recharges (cause) WHERE cause IS NOT NULL;

-- Points that lapsed when their member left mypay: the expiry account the issue names (PNT).
ALTER TABLE accounts DROP CONSTRAINT accounts_kind_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_kind_check CHECK (kind IN ('corporate_cash', 'money_in_transit',
  'member_money', 'member_points', 'points_issued', 'points_expired', 'franchise_payable', 'fee_revenue',
  'commission_revenue', 'firmbanking_fee_expense', 'bank_fees_payable', 'points_expense'));

-- What mypay owes a franchise is never below zero: a settlement holds only what its payments brought in.
ALTER TABLE accounts ADD CONSTRAINT accounts_payable_not_negative CHECK (kind <> 'franchise_payable' OR balance >= 0);
