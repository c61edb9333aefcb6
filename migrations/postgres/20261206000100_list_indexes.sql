-- Lists page in O(page) and the background passes read only the rows they act on:
-- user containers are listed oldest first (created_at, id), users likewise; the reaper reads
-- the running user containers, reconciliation the running and starting ones of both kinds.
CREATE INDEX user_container_listed ON user_container (created_at, id);
CREATE INDEX user_container_status ON user_container (status);
CREATE INDEX system_container_status ON system_container (status);
CREATE INDEX users_listed ON users (created_at, id);
