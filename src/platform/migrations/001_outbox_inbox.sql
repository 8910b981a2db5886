-- Events leave through the outbox in the same transaction as the change (DESIGN.md "Events").
CREATE TABLE outbox (
  seq            BIGSERIAL PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  type           TEXT NOT NULL,
  version        INTEGER NOT NULL,
  occurred_at    TIMESTAMPTZ NOT NULL,
  source         TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  causation_id   TEXT,
  data           JSONB NOT NULL,
  published_at   TIMESTAMPTZ
);
CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

-- One relay at a time publishes a schema's outbox, so events leave in order.
CREATE TABLE relay_lease (
  name        TEXT PRIMARY KEY,
  holder      TEXT NOT NULL,
  lease_until TIMESTAMPTZ NOT NULL
);

-- The events a consumer has handled: a redelivered one has no second effect.
CREATE TABLE inbox (
  consumer   TEXT NOT NULL,
  event_id   TEXT NOT NULL,
  handled_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
