-- Settled articles: a re-run of a month does not ask the site again for articles that have
-- stopped changing (registry: fetch.settled). A real NukeViet 4.5 site never answers 304, so
-- without this a no-change re-run fetched every article again, at one request per
-- politeness.min_interval_seconds: hours per backfill for nothing.
--
-- Per fetched article URL, the run of fetches that found the same extracted content (the staged
-- item's content_hash, not the raw bytes: a view counter or an advert in the page is not an
-- edit): how many there were, when the first and the last of them happened. A fetch that finds
-- new or changed content starts a new run at 1; a page that no longer parses, or a failed fetch,
-- ends it (NULL / 0), so such a page is always fetched again.
ALTER TABLE staging.page_state ADD COLUMN stable_fetches integer NOT NULL DEFAULT 0;
ALTER TABLE staging.page_state ADD COLUMN stable_since timestamptz;
ALTER TABLE staging.page_state ADD COLUMN stable_confirmed_at timestamptz;

-- Per run: candidate articles not fetched because they were settled (their stored copy stands).
ALTER TABLE staging.run_metrics ADD COLUMN articles_settled integer NOT NULL DEFAULT 0;
