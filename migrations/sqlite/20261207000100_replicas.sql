-- Replicas (several mosaicd on one PostgreSQL): the requests and streams each replica has in
-- flight to a user's agent, one row per (user, replica), refreshed while they last and expiring
-- when the replica dies (expires_at, epoch ms). The reaper keeps a container while any replica
-- holds an unexpired row for it. A single daemon on SQLite writes none: its own memory knows.
CREATE TABLE container_activity (
    user_id TEXT NOT NULL,
    replica TEXT NOT NULL,
    busy BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, replica)
);
CREATE INDEX container_activity_expires ON container_activity (expires_at);
