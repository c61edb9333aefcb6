-- The Swarm node holding an agent's state volume (the `swarm` runtime): recorded at the first
-- start, where the scheduler placed it; every later start is constrained to it. NULL under the
-- `docker` runtime and before the first start.
ALTER TABLE user_container ADD COLUMN node TEXT;
ALTER TABLE system_container ADD COLUMN node TEXT;
