-- Sagas of the owning context and their step log (DESIGN.md "Bounded contexts"): a step's effect, the
-- saga row and the log row commit in one transaction, so a crash at any point resumes.
CREATE TABLE sagas (
  id             TEXT PRIMARY KEY,
  type           TEXT NOT NULL,
  status         TEXT NOT NULL
                 CHECK (status IN ('RUNNING', 'WAITING', 'COMPENSATING', 'COMPLETED', 'COMPENSATED', 'FAILED')),
  -- The step whose action runs next, or whose compensation runs next while COMPENSATING.
  step           INTEGER NOT NULL DEFAULT 0,
  data           JSONB NOT NULL,
  correlation_id TEXT NOT NULL,
  -- Consecutive infrastructure faults of the current step; drives the backoff.
  attempts       INTEGER NOT NULL DEFAULT 0,
  next_run_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  locked_until   TIMESTAMPTZ,
  lock_holder    TEXT,
  last_error     TEXT,
  failure_reason TEXT,
  -- Bumped by wake(): a wait committed after a wake that came mid-step is due at once, not lost.
  wakes          INTEGER NOT NULL DEFAULT 0,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sagas_due ON sagas (next_run_at) WHERE status IN ('RUNNING', 'WAITING', 'COMPENSATING');

CREATE TABLE saga_steps (
  saga_id TEXT NOT NULL REFERENCES sagas (id) ON DELETE CASCADE,
  seq     INTEGER NOT NULL,
  step    TEXT NOT NULL,
  phase   TEXT NOT NULL CHECK (phase IN ('action', 'compensation')),
  outcome TEXT NOT NULL CHECK (outcome IN ('done', 'waiting', 'failed')),
  detail  JSONB,
  at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (saga_id, seq)
);
