-- Agent containers: the gateway token's hash, so the internal config endpoint can tell "another
-- container's token" (403) from "no container's token" (401) without decrypting every token.
-- The token itself stays encrypted in gateway_token; a SHA-256 of 256 random bits reveals nothing.

ALTER TABLE user_container ADD COLUMN gateway_token_hash TEXT;
ALTER TABLE system_container ADD COLUMN gateway_token_hash TEXT;
CREATE UNIQUE INDEX user_container_token_hash ON user_container (gateway_token_hash);
CREATE UNIQUE INDEX system_container_token_hash ON system_container (gateway_token_hash);
