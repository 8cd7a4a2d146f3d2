-- Politeness shared by every worker (issue #7): one row per domain (netloc) with the earliest
-- moment the next request to it may start. A fetcher reserves a slot with one atomic upsert
-- (portal_etl.fetch.shared_ratelimit): the row lock serialises concurrent reservations, and
-- PostgreSQL's clock is the one clock all workers, on any machine, agree on.
CREATE TABLE staging.domain_slot (
    netloc        text PRIMARY KEY,          -- host[:port], as portal_etl.fetch.urls.netloc_key gives it
    next_allowed  timestamptz NOT NULL,      -- no request may start before this instant
    reserved      bigint NOT NULL DEFAULT 0  -- slots handed out so far (monitoring only)
);

-- explicit as well as by 005's default privileges, in case another user created those
GRANT SELECT, INSERT, UPDATE, DELETE ON staging.domain_slot TO portal_etl_pipeline;
