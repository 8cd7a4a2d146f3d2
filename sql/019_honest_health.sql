-- 019: honest health and alert mails (issue #14, parts 4 and 3). Append-only like the others.
--
-- staging.run_metrics_try  what each try of each ingest task counted: one row per (run, source,
--                          step, try), written in the same transaction as the page it counts, so
--                          a try that fails, or is SIGKILLed, keeps what it committed. The
--                          step's counters are a jsonb object keyed by the staging.run_metrics
--                          column they add to (portal_etl.db.staging.DISCOVER_COLUMNS and the
--                          rest for 'fetch').
-- staging.run_metrics      stays the one row per run and source that every reader uses; its
--                          counters are now the sums over all tries of the run (``listed``, the
--                          distinct candidates of the interval, is the largest of the tries), so
--                          after a retry the totals equal what was staged over all tries (before,
--                          the last try overwrote the others: "60 new while 71 were staged").
--                          ``tries``: the highest try number of any task of the run.
--
-- The list-walk evidence that tells a quiet month from a broken source (monitoring/health.py):
--   list_entries                entries read on list pages (after the adapter's skip rules);
--   list_entries_before_window  of them, dated before the interval (the walk went past it);
--   list_entries_after_window   of them, dated at or after its end;
--   list_fetch_errors           list-page fetches that failed;
--   sections_walked             sections whose walk reached an entry older than the interval or the
--                               end of the list: nothing in the interval can have been missed;
--   sections_cut_short          sections whose walk stopped before that (a failed fetch, a first
--                               page without entries, a pager cycle or the page limit).
-- health_status / health_note: the health check's verdict on the run, 'healthy', 'quiet' (list
-- pages read fine, nothing dated in the interval: a warning, the run succeeds) or 'broken' (the
-- run failed; last_error says why), with the warning or the problems in words.

CREATE TABLE staging.run_metrics_try (
    dag_id       text NOT NULL,
    run_id       text NOT NULL,
    source_id    text NOT NULL REFERENCES staging.source,
    step         text NOT NULL CHECK (step IN ('discover', 'fetch')),
    try_number   integer NOT NULL CHECK (try_number >= 1),
    counts       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(counts) = 'object'),
    started_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    PRIMARY KEY (dag_id, run_id, source_id, step, try_number)
);

ALTER TABLE staging.run_metrics ADD COLUMN tries integer NOT NULL DEFAULT 1;
ALTER TABLE staging.run_metrics ADD COLUMN list_entries integer NOT NULL DEFAULT 0;
ALTER TABLE staging.run_metrics ADD COLUMN list_entries_before_window integer NOT NULL DEFAULT 0;
ALTER TABLE staging.run_metrics ADD COLUMN list_entries_after_window integer NOT NULL DEFAULT 0;
ALTER TABLE staging.run_metrics ADD COLUMN list_fetch_errors integer NOT NULL DEFAULT 0;
ALTER TABLE staging.run_metrics ADD COLUMN sections_walked integer NOT NULL DEFAULT 0;
ALTER TABLE staging.run_metrics ADD COLUMN sections_cut_short integer NOT NULL DEFAULT 0;
ALTER TABLE staging.run_metrics ADD COLUMN health_status text
    CHECK (health_status IN ('healthy', 'quiet', 'broken'));
ALTER TABLE staging.run_metrics ADD COLUMN health_note text;

-- Runs recorded before this migration become one try of each step, so a later retry of such a
-- run adds to its figures instead of replacing them.
INSERT INTO staging.run_metrics_try (dag_id, run_id, source_id, step, try_number, counts, started_at,
                                     updated_at, finished_at)
SELECT dag_id, run_id, source_id, 'discover', 1,
       jsonb_build_object('list_pages', list_pages, 'list_pages_reused', list_pages_reused, 'listed', listed,
                          'list_hint_misses', list_hint_misses),
       started_at, COALESCE(finished_at, started_at), NULL
  FROM staging.run_metrics
UNION ALL
SELECT dag_id, run_id, source_id, 'fetch', 1,
       jsonb_build_object('fetched', fetched, 'not_modified', not_modified, 'unchanged', unchanged,
                          'parsed', parsed, 'parse_errors', parse_errors, 'fetch_errors', fetch_errors,
                          'new_items', new_items, 'updated_items', updated_items, 'hint_misses', hint_misses,
                          'pages_with_hint_misses', pages_with_hint_misses),
       started_at, COALESCE(finished_at, started_at), finished_at
  FROM staging.run_metrics;

-- Alert mails (issue #14, part 3): one row per alert e-mailed, claimed in the transaction that
-- sends it (portal_etl.monitoring.alerts). The key allows at most one mail per source per DAG run
-- ('run:<dag_id>:<run_id>:<source_id or ->': a source-health alarm *is* the failure of its check
-- task, so the alarm and the failure it causes are one mail) and one per late monthly report
-- ('report_deadline:<YYYY-MM>'). A send that fails rolls the claim back: the next alert may try.
CREATE TABLE staging.alert_mail (
    alert_key   text PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('task_failure', 'source_health', 'report_deadline')),
    dag_id      text,
    run_id      text,
    task_id     text,
    source_id   text,
    month       text CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    recipients  text[] NOT NULL CHECK (cardinality(recipients) > 0),
    subject     text NOT NULL,
    sent_at     timestamptz NOT NULL DEFAULT now()
);

-- Privileges as for the other staging tables (sql/005_roles.sql), stated for a migrating user
-- other than the one that ran 005.
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON staging.run_metrics_try, staging.alert_mail TO portal_etl_pipeline;
GRANT SELECT ON staging.run_metrics_try, staging.alert_mail TO portal_etl_loader;
