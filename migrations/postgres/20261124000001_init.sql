-- Mosaic schema, PostgreSQL flavour. Times are epoch milliseconds (BIGINT), JSON is TEXT, ids are
-- TEXT, so one SQL text serves both backends; only this DDL differs from SQLite's.

CREATE TABLE system_config (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    encrypted   BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    email           TEXT UNIQUE,          -- lower-cased; NULL for breakglass accounts
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    auth_source     TEXT NOT NULL CHECK (auth_source IN ('breakglass', 'local', 'oidc')),
    password_hash   TEXT,                 -- argon2id PHC string, local accounts only
    oidc_issuer     TEXT,
    oidc_subject    TEXT,
    invited_at      BIGINT,
    invited_by      TEXT REFERENCES users (id) ON DELETE SET NULL,
    deactivated_at  BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_oidc_identity ON users (oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL;

CREATE TABLE breakglass_user (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL UNIQUE REFERENCES users (id),
    username       TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- Browser sessions; only a hash of the cookie value is stored.
CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Personal API tokens for OpenAI-compatible clients; only a hash is stored.
CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    token_prefix  TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    expires_at    BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE invites (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_by  TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);

-- LLM providers. user_id NULL: an admin-level provider, used by system agents.
CREATE TABLE llm_provider (
    id            TEXT PRIMARY KEY,
    user_id       TEXT REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    type          TEXT NOT NULL,
    base_url      TEXT,
    api_key       TEXT,                   -- enc:v1:…
    api_key_hint  TEXT,
    api_type      TEXT NOT NULL DEFAULT 'openai-completions',
    models        TEXT NOT NULL DEFAULT '[]',
    is_active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX llm_provider_user_name ON llm_provider (user_id, name) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX llm_provider_system_name ON llm_provider (name) WHERE user_id IS NULL;

CREATE TABLE user_container (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL UNIQUE REFERENCES users (id),
    container_id      TEXT,
    container_name    TEXT NOT NULL UNIQUE,
    gateway_port      BIGINT,
    gateway_token     TEXT,               -- enc:v1:…
    status            TEXT NOT NULL DEFAULT 'stopped'
                      CHECK (status IN ('running', 'stopped', 'starting', 'error')),
    status_detail     TEXT,
    stop_reason       TEXT,
    stopped_at        BIGINT,
    started_at        BIGINT,
    last_active_at    BIGINT,
    idle_timeout_min  BIGINT NOT NULL DEFAULT 30,
    config            TEXT NOT NULL DEFAULT '{}',
    config_hash       TEXT,
    generation        BIGINT NOT NULL DEFAULT 0,
    image             TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

CREATE TABLE system_container (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    role              TEXT NOT NULL,
    container_id      TEXT,
    gateway_port      BIGINT,
    gateway_token     TEXT,               -- enc:v1:…
    status            TEXT NOT NULL DEFAULT 'stopped'
                      CHECK (status IN ('running', 'stopped', 'starting', 'error')),
    status_detail     TEXT,
    stop_reason       TEXT,
    stopped_at        BIGINT,
    started_at        BIGINT,
    provider_id       TEXT REFERENCES llm_provider (id) ON DELETE SET NULL,
    primary_model     TEXT NOT NULL,
    personality       TEXT,
    config            TEXT NOT NULL DEFAULT '{}',
    config_hash       TEXT,
    generation        BIGINT NOT NULL DEFAULT 0,
    image             TEXT,
    is_active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

CREATE TABLE user_agent_config (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    primary_model    TEXT,
    fallback_models  TEXT NOT NULL DEFAULT '[]',
    personality      TEXT,
    provider_id      TEXT REFERENCES llm_provider (id) ON DELETE SET NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

-- Who did what, when. Never holds a secret or chat content.
CREATE TABLE audit_log (
    id      TEXT PRIMARY KEY,
    at      BIGINT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT,
    detail  TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, at);
