-- Chat usage per user and UTC day, as the chat proxy counts it: how many requests, how they
-- ended, cold starts, and the tokens the agent reported. Figures only: no message, prompt, answer
-- or model name is ever stored. Rows are added to by every daemon (additive upserts) and days
-- older than the retention setting (usage.retentionDays) are deleted.
CREATE TABLE usage_daily (
    day                 TEXT NOT NULL,   -- YYYY-MM-DD, UTC
    user_id             TEXT NOT NULL,
    requests            INTEGER NOT NULL DEFAULT 0,
    streamed            INTEGER NOT NULL DEFAULT 0,
    failed_rejected     INTEGER NOT NULL DEFAULT 0,
    failed_start        INTEGER NOT NULL DEFAULT 0,
    failed_unreachable  INTEGER NOT NULL DEFAULT 0,
    failed_agent        INTEGER NOT NULL DEFAULT 0,
    failed_interrupted  INTEGER NOT NULL DEFAULT 0,
    cancelled           INTEGER NOT NULL DEFAULT 0,
    cold_starts         INTEGER NOT NULL DEFAULT 0,
    cold_start_ms       INTEGER NOT NULL DEFAULT 0,
    tokens_in           INTEGER NOT NULL DEFAULT 0,
    tokens_out          INTEGER NOT NULL DEFAULT 0,
    usage_reported      INTEGER NOT NULL DEFAULT 0,
    usage_missing       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, user_id)
);
CREATE INDEX usage_daily_user ON usage_daily (user_id, day);
