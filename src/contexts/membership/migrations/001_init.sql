-- Members and their credentials. An email belongs to one member whatever its case, withdrawn or not.
CREATE TABLE members (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  email         TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  region        TEXT NOT NULL,
  type          TEXT NOT NULL CHECK (type IN ('personal', 'merchant', 'staff')),
  status        TEXT NOT NULL CHECK (status IN ('ACTIVE', 'WITHDRAWN')),
  created_at    TIMESTAMPTZ NOT NULL,
  updated_at    TIMESTAMPTZ NOT NULL,
  withdrawn_at  TIMESTAMPTZ
);
CREATE UNIQUE INDEX members_email_key ON members (lower(email));

-- Refresh tokens, stored only as SHA-256 hashes. A login starts a chain; each refresh spends one
-- token and adds the next to the chain; presenting a spent token revokes the whole chain.
CREATE TABLE refresh_tokens (
  token_hash    TEXT PRIMARY KEY,
  chain_id      TEXT NOT NULL,
  membership_id TEXT NOT NULL REFERENCES members (id),
  issued_at     TIMESTAMPTZ NOT NULL,
  expires_at    TIMESTAMPTZ NOT NULL,
  spent_at      TIMESTAMPTZ,
  revoked_at    TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_chain ON refresh_tokens (chain_id);
CREATE INDEX refresh_tokens_member ON refresh_tokens (membership_id);

-- Login attempts that have not (yet) succeeded, per lower-cased email: the lockout counts these in
-- the database so that it holds across replicas.
CREATE TABLE login_failures (
  id           BIGSERIAL PRIMARY KEY,
  email_key    TEXT NOT NULL,
  attempted_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email_key, attempted_at DESC);
CREATE INDEX login_failures_time ON login_failures (attempted_at);

-- The Ed25519 keys that sign access tokens. One key is current (retired_at IS NULL); processes that
-- start together insert with ON CONFLICT DO NOTHING and read back the one that won.
CREATE TABLE signing_keys (
  kid         TEXT PRIMARY KEY,
  private_jwk JSONB NOT NULL,
  public_jwk  JSONB NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  retired_at  TIMESTAMPTZ
);
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;
