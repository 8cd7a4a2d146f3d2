-- Run monitoring (issue #4, "Data engineers"): what each run did per source, and which pages
-- failed to parse in which run — the evidence a health alert points at.

-- One row per (run, page) that an adapter could not parse. The staged item keeps its last good
-- version (a redesign must not erase what was collected); the failure is recorded here.
CREATE TABLE staging.parse_failure (
    run_id      text NOT NULL,
    source_id   text NOT NULL REFERENCES staging.source,
    page_url    text NOT NULL,
    reason      text NOT NULL,
    detail      text,
    raw_sha256  text REFERENCES staging.raw_capture,
    at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, source_id, page_url)
);
CREATE INDEX parse_failure_source_at ON staging.parse_failure (source_id, at);

-- Processing outcomes of one integrate run, per source, for the items published in its interval.
CREATE TABLE process.run_metrics (
    dag_id          text NOT NULL,
    run_id          text NOT NULL,
    source_id       text NOT NULL,
    interval_start  timestamptz NOT NULL,
    interval_end    timestamptz NOT NULL,
    processed       integer NOT NULL DEFAULT 0,  -- staged items of the interval, normalized
    duplicates      integer NOT NULL DEFAULT 0,  -- merged into a story another item represents
    approved        integer NOT NULL DEFAULT 0,
    rejected        integer NOT NULL DEFAULT 0,
    review          integer NOT NULL DEFAULT 0,
    loaded          integer NOT NULL DEFAULT 0,  -- primary of an article in the integration store
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz NOT NULL,
    PRIMARY KEY (dag_id, run_id, source_id)
);
CREATE INDEX process_run_metrics_source ON process.run_metrics (source_id, interval_start);

-- The per-run, per-source figures in one place: ingest runs and the integrate runs over the
-- same interval (the latest of each), with durations.
CREATE VIEW process.source_run_overview AS
SELECT i.source_id, i.interval_start, i.interval_end, i.dag_id AS ingest_dag_id, i.run_id AS ingest_run_id,
       i.listed, i.fetched, i.not_modified, i.unchanged, i.parsed, i.parse_errors, i.fetch_errors,
       i.new_items, i.updated_items, i.finished_at - i.started_at AS ingest_duration, i.last_error,
       p.run_id AS process_run_id, p.processed, p.duplicates, p.approved, p.rejected, p.review, p.loaded,
       p.finished_at - p.started_at AS process_duration
  FROM staging.run_metrics i
  LEFT JOIN LATERAL (
        SELECT * FROM process.run_metrics p
         WHERE p.source_id = i.source_id AND p.interval_start <= i.interval_start
           AND p.interval_end >= i.interval_end
         ORDER BY p.finished_at DESC LIMIT 1) p ON true;
