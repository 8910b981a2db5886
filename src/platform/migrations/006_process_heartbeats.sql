-- Each running process renews its row every few seconds and deletes it when it stops cleanly: an
-- idempotency claim whose holder's row has lapsed was left by a crash and is taken over at once.
CREATE TABLE process_heartbeats (
  holder      TEXT PRIMARY KEY,
  alive_until TIMESTAMPTZ NOT NULL
);

-- Who holds an IN_FLIGHT claim; NULL for claims made before holders were recorded (lease only).
ALTER TABLE idempotency_keys ADD COLUMN holder TEXT;
