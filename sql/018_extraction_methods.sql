-- Layout-independent extraction: how far to trust each staged field, and how often a run's
-- selectors (the adapter's or the registry's hints) stopped matching so a generic method ran.

-- {"title": 0.95, "body": 0.89, ...}: the prior of the method named in field_sources for that
-- field (adapters/signals.py CONFIDENCE). Written with the item; not part of its content hash,
-- since it follows from field_sources.
ALTER TABLE staging.item ADD COLUMN field_confidence jsonb NOT NULL DEFAULT '{}';

-- Per run: selector misses summed over the run's article pages (a page whose body_xpath and
-- date_xpath both missed counts 2), the article pages that had at least one, and the misses on
-- list pages (entries or pager read generically). A theme change shows here first, while the
-- generic methods keep the run green.
ALTER TABLE staging.run_metrics ADD COLUMN hint_misses integer NOT NULL DEFAULT 0;
ALTER TABLE staging.run_metrics ADD COLUMN pages_with_hint_misses integer NOT NULL DEFAULT 0;
ALTER TABLE staging.run_metrics ADD COLUMN list_hint_misses integer NOT NULL DEFAULT 0;
