-- Each process loads recent revocations at start (withdrawn members, revoked refresh chains whose
-- access tokens may not have expired yet), then follows AccessRevoked and MemberWithdrawn events.
CREATE INDEX members_withdrawn ON members (withdrawn_at) WHERE withdrawn_at IS NOT NULL;
CREATE INDEX refresh_tokens_revoked ON refresh_tokens (revoked_at) WHERE revoked_at IS NOT NULL;
