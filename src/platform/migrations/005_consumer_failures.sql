-- Events a consumer failed to handle (DESIGN.md "Events"): retried with backoff while
-- dead_lettered_at is NULL, then kept as dead letters that staff list and replay. The failure is
-- recorded and the delivery acknowledged, so the relay and the broker go on with the next event.
CREATE TABLE consumer_failures (
  id               TEXT PRIMARY KEY,
  consumer         TEXT NOT NULL,
  event_id         TEXT NOT NULL,
  event            JSONB NOT NULL,
  attempts         INTEGER NOT NULL CHECK (attempts > 0),
  last_error       TEXT NOT NULL,
  -- When the next attempt is due: NULL while a dead letter waits for staff, or once it is handled.
  next_attempt_at  TIMESTAMPTZ,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  dead_lettered_at TIMESTAMPTZ,
  replayed_at      TIMESTAMPTZ,
  handled_at       TIMESTAMPTZ,
  UNIQUE (consumer, event_id)
);
CREATE INDEX consumer_failures_due ON consumer_failures (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX consumer_failures_dead ON consumer_failures (id) WHERE dead_lettered_at IS NOT NULL;
