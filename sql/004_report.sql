-- 004: the monthly integration report — a per-month summary kept current by the load, and the
-- stored reports. Append-only like the others.
--
-- integration.month_summary  one row per (local month, channel, item type): what the channel
--                            published and what became of it. Recomputed month by month by
--                            portal_etl.reporting.summary.refresh_month_summary inside the load's
--                            transaction, so the report never reads the processing tables.
--                            The categories partition `published`:
--                              published = integrated + duplicates_merged + rejected + waiting_review
--                                          (+ items not decided yet, none after a complete run)
-- integration.monthly_report one row per report month: the JSON payload, its hash and the files.

CREATE TABLE integration.month_summary (
    month                    text NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),  -- local (Asia/Ho_Chi_Minh)
    source_id                text NOT NULL,
    item_type                text NOT NULL,
    -- staged items of the channel published in the month (every crawled section)
    published                integer NOT NULL DEFAULT 0 CHECK (published >= 0),
    -- of those, published before the channel's approval.window_start (the integration start)
    published_before_window  integer NOT NULL DEFAULT 0 CHECK (published_before_window >= 0),
    -- integrated stories whose primary is this channel's, by the story's month and type
    integrated               integer NOT NULL DEFAULT 0 CHECK (integrated >= 0),
    -- approved or rejected items merged as non-primary members into an integrated story
    duplicates_merged        integer NOT NULL DEFAULT 0 CHECK (duplicates_merged >= 0),
    -- rejected items that are not merged duplicates, total and per reason (process REASONS)
    rejected                 integer NOT NULL DEFAULT 0 CHECK (rejected >= 0),
    rejected_by_reason       jsonb NOT NULL DEFAULT '{}' CHECK (
                                 jsonb_typeof(rejected_by_reason) = 'object'
                                 AND rejected_by_reason - ARRAY['section_not_integrated', 'before_window',
                                     'too_short', 'no_date', 'language', 'unknown_section',
                                     'possible_duplicate', 'editor'] = '{}'::jsonb),
    waiting_review           integer NOT NULL DEFAULT 0 CHECK (waiting_review >= 0),
    refreshed_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (month, source_id, item_type)
);

CREATE TABLE integration.monthly_report (
    month         text PRIMARY KEY CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    generated_at  timestamptz NOT NULL DEFAULT now(),  -- when the payload last changed
    content_hash  text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),  -- sha256 of the canonical payload
    payload       jsonb NOT NULL,
    files         jsonb NOT NULL DEFAULT '{}'  -- format → path of the written file
);

-- Privileges: sql/005_roles.sql (the loader writes these tables, the report reader reads them).
