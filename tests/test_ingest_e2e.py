"""Ingest DAGs run by Airflow against the replica on 127.0.0.1: counts, fields, idempotence."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import psycopg2
import pytest
from pgutil import scalar

from portal_etl.normalize.text import fix_eth

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SOURCES = ("dongnai_party", "dongnai_gov", "baodongnai")
APRIL_END = datetime(2024, 5, 1, tzinfo=TZ)  # dag.test runs the interval that ends here


def month_of(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(TZ).strftime("%Y-%m")


def expected_items(manifest: dict, source_id: str, month: str) -> list[dict]:
    return [
        item
        for item in manifest["items"]
        if item["source_id"] == source_id and month_of(item["published_at_local"]) == month
    ]


def staged_rows(dsn: str, source_id: str, month: str) -> list[dict]:
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(
                """SELECT page_url, native_id, title, author, section, item_type, published_at,
                          status, xmin::text AS xmin
                     FROM staging.item
                    WHERE source_id = %s
                      AND to_char(published_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM') = %s
                    ORDER BY page_url""",
                (source_id, month),
            )
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def april_run(pipeline_dsn, replica, airflow_db):
    """Every channel's ingest DAG run once by Airflow for April 2024."""
    from conftest import truncate_all

    truncate_all(pipeline_dsn)
    from portal_etl.orchestration.dags.ingest import build_all

    dags = build_all()
    runs = {s: dags[f"ingest_{s}"].test(logical_date=APRIL_END) for s in SOURCES}
    return dags, runs


def test_every_channel_run_succeeds(april_run) -> None:
    _, runs = april_run
    for source_id, dagrun in runs.items():
        assert str(dagrun.state).endswith("success"), source_id


@pytest.mark.parametrize("source_id", SOURCES)
def test_staged_items_equal_the_manifest(april_run, pipeline_dsn, manifest, replica, source_id) -> None:
    expected = expected_items(manifest, source_id, "2024-04")
    rows = staged_rows(pipeline_dsn, source_id, "2024-04")
    assert [r for r in rows if r["status"] != "staged"] == []
    assert len(rows) == len(expected) > 0
    base = replica.base_urls[source_id]
    by_url = {r["page_url"]: r for r in rows}
    for item in expected:
        row = by_url[base + item["path"]]
        assert fix_eth(row["title"]) == item["title"]
        assert row["item_type"] == item["item_type"]
        assert row["section"] == item["section"]
        assert row["native_id"] == item["native_id"]
        assert row["published_at"] == datetime.fromisoformat(item["published_at_local"])
        if item.get("author"):
            assert row["author"] == item["author"]


def test_month_boundary_is_local_time(april_run, pipeline_dsn, manifest) -> None:
    """An item at 00:30 on 1-5-2024 is May (it is still April in UTC) and is not in April's run."""
    boundary = [
        i
        for i in manifest["items"]
        if "month_boundary" in i["quirks"] and i["published_at_local"].startswith("2024-05-01")
    ]
    assert boundary, "the replica must have items just after midnight on 1-5-2024"
    for item in boundary:
        assert (
            scalar(
                pipeline_dsn,
                "SELECT count(*) FROM staging.item WHERE native_id = %s AND source_id = %s",
                item["native_id"],
                item["source_id"],
            )
            == 0
        )


def test_run_metrics_and_fetch_events_are_recorded(april_run, pipeline_dsn, manifest) -> None:
    for source_id in SOURCES:
        expected = len(expected_items(manifest, source_id, "2024-04"))
        conn = psycopg2.connect(pipeline_dsn)
        with conn.cursor() as cur:
            cur.execute(
                "SELECT listed, parsed, new_items, parse_errors, list_pages "
                "FROM staging.run_metrics WHERE source_id = %s",
                (source_id,),
            )
            listed, parsed, new, errors, pages = cur.fetchone()
            cur.execute(
                "SELECT outcome, count(*) FROM staging.fetch_event WHERE source_id = %s GROUP BY outcome", (source_id,)
            )
            outcomes = Counter(dict(cur.fetchall()))
        conn.close()
        assert new == expected and errors == 0 and pages >= 1
        assert listed >= expected  # multi-category items are listed twice, staged once
        assert outcomes["ok"] >= expected + pages


def test_rerun_of_the_interval_changes_nothing(april_run, pipeline_dsn) -> None:
    dags, _ = april_run
    before = {s: staged_rows(pipeline_dsn, s, "2024-04") for s in SOURCES}
    items_before = scalar(pipeline_dsn, "SELECT count(*) FROM staging.item")
    articles_before = scalar(pipeline_dsn, "SELECT count(*) FROM staging.fetch_event WHERE purpose = 'article'")
    for source_id in SOURCES:
        dagrun = dags[f"ingest_{source_id}"].test(logical_date=APRIL_END)
        assert str(dagrun.state).endswith("success")
    # the replica's April 2024 was months old when first read: every article is settled, so the
    # re-run reads the list pages and asks for no article
    assert scalar(pipeline_dsn, "SELECT count(*) FROM staging.fetch_event WHERE purpose = 'article'") == articles_before
    settled = scalar(
        pipeline_dsn, "SELECT sum(articles_settled) FROM staging.run_metrics WHERE finished_at IS NOT NULL"
    )
    assert settled >= sum(len(rows) for rows in before.values()) > 0
    # asked to refresh them (the DAG's param, as `--refresh-settled` sends it), the pass is
    # answered from the conditional-GET state, not re-downloaded
    for source_id in SOURCES:
        dagrun = dags[f"ingest_{source_id}"].test(logical_date=APRIL_END, run_conf={"refresh_settled": True})
        assert str(dagrun.state).endswith("success")
    assert scalar(pipeline_dsn, "SELECT count(*) FROM staging.fetch_event WHERE purpose = 'article'") > articles_before
    after = {s: staged_rows(pipeline_dsn, s, "2024-04") for s in SOURCES}
    assert after == before  # including xmin: not one row was rewritten
    assert scalar(pipeline_dsn, "SELECT count(*) FROM staging.item") == items_before
    assert scalar(pipeline_dsn, "SELECT count(*) FROM staging.item_history") == 0
    not_modified = scalar(
        pipeline_dsn,
        "SELECT sum(not_modified + unchanged) FROM staging.run_metrics WHERE new_items = 0 AND finished_at IS NOT NULL",
    )
    assert not_modified > 0
