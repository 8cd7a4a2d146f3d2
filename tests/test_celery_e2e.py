"""The distributed path without Docker: CeleryExecutor, a Redis broker and two Celery workers.

A private Redis (``redis-server`` on a free port), an Airflow api-server, scheduler and
dag-processor with ``CeleryExecutor`` (broker Redis, result backend the PostgreSQL metadata DB)
and two ``airflow celery worker`` processes run one month of the default scenario through
``portal_etl.orchestration.tools.backfill``. Then: every task succeeded, both workers ran tasks (the
task instances' ``hostname`` from the REST API), and the store equals the manifest's month.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from pgutil import query

from portal_etl.orchestration.tools.components import AirflowStack, free_port
from portal_replica.manifest import month_of, recompute_primaries

MONTH = "2024-04"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A Redis of our own on 127.0.0.1 (no persistence), stopped at the end of the module."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server); the Celery path needs a broker")
    port = free_port()
    work = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(work)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on port {port}")
                time.sleep(0.2)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def airflow_metadata_url() -> Iterator[str]:
    from conftest import PG_BASE
    from pgutil import scratch_database

    with scratch_database(f"{PG_BASE}/postgres", "portal_etl_celery") as dsn:
        yield dsn


@pytest.fixture(scope="module")
def celery_run(redis_url, airflow_metadata_url, pipeline_dsn, replica, tmp_path_factory):
    """One month of every channel through the Celery stack; the stack stays up for the checks."""
    from conftest import truncate_all

    from portal_etl.orchestration.tools.backfill import run_backfill
    from portal_etl.orchestration.tools.month_plan import plan_months
    from portal_etl.registry import load_registry

    truncate_all(pipeline_dsn)
    env = {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": redis_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + airflow_metadata_url,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": airflow_metadata_url,
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # backfill runs only
        "DATABASE_URL": pipeline_dsn,
        "PORTAL_ETL_SOURCES_OVERRIDES": os.environ["PORTAL_ETL_SOURCES_OVERRIDES"],
    }
    home = tmp_path_factory.mktemp("airflow-celery")
    plan = plan_months(MONTH, MONTH, registry=load_registry())
    with AirflowStack(home, env, migrate=True, celery_workers=2, celery_concurrency=1) as stack:
        try:
            result = run_backfill(stack, plan, timeout=600, dsn=pipeline_dsn)
        except BaseException:
            for log in sorted(stack.log_dir.glob("*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}")
            raise
        dag_runs = [(f"ingest_{s}", r["dag_run_id"]) for s, runs in result.runs.items() for r in runs]
        dag_runs += [
            ("integrate_articles", r["dag_run_id"])
            for r in stack.api("GET", "/api/v2/dags/integrate_articles/dagRuns")["dag_runs"]
        ]
        task_instances = [
            ti
            for dag_id, run_id in dag_runs
            for ti in stack.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances")["task_instances"]
        ]
        yield result, task_instances, stack.workers


@pytest.mark.e2e
def test_every_task_succeeded_and_both_workers_ran_tasks(celery_run) -> None:
    result, task_instances, workers = celery_run
    assert result.ok, result.summary()
    ran = [ti for ti in task_instances if ti["state"] != "skipped"]
    assert ran and all(ti["state"] == "success" for ti in ran), [(ti["task_id"], ti["state"]) for ti in ran]
    by_worker = Counter(ti["hostname"] for ti in ran)
    assert set(by_worker) == set(workers), by_worker  # every task on one of ours, and each of ours worked
    assert all(ti.get("executor") in (None, "CeleryExecutor") for ti in ran)


@pytest.mark.e2e
def test_the_store_equals_the_manifest_for_the_month(celery_run, pipeline_dsn, manifest) -> None:
    in_month = [it for it in manifest["items"] if month_of(it) == MONTH]
    expected_staged = Counter(it["source_id"] for it in in_month)
    staged = Counter(
        dict(
            query(
                pipeline_dsn,
                "SELECT source_id, count(*) FROM staging.item WHERE status = 'staged' AND "
                "to_char(published_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM') = %s GROUP BY 1",
                MONTH,
            )
        )
    )
    assert staged == expected_staged and sum(staged.values()) > 0
    assert query(pipeline_dsn, "SELECT count(*) FROM staging.item WHERE status <> 'staged'") == [(0,)]
    expected_integrated = Counter(month_of(p) for p in recompute_primaries({"items": in_month}).values())
    integrated = Counter(dict(query(pipeline_dsn, "SELECT story_month, count(*) FROM integration.article GROUP BY 1")))
    assert integrated == expected_integrated and set(integrated) == {MONTH}


def test_celery_workers_need_the_celery_executor(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="CeleryExecutor"):
        AirflowStack(tmp_path, {"AIRFLOW__CORE__EXECUTOR": "LocalExecutor"}, celery_workers=2)
    stack = AirflowStack(tmp_path, {"AIRFLOW__CORE__EXECUTOR": "CeleryExecutor"}, celery_workers=2)
    assert len(set(stack.workers)) == 2
    commands = [stack._command(f"celery-worker-{i}") for i in (1, 2)]
    assert [c[c.index("--celery-hostname") + 1] for c in commands] == stack.workers
    assert all("--skip-serve-logs" in c for c in commands)  # no two log servers on one port
    assert stack.env["AIRFLOW__CORE__HOSTNAME_CALLABLE"].endswith("components.worker_hostname")
