-- HTTP API: lookups the login, session and invite paths make by user and by expiry.
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX invites_user ON invites (user_id);
CREATE INDEX api_tokens_user_active ON api_tokens (user_id, revoked_at);
