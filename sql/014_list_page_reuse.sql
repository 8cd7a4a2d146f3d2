-- 014: list pages reused within a backfill (issue #5, requests per integrated item).
--
-- Every monthly run walks a section from its newest list page back to its month, so a backfill
-- of sixteen months fetched the newest pages sixteen times (1,692 list fetches for 204 distinct
-- pages on the default replica). A list page fetched after a run's interval ended already shows
-- everything the interval published, so the ingest reuses its stored copy for a while
-- (registry: fetch.list_reuse_minutes) instead of asking the site again.
--
-- final_url: where the stored fetch of this URL ended. Only a page that was not redirected is
-- reused (NukeViet answers a page past the last with a redirect to page 1, which the walk must
-- see). list_pages_reused: how many of a run's list_pages came from the stored copy.

ALTER TABLE staging.page_state ADD COLUMN final_url text;
ALTER TABLE staging.run_metrics ADD COLUMN list_pages_reused integer NOT NULL DEFAULT 0;
