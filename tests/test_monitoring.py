"""Run monitoring through Airflow: the health check stays quiet when a site is re-themed and
extraction carries on by generic methods (the selector misses are counted), fires when no method
can find an article any more (a script-rendered redesign), nothing staged is lost to it, and
`portal-etl status` shows the last good run and the last error."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from pgutil import query as rows

from portal_etl.monitoring.health import SourceHealthError, check_source_health

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SOURCE = "dongnai_party"  # the smallest channel: the quickest month to ingest
MARCH_END = datetime(2024, 4, 1, tzinfo=TZ)  # dag.test runs the interval that ends here
APRIL_END = datetime(2024, 5, 1, tzinfo=TZ)


def staged_march(dsn: str) -> list[tuple]:
    return rows(
        dsn,
        """SELECT page_url, status, title, xmin::text FROM staging.item
                         WHERE source_id = %s AND published_at >= '2024-03-01 00:00+07'
                           AND published_at < '2024-04-01 00:00+07' ORDER BY page_url""",
        SOURCE,
    )


def task_states(dagrun) -> dict[str, str]:
    """The run's task states, read back from Airflow's metadata database."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        tis = session.scalars(
            select(TaskInstance).where(TaskInstance.dag_id == dagrun.dag_id, TaskInstance.run_id == dagrun.run_id)
        ).all()
        return {ti.task_id: str(ti.state).rsplit(".", 1)[-1] for ti in tis}


def set_layout(replica, value: str) -> None:
    url = f"{replica.base_urls[SOURCE]}/__replica/layout?v={value}"
    assert requests.get(url, timeout=5).json() == {"layout": value}


@pytest.fixture(scope="module")
def runs(pipeline_dsn, replica, airflow_db):
    """March ingested on the normal layout; March again on a re-themed one (every class and id
    renamed); then March again and April with the pages rendered by a script (empty bodies).
    March's re-runs refresh its settled articles, as an operator re-reading a month does."""
    from conftest import truncate_all

    from portal_etl.orchestration.dags.ingest import build_all

    truncate_all(pipeline_dsn)
    dag = build_all()[f"ingest_{SOURCE}"]
    good = dag.test(logical_date=MARCH_END)
    # read now: dag.test clears the task instances of an earlier run with the same logical date
    states = {"good": task_states(good)}
    normal = staged_march(pipeline_dsn)
    out = {"good": good, "march_normal": normal, "states": states}
    try:
        set_layout(replica, "redesigned")
        # March is read again in full (a re-run leaves settled articles alone: refresh them)
        refresh = {"refresh_settled": True}
        rethemed = dag.test(logical_date=MARCH_END, run_conf=refresh)
        states["rethemed"] = task_states(rethemed)
        out["rethemed"] = rethemed
        out["march_before"] = staged_march(pipeline_dsn)
        set_layout(replica, "scripted")
        out["march_again"] = dag.test(logical_date=MARCH_END, run_conf=refresh)
        states["march_again"] = task_states(out["march_again"])
        out["april"] = dag.test(logical_date=APRIL_END)
        states["april"] = task_states(out["april"])
    finally:
        set_layout(replica, "normal")
    return out


def test_a_healthy_run_passes_the_check(runs) -> None:
    assert str(runs["good"].state).endswith("success")
    assert runs["states"]["good"]["check_source_health"] == "success"


def test_a_rethemed_site_keeps_extracting_and_the_check_stays_quiet(runs, pipeline_dsn) -> None:
    assert str(runs["rethemed"].state).endswith("success")
    assert runs["states"]["rethemed"]["check_source_health"] == "success"
    # the same items, with the same content; only how they were found changed
    assert [r[:3] for r in runs["march_before"]] == [r[:3] for r in runs["march_normal"]]
    methods = rows(
        pipeline_dsn,
        """SELECT DISTINCT field_sources->>'body' FROM staging.item
                                     WHERE source_id = %s AND published_at < '2024-04-01 00:00+07'""",
        SOURCE,
    )
    assert methods and "body_xpath" not in {m[0] for m in methods}
    ((misses, pages),) = rows(
        pipeline_dsn,
        "SELECT hint_misses, pages_with_hint_misses FROM staging.run_metrics WHERE run_id = %s",
        runs["rethemed"].run_id,
    )
    assert pages == len(runs["march_before"]) and misses >= pages


@pytest.mark.parametrize("which", ["march_again", "april"])
def test_the_check_fails_the_run_when_no_method_finds_articles(runs, which) -> None:
    states = runs["states"][which]
    assert str(runs[which].state).endswith("failed")
    assert states["check_source_health"] == "failed"
    assert states["fetch_and_extract_articles"] == "success"  # the fetch itself "worked": that is the trap


def test_a_page_that_no_longer_parses_never_replaces_a_staged_item(runs, pipeline_dsn) -> None:
    assert runs["march_before"], "March must have staged items"
    assert staged_march(pipeline_dsn) == runs["march_before"]  # same rows, same xmin
    failures = rows(
        pipeline_dsn, "SELECT DISTINCT reason FROM staging.parse_failure WHERE run_id = %s", runs["march_again"].run_id
    )
    assert failures, "the failed parses are recorded as evidence"


def test_the_alarm_names_the_source_the_reason_and_the_failing_pages(runs, pipeline_dsn, replica) -> None:
    start, end = datetime(2024, 3, 1, tzinfo=TZ), MARCH_END
    with pytest.raises(SourceHealthError) as err:
        check_source_health(
            SOURCE, start, end, dag_id=f"ingest_{SOURCE}", run_id=runs["march_again"].run_id, dsn=pipeline_dsn
        )
    message = str(err.value)
    assert SOURCE in message and "redesign" in message
    assert replica.base_urls[SOURCE] in message  # a page URL the engineer can open
    # the healthy run of the same month passes
    check_source_health(SOURCE, start, end, dag_id=f"ingest_{SOURCE}", run_id=runs["good"].run_id, dsn=pipeline_dsn)


def test_the_april_alarm_reports_that_nothing_was_staged(runs, pipeline_dsn) -> None:
    with pytest.raises(SourceHealthError, match="no items staged"):
        check_source_health(
            SOURCE,
            datetime(2024, 4, 1, tzinfo=TZ),
            APRIL_END,
            dag_id=f"ingest_{SOURCE}",
            run_id=runs["april"].run_id,
            dsn=pipeline_dsn,
        )


def test_status_shows_the_last_good_run_the_last_error_and_daily_yield(runs, capsys) -> None:
    from portal_etl.cli import main

    assert main(["status", "--until", "2024-03-31", "--weeks", "5", "--json"]) == 0
    statuses = {s["source_id"]: s for s in json.loads(capsys.readouterr().out)}
    party = statuses[SOURCE]
    assert party["last_success"]["run_id"] == runs["rethemed"].run_id  # the re-themed run was fine
    assert party["last_error"]["kind"] == "run" and "health check" in party["last_error"]["error"]
    assert party["last_error"]["run_id"] in (runs["march_again"].run_id, runs["april"].run_id)
    assert sum(w["items"] for w in party["weeks"]) == len(runs["march_before"])
    assert statuses["baodongnai"]["last_success"] is None  # never run in this module
    assert main(["status", "--until", "2024-03-31"]) == 0
    text = capsys.readouterr().out
    assert "last successful run" in text and "never" in text
