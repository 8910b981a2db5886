-- Email lookups per caller (GET /v1/memberships/lookup), counted in the database so that the limit
-- against enumerating members holds across replicas and restarts. Which email was asked is not kept.
CREATE TABLE lookups (
  id           BIGSERIAL PRIMARY KEY,
  caller_id    TEXT NOT NULL,
  looked_up_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX lookups_caller ON lookups (caller_id, looked_up_at DESC);
CREATE INDEX lookups_time ON lookups (looked_up_at);
