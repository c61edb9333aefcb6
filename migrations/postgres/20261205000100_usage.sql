-- Chat usage per user and UTC day, as the chat proxy counts it: how many requests, how they
-- ended, cold starts, and the tokens the agent reported. Figures only: no message, prompt, answer
-- or model name is ever stored. Rows are added to by every daemon (additive upserts) and days
-- older than the retention setting (usage.retentionDays) are deleted.
CREATE TABLE usage_daily (
    day                 TEXT NOT NULL,   -- YYYY-MM-DD, UTC
    user_id             TEXT NOT NULL,
    requests            BIGINT NOT NULL DEFAULT 0,
    streamed            BIGINT NOT NULL DEFAULT 0,
    failed_rejected     BIGINT NOT NULL DEFAULT 0,
    failed_start        BIGINT NOT NULL DEFAULT 0,
    failed_unreachable  BIGINT NOT NULL DEFAULT 0,
    failed_agent        BIGINT NOT NULL DEFAULT 0,
    failed_interrupted  BIGINT NOT NULL DEFAULT 0,
    cancelled           BIGINT NOT NULL DEFAULT 0,
    cold_starts         BIGINT NOT NULL DEFAULT 0,
    cold_start_ms       BIGINT NOT NULL DEFAULT 0,
    tokens_in           BIGINT NOT NULL DEFAULT 0,
    tokens_out          BIGINT NOT NULL DEFAULT 0,
    usage_reported      BIGINT NOT NULL DEFAULT 0,
    usage_missing       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, user_id)
);
CREATE INDEX usage_daily_user ON usage_daily (user_id, day);
