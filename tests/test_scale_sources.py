"""102 sources: the registry generated for NukeViet-style provincial sub-sites parses into DAGs,
and the replica serves those sites so that a month of one of them ingests to its manifest.

The registry generator is the DAG-parse benchmark's (``bench/bench_dag_parse.py``), so the test
and the benchmark measure the same registry. The full month of all 102 sources through a
Celery stack is ``bench/bench_sources.py`` (full mode).
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from pgutil import query

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # the bench package lives at the repository's top

from bench.bench_dag_parse import write_registry  # noqa: E402
from portal_etl.registry.loader import load_registry  # noqa: E402
from portal_replica.manifest import month_of  # noqa: E402

N_SOURCES = 102  # the national portal's sub-sites
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def registry_102(tmp_path_factory) -> Path:
    return write_registry(REPO, N_SOURCES, tmp_path_factory.mktemp("sources-102") / "sources.yaml")


def test_the_generated_registry_has_102_valid_sources(registry_102) -> None:
    registry = load_registry(registry_102, overrides=None)
    assert len(registry.ids) == N_SOURCES == len(set(registry.ids))
    assert all(s.adapter == "nukeviet" for s in registry.sources if s.id.startswith("dongnai_site_"))


def test_dag_parsing_with_102_sources(registry_102, monkeypatch) -> None:
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("PORTAL_ETL_SOURCES", str(registry_102))
    monkeypatch.delenv("PORTAL_ETL_SOURCES_OVERRIDES", raising=False)
    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}
    ingest = {d for d in bag.dags if d.startswith("ingest_")}
    ids = load_registry(registry_102, overrides=None).ids
    assert ingest == {f"ingest_{s}" for s in ids}
    assert {"integrate_articles", "monthly_report", "review_queue"} <= set(bag.dags)


def test_a_task_process_builds_only_its_own_ingest_dag(registry_102, monkeypatch) -> None:
    """Airflow's task runner parses the DAG file with the parsing context set to the task's DAG:
    then only that DAG is built (the dag-processor, with no context, gets all 102)."""
    from portal_etl.orchestration.dags.ingest import build_all

    monkeypatch.setenv("PORTAL_ETL_SOURCES", str(registry_102))
    monkeypatch.delenv("PORTAL_ETL_SOURCES_OVERRIDES", raising=False)
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", "ingest_dongnai_site_042")
    assert list(build_all()) == ["ingest_dongnai_site_042"]
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", "integrate_articles")  # not defined here: every DAG
    assert len(build_all()) == N_SOURCES
    monkeypatch.delenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID")
    assert len(build_all()) == N_SOURCES


@pytest.fixture(scope="module")
def provincial_replica(registry_102, tmp_path_factory):
    """A short scenario plus the 99 provincial sites for April 2024, served on 127.0.0.1."""
    from portal_replica.generator import ScenarioParams, generate
    from portal_replica.provincial import add_provincial_sites
    from portal_replica.server import ReplicaServer

    out = tmp_path_factory.mktemp("replica-102")
    generate(
        ScenarioParams(
            start=date(2024, 3, 1),
            end=date(2024, 5, 31),
            window_start=date(2024, 3, 1),
            target_end=date(2024, 4, 30),
            target_integrated=60,
            party_live=date(2024, 3, 1),
        ),
        out,
    )
    registry = load_registry(registry_102, overrides=None)
    extra = [s for s in registry.ids if s.startswith("dongnai_site_")]
    by_month = add_provincial_sites(out, registry, extra, "2024-04", "2024-04")
    with ReplicaServer(out) as server:
        overrides = server.write_overrides(out / "overrides.yaml")
        yield out, server, overrides, by_month


def test_the_replica_serves_all_102_channels_with_their_manifest(provincial_replica) -> None:
    from portal_replica.manifest import load_manifest

    out, server, overrides, by_month = provincial_replica
    manifest = load_manifest(out)
    assert len(server.base_urls) == N_SOURCES == len(manifest["sources"])
    assert len(set(server.base_urls.values())) == N_SOURCES  # one port each
    assert set(yaml.safe_load(overrides.read_text(encoding="utf-8"))["sources"]) == set(server.base_urls)
    per_source = Counter(it["source_id"] for it in manifest["items"] if it["source_id"].startswith("dongnai_site_"))
    assert len(per_source) == N_SOURCES - 3 and set(per_source.values()) == {4}
    assert by_month["2024-04"] == sum(
        it["primary"] for it in manifest["items"] if it["source_id"].startswith("dongnai_site_")
    )
    assert manifest["expected"]["integrated_by_month"]["2024-04"] > by_month["2024-04"]
    # each provincial item is its own story: no headline another item of the scenario has (the
    # pipeline merges equal headlines across channels), compared case- and punctuation-blind
    from portal_etl.normalize import title_key

    keys = Counter(title_key(it["title"]) for it in manifest["items"])
    provincial = [it for it in manifest["items"] if it["source_id"].startswith("dongnai_site_")]
    assert [it["title"] for it in provincial if keys[title_key(it["title"])] > 1] == []


def test_a_month_of_a_provincial_site_ingests_to_its_manifest(
    provincial_replica, registry_102, clean_db, monkeypatch
) -> None:
    """Real HTTP to one of the generated sites, real PostgreSQL, the pipeline's own ingest steps."""
    from portal_etl.pipeline.ingest import discover, fetch_articles
    from portal_replica.manifest import load_manifest

    out, _server, overrides, _ = provincial_replica
    registry = load_registry(registry_102, overrides=overrides)
    source_id = "dongnai_site_042"
    start, end = datetime(2024, 4, 1, tzinfo=TZ), datetime(2024, 5, 1, tzinfo=TZ)
    kw = {"dag_id": f"ingest_{source_id}", "run_id": "scale-test", "registry": registry, "dsn": clean_db}
    discover(source_id, start, end, **kw)
    counts = fetch_articles(source_id, start, end, **kw)
    expected = [it for it in load_manifest(out)["items"] if it["source_id"] == source_id and month_of(it) == "2024-04"]
    staged = query(clean_db, "SELECT page_url FROM staging.item WHERE source_id = %s AND status = 'staged'", source_id)
    assert sorted(u.split("/", 3)[3] for (u,) in staged) == sorted(it["path"].lstrip("/") for it in expected)
    assert counts["parse_errors"] == 0 and counts["new_items"] == len(expected) == 4
