-- 001: staging schema — sources, fetch events, raw captures, list entries, staged items, run metrics.
-- Append-only: never edit an applied migration; add 002_… instead (the runner checks checksums).

CREATE SCHEMA IF NOT EXISTS staging;

-- One row per registry entry, refreshed from config/sources.yaml at the start of each run so
-- that SQL readers (reports, status) see display names and live dates without the YAML.
CREATE TABLE staging.source (
    source_id     text PRIMARY KEY,
    display_name  text NOT NULL,
    base_url      text,
    adapter       text NOT NULL,
    live_since    date NOT NULL,
    config        jsonb NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Raw response bodies, gzip-compressed and content-addressed (sha256 of the uncompressed bytes):
-- every staged item points at the exact bytes it was extracted from. In PostgreSQL rather than
-- on a local disk so that workers on several machines share them.
CREATE TABLE staging.raw_capture (
    sha256          text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content_gz      bytea NOT NULL,
    size_bytes      integer NOT NULL CHECK (size_bytes >= 0),
    content_type    text,
    first_seen_at   timestamptz NOT NULL DEFAULT now()
);

-- Conditional-GET state per URL (ETag / Last-Modified / last body hash).
CREATE TABLE staging.page_state (
    url             text PRIMARY KEY,
    source_id       text NOT NULL REFERENCES staging.source,
    etag            text,
    last_modified   text,
    content_sha256  text REFERENCES staging.raw_capture,
    last_status     integer,
    last_fetched_at timestamptz NOT NULL
);

-- Every fetch is an event. outcome is a closed vocabulary (docs/vocabulary.md).
CREATE TABLE staging.fetch_event (
    event_id        bigserial PRIMARY KEY,
    run_id          text NOT NULL,
    source_id       text NOT NULL REFERENCES staging.source,
    url             text NOT NULL,
    final_url       text,
    purpose         text NOT NULL CHECK (purpose IN ('list', 'article', 'feed')),
    status          integer,
    outcome         text NOT NULL CHECK (outcome IN (
                        'ok', 'not_modified', 'unchanged', 'http_error', 'too_large', 'timeout',
                        'connection_error', 'blocked_robots', 'blocked_domain', 'redirect_loop',
                        'too_many_redirects', 'not_html')),
    bytes           integer NOT NULL DEFAULT 0,
    duration_ms     integer NOT NULL DEFAULT 0,
    attempts        integer NOT NULL DEFAULT 1,
    content_sha256  text,
    error           text,
    fetched_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX fetch_event_source_time ON staging.fetch_event (source_id, fetched_at);
CREATE INDEX fetch_event_run ON staging.fetch_event (run_id);

-- What list (category) pages showed: the candidate articles of each interval.
CREATE TABLE staging.list_entry (
    source_id         text NOT NULL REFERENCES staging.source,
    url               text NOT NULL,           -- absolute article URL as linked
    section           text NOT NULL,
    title             text NOT NULL CHECK (title IS NFC NORMALIZED),
    listed_at         timestamptz,             -- time shown on the list page
    listed_date_only  boolean NOT NULL DEFAULT false,
    native_id         text,
    first_seen_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, url)
);
CREATE INDEX list_entry_source_listed ON staging.list_entry (source_id, listed_at);

-- Staged items: one row per article page (keyed by the canonicalised URL it was fetched from).
-- status 'parse_error' rows keep the reason; they are never half-filled as if good.
CREATE TABLE staging.item (
    item_id         bigserial PRIMARY KEY,
    source_id       text NOT NULL REFERENCES staging.source,
    page_url        text NOT NULL,             -- final URL after redirects
    status          text NOT NULL CHECK (status IN ('staged', 'parse_error')),
    parse_error     text,
    parse_error_detail text,
    canonical_url   text,
    native_id       text,
    title           text CHECK (title IS NFC NORMALIZED),
    sapo            text CHECK (sapo IS NFC NORMALIZED),
    body_text       text CHECK (body_text IS NFC NORMALIZED),
    body_html       text,
    published_at    timestamptz,
    author          text CHECK (author IS NFC NORMALIZED),
    section         text,
    item_type       text CHECK (item_type IN ('tin', 'bai', 'video', 'podcast', 'infographic', 'photo')),
    language        text,
    tags            text[] NOT NULL DEFAULT '{}',
    images          jsonb NOT NULL DEFAULT '[]',
    video_url       text,
    field_sources   jsonb NOT NULL DEFAULT '{}',
    raw_sha256      text REFERENCES staging.raw_capture,
    content_hash    text NOT NULL,             -- hash of the extracted fields: change detection
    first_seen_at   timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_id, page_url),
    CHECK (status = 'parse_error' OR (title IS NOT NULL AND published_at IS NOT NULL
                                      AND item_type IS NOT NULL AND canonical_url IS NOT NULL)),
    CHECK (status = 'staged' OR parse_error IS NOT NULL)
);
CREATE INDEX item_source_published ON staging.item (source_id, published_at);

-- Re-scraped items keep their history: the previous version of a changed row.
CREATE TABLE staging.item_history (
    history_id      bigserial PRIMARY KEY,
    item_id         bigint NOT NULL,
    replaced_at     timestamptz NOT NULL DEFAULT now(),
    previous        jsonb NOT NULL
);

CREATE FUNCTION staging.keep_item_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO staging.item_history (item_id, previous) VALUES (OLD.item_id, to_jsonb(OLD));
    RETURN NEW;
END $$;

CREATE TRIGGER item_keep_history BEFORE UPDATE ON staging.item
    FOR EACH ROW WHEN (OLD.content_hash IS DISTINCT FROM NEW.content_hash)
    EXECUTE FUNCTION staging.keep_item_history();

-- Per-run, per-source metrics; each task upserts its own columns, so a retried task
-- overwrites its figures instead of adding to them.
CREATE TABLE staging.run_metrics (
    dag_id          text NOT NULL,
    run_id          text NOT NULL,
    source_id       text NOT NULL REFERENCES staging.source,
    interval_start  timestamptz NOT NULL,
    interval_end    timestamptz NOT NULL,
    list_pages      integer NOT NULL DEFAULT 0,
    listed          integer NOT NULL DEFAULT 0,
    fetched         integer NOT NULL DEFAULT 0,
    not_modified    integer NOT NULL DEFAULT 0,
    unchanged       integer NOT NULL DEFAULT 0,
    parsed          integer NOT NULL DEFAULT 0,
    parse_errors    integer NOT NULL DEFAULT 0,
    fetch_errors    integer NOT NULL DEFAULT 0,
    new_items       integer NOT NULL DEFAULT 0,
    updated_items   integer NOT NULL DEFAULT 0,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    last_error      text,
    PRIMARY KEY (dag_id, run_id, source_id)
);
CREATE INDEX run_metrics_source_interval ON staging.run_metrics (source_id, interval_start);
