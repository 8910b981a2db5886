-- The W3C trace context of the transaction that wrote the event, published with it so that its
-- handling in any service continues that trace; NULL for events written outside any trace.
ALTER TABLE outbox ADD COLUMN traceparent TEXT;
