-- Payments, cancels and remittances carry figures of their own (how a payment was paid, what a
-- cancel gave back, who a remittance went to): one JSON column rather than a column per kind.
ALTER TABLE member_activity ADD COLUMN details JSONB;

-- The activity's summary shows the member's points beside its money. Points have their own order
-- (PointsBalanceChanged's version), so an older points event arriving late changes nothing.
ALTER TABLE member_balances ADD COLUMN points BIGINT NOT NULL DEFAULT 0;
ALTER TABLE member_balances ADD COLUMN points_version BIGINT NOT NULL DEFAULT 0;
