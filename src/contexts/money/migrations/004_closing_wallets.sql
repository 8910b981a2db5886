-- A wallet being closed for a member who is leaving: CLOSING refuses new money like CLOSED (every
-- posting and reservation needs OPEN) until the withdrawal is final (CLOSED) or did not happen (OPEN).
ALTER TABLE accounts DROP CONSTRAINT accounts_status_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_status_check CHECK (status IN ('OPEN', 'CLOSING', 'CLOSED'));
-- The sweep that reopens wallets left CLOSING by a crash between the two steps of leaving.
CREATE INDEX accounts_closing ON accounts (updated_at) WHERE status = 'CLOSING';
