-- Settling touches every unsettled slip twice (claimed, then SETTLED), so what each write costs matters.
-- The claim only sets settlement_run_id; with no index on that column and room left on each page, it is
-- a HOT update (no index entry at all). SETTLED changes status, so that write is the one that pays the
-- indexes, as any settlement must.
-- Half of each page is left free for the new versions of the slips on it (written three times in life:
-- NORMAL, claimed, SETTLED); takes effect for the pages written from now on.
ALTER TABLE payments SET (fillfactor = 50);

DROP INDEX payments_claim;
DROP INDEX payments_run;
-- The unsettled slips only (one period's worth, not the history): the claim scans them; a franchise's
-- claimed ones are found here until they are SETTLED or released.
CREATE INDEX payments_open ON payments (franchise_id, created_at) WHERE status = 'NORMAL';
-- A settlement's slips once SETTLED.
CREATE INDEX payments_settled ON payments (settlement_id) WHERE settlement_id IS NOT NULL;
-- Most slips are never cancelled: their NULL need not be indexed (NULLs are distinct in UNIQUE anyway).
ALTER TABLE payments DROP CONSTRAINT payments_cancel_saga_id_key;
CREATE UNIQUE INDEX payments_cancel_saga ON payments (cancel_saga_id) WHERE cancel_saga_id IS NOT NULL;
