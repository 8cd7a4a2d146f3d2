-- 010: the English-version figures of the monthly report join its summary (issue #5, report latency).
--
-- The report counted English versions by scanning integration.article and article_translation
-- for every month up to the report's (about 170 ms at 1M articles). These two columns keep that
-- figure per (month, channel, item type) beside `integrated`, recomputed by the same refresh:
--   english_source   integrated stories of the row whose English version is the source's own
--   english_machine  … whose English version is a machine translation
-- (integrated - english_source - english_machine have none.) The translate step refreshes the
-- months whose translations it changed, so the figures stay current between loads.

ALTER TABLE integration.month_summary
    ADD COLUMN english_source  integer NOT NULL DEFAULT 0 CHECK (english_source >= 0),
    ADD COLUMN english_machine integer NOT NULL DEFAULT 0 CHECK (english_machine >= 0),
    ADD CONSTRAINT month_summary_english_within_integrated CHECK (english_source + english_machine <= integrated);
