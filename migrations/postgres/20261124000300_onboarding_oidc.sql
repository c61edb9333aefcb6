-- OpenID Connect logins in progress. The browser holds a random cookie; only its SHA-256 is kept
-- here. The state, nonce and PKCE verifier are derived from the cookie value, so this table holds
-- nothing that would let anyone finish a login: a row only makes a flow single-use and short-lived.
CREATE TABLE oidc_login (
    id           TEXT PRIMARY KEY,
    cookie_hash  TEXT NOT NULL UNIQUE,
    issuer       TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    return_to    TEXT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX oidc_login_expires ON oidc_login (expires_at);
