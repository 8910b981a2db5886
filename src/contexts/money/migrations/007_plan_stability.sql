-- The posting functions' statements are lookups by key: an account by id, a transaction by id, the
-- entries of a transaction. PL/pgSQL keeps each statement's plan for the session, and a plan made
-- while the ledger was small (a fresh database, before the first ANALYZE) can be a sequential scan,
-- kept as the ledger grows: every posting then reads the whole ledger (seen at 8,400 entries: 1 ms
-- of a 2.9 ms call, and growing). Inside these functions a sequential scan is never the plan.
ALTER FUNCTION try_post_ledger(text, text, text, jsonb, bigint, jsonb) SET enable_seqscan = off;
ALTER FUNCTION post_ledger_batch(jsonb, bigint) SET enable_seqscan = off;
ALTER FUNCTION post_ledger_group(jsonb) SET enable_seqscan = off;
