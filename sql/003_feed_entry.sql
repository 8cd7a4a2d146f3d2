-- 003: RSS feed entries, the last step of the publish-date chain (visible date → structured data
-- → list page → feed). Kept per source and article URL; the RSS guid is the stable native id.

CREATE TABLE staging.feed_entry (
    source_id          text NOT NULL REFERENCES staging.source,
    url                text NOT NULL,            -- article URL as the feed links it
    guid               text,
    title              text NOT NULL CHECK (title IS NFC NORMALIZED),
    published_hour_utc timestamptz,              -- to the hour only: NukeViet puts the month in the minutes
    first_seen_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, url)
);
