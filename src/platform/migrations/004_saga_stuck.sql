-- No saga retries forever: past its retry budget it is STUCK (not run by the worker) until staff retry
-- it, which puts it back in the status it was stuck from. STUCK replaces the FAILED of a compensation
-- that gave up: it needed a person too, and can now be retried.
ALTER TABLE sagas ADD COLUMN stuck_from TEXT CHECK (stuck_from IN ('RUNNING', 'WAITING', 'COMPENSATING'));
-- Consecutive waits of the current step that ended without the answer (attempts counts faults).
ALTER TABLE sagas ADD COLUMN waits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sagas DROP CONSTRAINT sagas_status_check;
UPDATE sagas SET status = 'STUCK', stuck_from = 'COMPENSATING' WHERE status = 'FAILED';
ALTER TABLE sagas ADD CONSTRAINT sagas_status_check
  CHECK (status IN ('RUNNING', 'WAITING', 'COMPENSATING', 'COMPLETED', 'COMPENSATED', 'STUCK'));
ALTER TABLE sagas ADD CONSTRAINT sagas_stuck_from CHECK ((status = 'STUCK') = (stuck_from IS NOT NULL));
CREATE INDEX sagas_by_status ON sagas (status, created_at DESC, id DESC);

-- A step may note progress before an external call ("checkpoint"), and the log says when a saga got
-- stuck and when staff retried it.
ALTER TABLE saga_steps DROP CONSTRAINT saga_steps_outcome_check;
ALTER TABLE saga_steps ADD CONSTRAINT saga_steps_outcome_check
  CHECK (outcome IN ('done', 'waiting', 'failed', 'checkpoint', 'stuck', 'retried'));
