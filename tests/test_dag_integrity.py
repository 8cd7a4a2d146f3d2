"""The DAG folder imports cleanly, declares the expected DAGs, and parses quickly."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
INGEST_DAG_IDS = {"ingest_dongnai_party", "ingest_dongnai_gov", "ingest_baodongnai"}
EXPECTED_DAG_IDS = INGEST_DAG_IDS | {"integrate_articles"} | {"monthly_report"} | {"review_queue"}
CATCHUP_DAG_IDS = {"monthly_report"}  # one report per past month, from the integration start
NO_RETRY_TASK_IDS = {"check_source_health"}
PARSE_BUDGET_SECONDS = 3.0  # Airflow's dagbag_import_timeout is 30 s; stay a decade below it


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags"))


def test_no_import_errors_and_expected_ids(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert EXPECTED_DAG_IDS <= set(dagbag.dags)


def test_conventions(dagbag) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert dag.doc_md and "Re-run" in dag.doc_md, dag_id
        assert "owner:data-eng" in dag.tags, dag_id
        assert dag.catchup is False or dag_id in CATCHUP_DAG_IDS, dag_id
        for task in dag.tasks:
            # a check that judges data already stored gives the same answer on a retry
            assert task.retries >= 1 or task.task_id in NO_RETRY_TASK_IDS, (dag_id, task.task_id)
            assert task.on_failure_callback, (dag_id, task.task_id)


def test_integrate_runs_the_chain_in_its_order_linking_before_the_policy(dagbag) -> None:
    from portal_etl.pipeline.process.chain import CHAIN

    dag = dagbag.dags["integrate_articles"]
    ids = [stage.task_id for stage in CHAIN]
    assert ids.index("link_translations") < ids.index("apply_approval_policy") < ids.index("load_integration_store")
    for before, after in zip(ids, ids[1:], strict=False):
        assert dag.get_task(before).downstream_task_ids >= {after}, (before, after)
    assert "translate_articles" in dag.get_task(ids[-1]).downstream_task_ids


def test_dag_files_parse_without_the_database_driver() -> None:
    """The integrate DAG's file imports the chain's declaration, not the stages' code."""
    code = (
        "import sys, runpy; runpy.run_path(sys.argv[1]);"
        "print(','.join(m for m in ('requests', 'lxml', 'psycopg2', 'pandas') if m in sys.modules))"
    )
    for name in ("integrate.py", "review.py"):
        out = subprocess.run(
            [sys.executable, "-c", "import airflow.sdk;" + code, str(REPO / "dags" / name)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert "psycopg2" not in out and "lxml" not in out, (name, out)


def test_ingest_interval_is_a_local_calendar_month(dagbag) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from airflow.serialization.encoders import coerce_to_core_timetable

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    timetable = coerce_to_core_timetable(dagbag.dags["ingest_baodongnai"].timetable)
    interval = timetable.infer_manual_data_interval(run_after=datetime(2024, 5, 1, tzinfo=tz))
    assert interval.start == datetime(2024, 4, 1, tzinfo=tz)
    assert interval.end == datetime(2024, 5, 1, tzinfo=tz)
    assert interval.start.utcoffset() is None or interval.start.astimezone(tz).hour == 0


def test_dag_file_parses_within_budget_without_heavy_imports() -> None:
    code = (
        "import sys, time; t = time.perf_counter();"
        "import runpy; runpy.run_path(sys.argv[1]);"
        "heavy = [m for m in ('requests', 'lxml', 'psycopg2', 'pandas') if m in sys.modules];"
        "print(time.perf_counter() - t, ','.join(heavy))"
    )
    # airflow itself is imported first so that only the DAG file's own cost is measured
    out = subprocess.run(
        [sys.executable, "-c", "import airflow.sdk;" + code, str(REPO / "dags" / "ingest.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    seconds = float(out[0])
    heavy = out[1] if len(out) > 1 else ""
    assert seconds < PARSE_BUDGET_SECONDS, f"DAG file took {seconds:.2f}s to parse"
    assert "psycopg2" not in heavy and "lxml" not in heavy, f"heavy imports at parse time: {heavy}"


def test_broken_registry_entry_does_not_break_the_other_dags(tmp_path, monkeypatch) -> None:
    import yaml

    data = yaml.safe_load((REPO / "config" / "sources.yaml").read_text(encoding="utf-8"))
    data["sources"][1]["adapter"] = "does-not-exist"
    bad = tmp_path / "sources.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("PORTAL_ETL_SOURCES", str(bad))
    from portal_etl.orchestration.dags.ingest import build_all

    dags = build_all()
    assert set(dags) == INGEST_DAG_IDS - {"ingest_dongnai_gov"}


def test_a_site_in_another_zone_still_runs_the_portals_months(tmp_path: Path) -> None:
    """A source's ``timezone`` is how its pages print dates; its runs, a backfill's months and the
    health check's previous intervals are the portal's local months all the same."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from airflow.serialization.encoders import coerce_to_core_timetable

    from portal_etl.monitoring.health import _previous_intervals
    from portal_etl.orchestration.dags.ingest import build_ingest_dag
    from portal_etl.registry.loader import load_registry

    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("sources:\n  baodongnai: {timezone: UTC}\n", encoding="utf-8")
    source = load_registry(overrides=overrides).get("baodongnai")
    assert source.timezone == "UTC"
    local = ZoneInfo("Asia/Ho_Chi_Minh")
    timetable = coerce_to_core_timetable(build_ingest_dag(source).timetable)
    interval = timetable.infer_manual_data_interval(run_after=datetime(2024, 5, 1, tzinfo=local))
    assert (interval.start, interval.end) == (datetime(2024, 4, 1, tzinfo=local), datetime(2024, 5, 1, tzinfo=local))
    assert _previous_intervals(source, datetime(2024, 5, 1, tzinfo=local), 2) == [
        (datetime(2024, 4, 1, tzinfo=local), datetime(2024, 5, 1, tzinfo=local)),
        (datetime(2024, 3, 1, tzinfo=local), datetime(2024, 4, 1, tzinfo=local)),
    ]
