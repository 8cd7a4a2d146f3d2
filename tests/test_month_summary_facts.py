"""The month summary refreshed incrementally from its facts (sql/016) equals a full recount.

The store of tests/test_report.py goes through the pipeline's own functions step by step
(normalise/dedup/policy/load in two batches, a re-run that changes nothing, an editor's decision,
a machine translation, a re-scrape that moves an item to another month, the withdrawal of an
editor's decision, an item leaving the staged status, a staged item deleted). After each step,
the summary those functions left behind (each refresh only recomputing the facts its triggers
queued) must equal a recount of every month straight from the processing tables: the statement
the summary was computed with before sql/016.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import psycopg2
import pytest
from pgutil import query, scalar
from test_report import ITEMS, REG, local, stage_items

from portal_etl.db import PIPELINE_ROLE, connect
from portal_etl.db.staging import upsert_item
from portal_etl.models import ExtractedItem
from portal_etl.months import LOCAL_TZ
from portal_etl.pipeline.process import process_interval, review
from portal_etl.registry.schema import Approval
from portal_etl.reporting import summary
from portal_etl.translation.backends import LibreTranslate
from portal_etl.translation.run import store_machine

COLUMNS = (
    "month, source_id, item_type, published, published_before_window, integrated, duplicates_merged, "
    "rejected, rejected_by_reason, waiting_review, english_source, english_machine"
)

# Every month recounted from the processing tables: the refresh's statement before sql/016.
RECOUNT = """
WITH windows AS (
    SELECT * FROM unnest(%(sources)s::text[], %(windows)s::timestamptz[]) AS w(source_id, window_start)
), items AS (
    SELECT to_char(n.published_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM') AS month,
           n.source_id, coalesce(n.item_type, 'unknown') AS item_type,
           n.published_at < coalesce(w.window_start, %(default_window)s::timestamptz) AS before_window,
           d.outcome, d.reason,
           (a.item_id IS NOT NULL AND NOT a.is_primary AND d.outcome IN ('approved', 'rejected')) AS merged
      FROM process.normalized_item n
      JOIN staging.item i ON i.item_id = n.item_id AND i.status = 'staged'
      LEFT JOIN windows w ON w.source_id = n.source_id
      LEFT JOIN process.decision d ON d.item_id = n.item_id
      LEFT JOIN integration.article_source a ON a.item_id = n.item_id
     WHERE n.published_at IS NOT NULL
), item_counts AS (
    SELECT month, source_id, item_type, count(*) AS published,
           count(*) FILTER (WHERE before_window) AS published_before_window,
           count(*) FILTER (WHERE merged) AS duplicates_merged,
           count(*) FILTER (WHERE outcome = 'rejected' AND NOT merged) AS rejected,
           count(*) FILTER (WHERE outcome = 'needs_review') AS waiting_review
      FROM items GROUP BY 1, 2, 3
), reasons AS (
    SELECT month, source_id, item_type, jsonb_object_agg(reason, n ORDER BY reason) AS by_reason
      FROM (SELECT month, source_id, item_type, reason, count(*) AS n FROM items
             WHERE outcome = 'rejected' AND NOT merged GROUP BY 1, 2, 3, 4) x
     GROUP BY 1, 2, 3
), integrated AS (
    SELECT a.story_month AS month, a.primary_source_id AS source_id, a.item_type, count(*) AS integrated,
           count(*) FILTER (WHERE t.origin = 'source') AS english_source,
           count(*) FILTER (WHERE t.origin = 'machine') AS english_machine
      FROM integration.article a
      LEFT JOIN integration.article_translation t ON t.story_key = a.story_key AND t.language = 'en'
     GROUP BY 1, 2, 3
)
SELECT month, source_id, item_type, coalesce(c.published, 0), coalesce(c.published_before_window, 0),
       coalesce(g.integrated, 0), coalesce(c.duplicates_merged, 0), coalesce(c.rejected, 0),
       coalesce(r.by_reason, '{}'::jsonb), coalesce(c.waiting_review, 0),
       coalesce(g.english_source, 0), coalesce(g.english_machine, 0)
  FROM item_counts c
  FULL JOIN integrated g USING (month, source_id, item_type)
  LEFT JOIN reasons r USING (month, source_id, item_type)
 ORDER BY 1, 2, 3
"""


def recount(dsn: str, registry=REG) -> list[tuple]:
    sources, windows = summary._windows(registry)
    default = summary.dates.local_midnight(Approval().window_start, LOCAL_TZ)
    conn = psycopg2.connect(dsn, options="-c timezone=UTC")
    try:
        with conn.cursor() as cur:
            cur.execute(RECOUNT, {"sources": sources, "windows": windows, "default_window": default})
            return cur.fetchall()
    finally:
        conn.close()


def stored(dsn: str) -> list[tuple]:
    return query(dsn, f"SELECT {COLUMNS} FROM integration.month_summary ORDER BY 1, 2, 3")


def assert_current(dsn: str) -> list[tuple]:
    """The summary as the pipeline left it equals the recount, and nothing is left queued."""
    assert scalar(dsn, "SELECT count(*) FROM integration.month_summary_dirty_item") == 0
    assert scalar(dsn, "SELECT count(*) FROM integration.month_summary_dirty_story") == 0
    rows = stored(dsn)
    assert rows == recount(dsn)
    return rows


def month_row(rows: list[tuple], month: str, source_id: str, item_type: str) -> tuple | None:
    return next((r for r in rows if r[:3] == (month, source_id, item_type)), None)


@pytest.fixture(scope="module")
def ids(pipeline_dsn: str) -> dict[str, int]:
    from conftest import truncate_all

    truncate_all(pipeline_dsn)
    return stage_items(pipeline_dsn)


def test_incremental_refreshes_equal_a_full_recount_after_every_kind_of_write(ids, pipeline_dsn) -> None:
    dsn = pipeline_dsn
    spec = {s.key: s for s in ITEMS}

    # normalise → dedup → policy → load, two batches (the second changes stories of the first)
    process_interval(local(2023, 3, 1), local(2024, 4, 11), dag_id="t_facts", run_id="r1", dsn=dsn)
    assert_current(dsn)
    process_interval(local(2024, 4, 11), local(2024, 6, 1), dag_id="t_facts", run_id="r2", dsn=dsn)
    rows = assert_current(dsn)
    assert sum(r[3] for r in rows) == len(ITEMS)

    # a re-run of the whole range finds nothing to change: the same summary, nothing queued
    process_interval(local(2023, 3, 1), local(2024, 6, 1), dag_id="t_facts", run_id="r1-again", dsn=dsn)
    assert assert_current(dsn) == rows

    # an editor's decision (review runs dedup, policy and load for the story)
    review.approve(ids["unknown"], "Nguyễn Văn A", "chuyên mục mới", dsn=dsn, registry=REG)
    rows = assert_current(dsn)
    assert month_row(rows, "2024-04", "dongnai_party", "tin")[5] == 1  # integrated now

    # a machine translation stored by the translate step (the engine is not called here)
    key, content_hash = query(
        dsn, "SELECT story_key, content_hash FROM integration.article WHERE primary_item_id = %s", ids["news"]
    )[0]
    conn = connect(dsn, "t-facts")
    with conn, conn.cursor() as cur:
        written = store_machine(
            cur,
            [
                {
                    "story_key": key,
                    "content_hash": content_hash,
                    "title": "News",
                    "sapo": "",
                    "body_html": "<p>News.</p>",
                    "translated_at": local(2024, 5, 2),
                }
            ],
            LibreTranslate("http://127.0.0.1:9", model="test"),
            REG,
        )
    conn.close()
    assert written == 1
    rows = assert_current(dsn)
    assert month_row(rows, "2024-04", "baodongnai", "tin")[11] == 1  # english_machine

    # a re-scrape moves a rejected item (not in any story) from April to March: the load's months
    # are the item's new month and its stories'; the old month changes all the same
    sport = spec["sport"]
    april_before = month_row(rows, "2024-04", sport.source_id, sport.item_type)
    row = query(
        dsn,
        "SELECT page_url, canonical_url, title, sapo, body_text, body_html FROM staging.item WHERE item_id = %s",
        ids["sport"],
    )[0]
    moved = sport.published - timedelta(days=30)
    conn = psycopg2.connect(dsn, options="-c timezone=UTC")
    with conn, conn.cursor() as cur:
        assert (
            upsert_item(
                cur,
                sport.source_id,
                row[0],
                ExtractedItem(
                    source_id=sport.source_id,
                    url=row[0],
                    canonical_url=row[1],
                    native_id=None,
                    title=row[2],
                    sapo=row[3],
                    body_text=row[4],
                    body_html=row[5],
                    published_at=moved,
                    author=None,
                    section=sport.section,
                    item_type=sport.item_type,
                ),
                None,
            )
            == "updated"
        )
    conn.close()
    process_interval(local(2024, 3, 1), local(2024, 4, 1), dag_id="t_facts", run_id="r3", dsn=dsn)
    rows = assert_current(dsn)
    april_after = month_row(rows, "2024-04", sport.source_id, sport.item_type)
    assert april_after[3] == april_before[3] - 1

    # the editor's decision withdrawn: the policy decides again
    review.reopen(ids["unknown"], "Nguyễn Văn A", "trả lại", dsn=dsn, registry=REG)
    rows = assert_current(dsn)
    assert month_row(rows, "2024-04", "dongnai_party", "tin")[9] == 1  # waiting for review again

    # an item that is no longer staged is withdrawn by the normalise stage (its story loses it)
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "UPDATE staging.item SET status = 'parse_error', parse_error = 'gone', content_hash = 'x' "
            "WHERE item_id = %s",
            (ids["repub"],),
        )
    conn.close()
    process_interval(local(2024, 4, 1), local(2024, 5, 1), dag_id="t_facts", run_id="r4", dsn=dsn)
    rows = assert_current(dsn)
    assert sum(r[3] for r in rows) == len(ITEMS) - 1

    # a staged item deleted (its normalised row and decision go with it): the next run's load
    # refreshes its month from what the triggers queued
    stub = spec["stub"]
    before = month_row(rows, "2024-04", stub.source_id, stub.item_type)
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute("DELETE FROM staging.item WHERE item_id = %s", (ids["stub"],))
    conn.close()
    process_interval(local(2024, 4, 1), local(2024, 5, 1), dag_id="t_facts", run_id="r5", dsn=dsn)
    rows = assert_current(dsn)
    assert sum(r[3] for r in rows) == len(ITEMS) - 2
    after = month_row(rows, "2024-04", stub.source_id, stub.item_type)  # gone with its last item
    assert ((after[3], after[7]) if after else (0, 0)) == (before[3] - 1, before[7] - 1)  # published, rejected

    # and asking for every month again (what a report does for the months it reads) changes nothing
    conn = psycopg2.connect(dsn, options="-c timezone=UTC")
    try:
        with conn.cursor() as cur:
            summary.refresh_month_summary(cur, sorted({r[0] for r in rows}), REG)
            cur.execute(f"SELECT {COLUMNS} FROM integration.month_summary ORDER BY 1, 2, 3")
            assert cur.fetchall() == rows
    finally:
        conn.rollback()
        conn.close()


def test_a_truncated_source_table_rebuilds_every_fact(ids, pipeline_dsn) -> None:
    """TRUNCATE fires no row or statement DELETE trigger: it queues 'every key' instead."""
    conn = psycopg2.connect(pipeline_dsn, options="-c timezone=UTC")
    try:
        with conn.cursor() as cur:
            cur.execute("TRUNCATE integration.article_translation")
            cur.execute("SELECT count(*), count(story_key) FROM integration.month_summary_dirty_story")
            assert cur.fetchone() == (1, 0)
            summary.refresh_month_summary(cur, [], REG)
            cur.execute("SELECT count(*) FROM integration.month_summary_story WHERE english_origin IS NOT NULL")
            assert cur.fetchone()[0] == 0
            cur.execute("SELECT sum(english_machine) FROM integration.month_summary")
            assert cur.fetchone()[0] == 0
    finally:
        conn.rollback()
        conn.close()


def test_the_pipeline_role_queues_through_the_triggers_but_cannot_write_the_facts(ids, pipeline_dsn) -> None:
    conn = connect(pipeline_dsn, "t-facts", role=PIPELINE_ROLE)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "UPDATE process.decision SET outcome = 'rejected', reason = 'editor', decided_by = 'x' "
                "WHERE item_id = %s",
                (ids["march"],),
            )
            cur.execute("SELECT array_agg(item_id) FROM integration.month_summary_dirty_item")
            assert cur.fetchone()[0] == [ids["march"]]
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute("DELETE FROM integration.month_summary_item")
    finally:
        conn.rollback()
        conn.close()


def test_an_update_that_changes_no_input_queues_nothing(ids, pipeline_dsn) -> None:
    conn = psycopg2.connect(pipeline_dsn)
    try:
        with conn.cursor() as cur:
            cur.execute("UPDATE process.decision SET decided_at = now(), note = %s", (hashlib.sha1(b"x").hexdigest(),))
            cur.execute("UPDATE integration.article SET updated_at = now()")
            cur.execute(
                "SELECT (SELECT count(*) FROM integration.month_summary_dirty_item), "
                "(SELECT count(*) FROM integration.month_summary_dirty_story)"
            )
            assert cur.fetchone() == (0, 0)
    finally:
        conn.rollback()
        conn.close()
