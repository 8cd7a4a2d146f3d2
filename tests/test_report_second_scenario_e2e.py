"""The report on a second replica scenario (other seed, months, window and volume) equals that
scenario's own ground truth: the figures come from the store, not from the default numbers."""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

import psycopg2
import pytest

from portal_etl.pipeline import ingest
from portal_etl.pipeline.process import process_interval
from portal_etl.registry import load_registry
from portal_etl.reporting.payload import build_payload, months_between
from portal_replica.generator import ScenarioParams, generate
from portal_replica.manifest import integrated_by_month, integrated_by_source, integrated_total

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# four months around a year end, integration starting mid-December, a tenth of the volume
PARAMS = ScenarioParams(
    seed=7,
    start=date(2023, 12, 1),
    end=date(2024, 3, 31),
    window_start=date(2023, 12, 11),
    target_end=date(2024, 2, 29),
    target_integrated=240,
    party_live=date(2024, 1, 8),
)


def query(dsn: str, sql: str) -> list[tuple]:
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def second(pipeline_dsn, tmp_path_factory):
    import yaml
    from conftest import truncate_all

    from portal_replica.manifest import load_manifest
    from portal_replica.server import ReplicaServer

    out = tmp_path_factory.mktemp("replica2")
    generate(PARAMS, out)
    previous = os.environ.get("PORTAL_ETL_SOURCES_OVERRIDES")
    server = ReplicaServer(out).start()
    try:
        overrides = server.overrides()
        for entry in overrides["sources"].values():  # this scenario's integration start
            entry["approval"] = {"window_start": PARAMS.window_start.isoformat()}
        path = out / "overrides.yaml"
        path.write_text(yaml.safe_dump(overrides, allow_unicode=True), encoding="utf-8")
        os.environ["PORTAL_ETL_SOURCES_OVERRIDES"] = str(path)
        registry = load_registry()
        truncate_all(pipeline_dsn)
        start, end = datetime(2023, 12, 1, tzinfo=TZ), datetime(2024, 4, 1, tzinfo=TZ)
        for source_id in registry.ids:
            ingest.discover(source_id, start, end, dag_id="t2", run_id="all", registry=registry)
            ingest.fetch_articles(source_id, start, end, dag_id="t2", run_id="all", registry=registry)
        process_interval(start, end, dag_id="t2", run_id="all", dsn=pipeline_dsn, registry=registry)
    finally:
        server.stop()
        if previous is None:
            os.environ.pop("PORTAL_ETL_SOURCES_OVERRIDES", None)
        else:
            os.environ["PORTAL_ETL_SOURCES_OVERRIDES"] = previous
    conn = psycopg2.connect(pipeline_dsn)
    try:
        with conn.cursor() as cur:
            reports = {m: build_payload(cur, m, registry) for m in months_between("2023-12", "2024-03")}
    finally:
        conn.close()
    return load_manifest(out), reports


def test_every_month_integrated_equals_this_scenarios_manifest(second) -> None:
    manifest, reports = second
    assert {m: r["month"]["total"]["integrated"] for m, r in reports.items()} == integrated_by_month(manifest)


def test_cumulative_and_per_channel_equal_this_scenarios_manifest(second) -> None:
    manifest, reports = second
    february = reports["2024-02"]
    assert february["period"]["cumulative_since"] == PARAMS.window_start.isoformat()
    total = integrated_total(manifest)
    assert (
        february["cumulative"]["total"]["integrated"]
        == total
        == manifest["expected"]["integrated_total_to_target_end"]
        == PARAMS.target_integrated
    )
    assert {c: f["integrated"] for c, f in february["cumulative"]["channels"].items()} == integrated_by_source(manifest)


def test_published_and_rejected_before_the_window_follow_this_scenario(second) -> None:
    manifest, reports = second
    for month, report in reports.items():
        items = [i for i in manifest["items"] if i["published_at_local"][:7] == month]
        assert report["month"]["total"]["published"] == len(items), month
        early = sum(1 for i in items if i["published_at_local"][:10] < PARAMS.window_start.isoformat())
        assert report["month"]["total"]["published_before_window"] == early, month
