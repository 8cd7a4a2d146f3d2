"""The whole default scenario: ingest every month, integrate through Airflow, report, compare with the truth.

The reference figure: 2,555 items integrated from 29-3-2023 to the end of April 2024.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import psycopg2
import pytest
from pgutil import query

from portal_etl.pipeline import ingest
from portal_etl.pipeline.process import check_quality
from portal_etl.registry import load_registry
from portal_etl.reporting.payload import build_payload, months_between
from portal_replica.manifest import (
    english_source_versions_by_month,
    integrated_by_month,
    integrated_by_source,
)

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SOURCES = ("dongnai_party", "dongnai_gov", "baodongnai")
# Dedup floors on the replica's ground truth (measured 2026-11: precision 1.000, recall 1.000 on
# 448 true pairs; recall was 0.967 before the same-lead layer of sql/013 joined 14 short stubs
# and one video whose headline had gained or lost "Đồng Nai:"). Precision: a wrong merge hides a
# story from the portal, so it must stay near perfect. Recall: 0.99 lets four of 448 pairs go
# before the test fails.
PRECISION_FLOOR = 0.99
RECALL_FLOOR = 0.99


def store_dump(dsn: str) -> tuple:
    return (
        query(dsn, "SELECT *, xmin::text FROM integration.article ORDER BY story_key"),
        query(dsn, "SELECT *, xmin::text FROM integration.article_source ORDER BY source_id, url"),
        query(dsn, "SELECT *, xmin::text FROM integration.article_history ORDER BY history_id"),
    )


@pytest.fixture(scope="module")
def integrated(pipeline_dsn, replica, airflow_db, manifest):
    from conftest import truncate_all

    from portal_etl.orchestration.dags.integrate import build_integrate_dag

    truncate_all(pipeline_dsn)
    registry = load_registry()
    start, end = datetime(2023, 3, 1, tzinfo=TZ), datetime(2024, 7, 1, tzinfo=TZ)
    for source_id in SOURCES:  # one wide interval per channel: what a backfill of the range does
        ingest.discover(source_id, start, end, dag_id="t", run_id="all", registry=registry)
        ingest.fetch_articles(source_id, start, end, dag_id="t", run_id="all", registry=registry)
    dag = build_integrate_dag()
    dagrun = dag.test(run_conf={"from_month": "2023-03", "to_month": "2024-06"})
    return dag, dagrun


def test_integration_run_succeeds_and_the_store_reconciles(integrated, pipeline_dsn) -> None:
    _, dagrun = integrated
    assert str(dagrun.state).endswith("success")
    assert check_quality(pipeline_dsn) == []


def test_2555_integrated_to_the_end_of_april_2024(integrated, pipeline_dsn, manifest) -> None:
    by_month = dict(
        query(pipeline_dsn, "SELECT story_month, count(*) FROM integration.article GROUP BY story_month ORDER BY 1")
    )
    cumulative = sum(n for month, n in by_month.items() if month <= "2024-04")
    assert cumulative == manifest["expected"]["integrated_total_to_target_end"] == 2555
    assert by_month == integrated_by_month(manifest)


def test_duplicate_detection_precision_and_recall(integrated, pipeline_dsn, manifest, replica) -> None:
    story_of = {}
    for source_id, url, story_key in query(
        pipeline_dsn,
        "SELECT i.source_id, i.page_url, s.story_key FROM process.item_story s JOIN staging.item i USING (item_id)",
    ):
        story_of[(source_id, url)] = story_key

    def pairs(groups: dict) -> set[frozenset]:
        out = set()
        for members in groups.values():
            out.update(frozenset(p) for p in itertools.combinations(sorted(members), 2))
        return out

    truth_groups: dict[str, list] = {}
    for item in manifest["items"]:
        key = (item["source_id"], replica.base_urls[item["source_id"]] + item["path"])
        truth_groups.setdefault(item["story_id"], []).append(key)
    ours_groups: dict[str, list] = {}
    for key, story_key in story_of.items():
        ours_groups.setdefault(story_key, []).append(key)
    truth, ours = pairs(truth_groups), pairs(ours_groups)
    assert truth, "the replica must republish stories across channels"
    precision = len(truth & ours) / len(ours)
    recall = len(truth & ours) / len(truth)
    print(f"dedup on the replica: {len(truth)} true pairs, precision {precision:.4f}, recall {recall:.4f}")
    assert precision >= PRECISION_FLOOR and recall >= RECALL_FLOOR


def test_eth_and_tone_variants_are_merged(integrated, pipeline_dsn, manifest, replica) -> None:
    stories = Counter()
    for item in manifest["items"]:
        if {"eth_title", "tone_old"} & set(item["quirks"]):
            stories[item["story_id"]] += 1
    multi = [s for s, _ in stories.items() if sum(1 for i in manifest["items"] if i["story_id"] == s) > 1]
    assert multi, "the replica must republish some quirky titles"
    articles_per_story = {}
    for story_id in multi:
        urls = [replica.base_urls[i["source_id"]] + i["path"] for i in manifest["items"] if i["story_id"] == story_id]
        keys = query(
            pipeline_dsn,
            "SELECT DISTINCT s.story_key FROM process.item_story s "
            "JOIN staging.item i USING (item_id) WHERE i.page_url = ANY(%s)",
            urls,
        )
        articles_per_story[story_id] = len(keys)
    merged = sum(1 for n in articles_per_story.values() if n == 1)
    assert merged / len(articles_per_story) >= 0.95


def test_stored_titles_are_clean_nfc(integrated, pipeline_dsn) -> None:
    assert query(
        pipeline_dsn,
        "SELECT count(*) FROM integration.article WHERE title ~ '[\u00d0\u00f0]' OR NOT title IS NFC NORMALIZED",
    ) == [(0,)]
    hostile = query(
        pipeline_dsn,
        "SELECT count(*) FROM integration.article WHERE body_html ~* '<script|javascript:|\\son[a-z]+\\s*='",
    )
    assert hostile == [(0,)]


def test_rerunning_every_interval_twice_in_another_order_leaves_the_store_byte_identical(
    integrated, pipeline_dsn
) -> None:
    dag, _ = integrated
    before = store_dump(pipeline_dsn)
    months = [f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13) if "2023-03" <= f"{y}-{m:02d}" <= "2024-06"]
    for month in reversed(months):  # each month on its own, newest first
        dagrun = dag.test(run_conf={"from_month": month, "to_month": month})
        assert str(dagrun.state).endswith("success"), month
    dagrun = dag.test(run_conf={"from_month": "2023-03", "to_month": "2024-06"})  # then all at once
    assert str(dagrun.state).endswith("success")
    assert store_dump(pipeline_dsn) == before


# --- the monthly report over the same store -------------------------------------------------------

SUMMARY = (
    "SELECT month, source_id, item_type, published, published_before_window, integrated, duplicates_merged, "
    "rejected, rejected_by_reason, waiting_review FROM integration.month_summary ORDER BY 1, 2, 3"
)


def payloads(dsn: str, months: list[str]) -> dict[str, dict]:
    registry = load_registry()
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            return {m: build_payload(cur, m, registry) for m in months}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def report_run(integrated, pipeline_dsn, tmp_path_factory):
    import os

    from portal_etl.orchestration.dags.report import build_report_dag

    out = tmp_path_factory.mktemp("reports")
    os.environ["PORTAL_ETL_REPORTS_DIR"] = str(out)
    try:
        dagrun = build_report_dag().test(logical_date=datetime(2024, 5, 1, tzinfo=TZ))  # interval: April 2024
    finally:
        os.environ.pop("PORTAL_ETL_REPORTS_DIR", None)
    return dagrun, out


def test_every_month_integrated_equals_the_manifest(integrated, pipeline_dsn, manifest) -> None:
    truth = integrated_by_month(manifest)
    months = months_between(min(truth), max(truth))
    reports = payloads(pipeline_dsn, months)
    assert {m: reports[m]["month"]["total"]["integrated"] for m in months if truth.get(m)} == truth
    assert all(reports[m]["month"]["total"]["integrated"] == 0 for m in months if m not in truth)


def test_cumulative_2555_to_the_end_of_april_2024_per_channel_and_type(integrated, pipeline_dsn, manifest) -> None:
    expected = manifest["expected"]
    april = payloads(pipeline_dsn, ["2024-04"])["2024-04"]
    assert april["cumulative"]["total"]["integrated"] == expected["integrated_total_to_target_end"] == 2555
    assert {c: f["integrated"] for c, f in april["cumulative"]["channels"].items()} == integrated_by_source(manifest)
    by_type = {t: f["integrated"] for t, f in april["cumulative"]["types"].items() if f["integrated"]}
    assert by_type == expected["integrated_by_type_to_target_end"]


def test_published_per_channel_and_month_equals_the_manifest(integrated, pipeline_dsn, manifest) -> None:
    truth: dict[tuple[str, str], int] = {}
    for item in manifest["items"]:
        key = (item["source_id"], item["published_at_local"][:7])
        truth[key] = truth.get(key, 0) + 1
    ours = {}
    for month, source_id, _type, published, *_ in query(pipeline_dsn, SUMMARY):
        if published:
            ours[(source_id, month)] = ours.get((source_id, month), 0) + published
    assert ours == truth


def test_the_summary_kept_by_the_loads_equals_a_full_recomputation(integrated, pipeline_dsn, manifest) -> None:
    from test_month_summary_facts import recount, stored

    assert stored(pipeline_dsn) == recount(pipeline_dsn, load_registry())


def test_the_report_dag_writes_and_stores_april_2024(report_run, pipeline_dsn) -> None:
    dagrun, out = report_run
    assert str(dagrun.state).endswith("success")
    states = {ti.task_id: str(ti.state).rsplit(".", 1)[-1] for ti in dagrun.get_task_instances()}
    assert states == {"refresh_summary": "success", "build_report": "success", "deliver_report": "skipped"}
    assert sorted(p.name for p in out.iterdir()) == [f"report-2024-04.{x}" for x in ("csv", "html", "json", "xlsx")]
    rows = query(
        pipeline_dsn, "SELECT month, payload->'cumulative'->'total'->>'integrated' FROM integration.monthly_report"
    )
    assert rows == [("2024-04", "2555")]
    assert "2.555" in (out / "report-2024-04.html").read_text(encoding="utf-8")


def test_run_metrics_per_source_reconcile_with_the_store(integrated, pipeline_dsn) -> None:
    _, dagrun = integrated
    rows = query(
        pipeline_dsn,
        "SELECT source_id, processed, duplicates, approved, rejected, review, loaded "
        "FROM process.run_metrics WHERE run_id = %s",
        dagrun.run_id,
    )
    assert {r[0] for r in rows} == set(SOURCES)
    loaded = {r[0]: r[6] for r in rows}
    per_channel = dict(query(pipeline_dsn, "SELECT primary_source_id, count(*) FROM integration.article GROUP BY 1"))
    assert loaded == {s: per_channel.get(s, 0) for s in SOURCES}
    for _, processed, duplicates, approved, rejected, review, _ in rows:
        assert approved + rejected + review == processed > 0
        assert 0 < duplicates < processed


# --- what the demo shows besides the counts: English versions and the review queue ----------------


def test_the_reports_english_table_equals_the_manifest(integrated, report_run, pipeline_dsn, manifest) -> None:
    truth = manifest["expected"]["english_source_versions_by_month"]
    assert truth == english_source_versions_by_month(manifest)  # the generator's truth, recomputed
    months = months_between("2023-03", "2024-06")
    reports = payloads(pipeline_dsn, months)
    ours = {}
    for month in months:
        channels = reports[month]["english_versions"]["month"]["channels"]
        if any(f["source"] for f in channels.values()):
            ours[month] = {c: f["source"] for c, f in channels.items() if f["source"]}
    assert ours == truth
    # the April 2024 report as written to disk: non-zero, the cumulative figure over the same months
    _, out = report_run
    written = json.loads((out / "report-2024-04.json").read_text(encoding="utf-8"))["english_versions"]
    assert written["month"]["total"]["source"] == sum(truth["2024-04"].values()) > 0
    cumulative = written["cumulative"]["total"]
    assert cumulative["source"] == sum(n for m, by in truth.items() if m <= "2024-04" for n in by.values())
    assert cumulative["integrated"] == 2555 and cumulative["none"] == 2555 - cumulative["any"]


def test_the_manifests_review_items_wait_for_an_editor(integrated, pipeline_dsn, manifest, replica) -> None:
    from portal_etl.pipeline.process import review

    _, dagrun = integrated
    expected = manifest["expected"]["waiting_review"]
    assert 3 <= len(expected) <= 8
    waiting = query(
        pipeline_dsn,
        """SELECT d.item_id, i.source_id, i.page_url, d.reason FROM process.decision d
                                       JOIN staging.item i USING (item_id) WHERE d.outcome = 'needs_review'""",
    )
    assert sorted((s, url, r) for _, s, url, r in waiting) == sorted(
        (w["source_id"], replica.base_urls[w["source_id"]] + w["path"], w["reason"]) for w in expected
    )
    assert sorted(row["item_id"] for row in review.list_queue(dsn=pipeline_dsn)) == sorted(r[0] for r in waiting)
    # the queue is announced (review_queue is scheduled on it) and counted in the report's figures
    states = {ti.task_id: str(ti.state).rsplit(".", 1)[-1] for ti in dagrun.get_task_instances()}
    assert states["announce_review_queue"] == "success"
    assert query(pipeline_dsn, "SELECT sum(waiting_review)::int FROM integration.month_summary") == [(len(expected),)]
