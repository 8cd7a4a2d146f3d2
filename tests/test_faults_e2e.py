"""Faults: killed workers, a PostgreSQL restart, a source down, overlapping runs, failed writes.

Every case ends the same way: after recovery, staging and the integration store equal the
replica's ground truth for the month (April 2024), with nothing doubled. Kills are real SIGKILLs
of a process running the DAG (``portal_etl.faults`` failpoints), and the retry is the same DAG
run again for the same interval, which is what Airflow's retry or clear does.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg2
import pytest
import requests
import yaml
from pgcluster import PrivateCluster, postgres_bin
from pgutil import query, scalar

from portal_etl import faults
from portal_etl.db import migrate
from portal_etl.pipeline import ingest
from portal_etl.pipeline.process import check_quality, process_interval
from portal_replica.manifest import recompute_primaries
from portal_replica.server import ReplicaServer

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SOURCES = ("dongnai_party", "dongnai_gov", "baodongnai")
APRIL = (datetime(2024, 4, 1, tzinfo=TZ), datetime(2024, 5, 1, tzinfo=TZ))
MARCH = (datetime(2024, 3, 1, tzinfo=TZ), datetime(2024, 4, 1, tzinfo=TZ))


# --- the truth and the store ------------------------------------------------------------------


def month_items(manifest: dict, sources, month: str) -> list[dict]:
    return [it for it in manifest["items"] if it["source_id"] in sources and it["published_at_local"][:7] == month]


def assert_staging_equals_manifest(dsn: str, manifest: dict, base_urls: dict, sources, months=("2024-04",)) -> None:
    """Every staged row of ``sources`` is one manifest item of ``months``, and every item is staged once."""
    rows = query(
        dsn,
        "SELECT source_id, page_url, status, published_at FROM staging.item WHERE source_id = ANY(%s) ORDER BY 1, 2",
        list(sources),
    )
    expected = sorted(
        (
            it["source_id"],
            base_urls[it["source_id"]] + it["path"],
            "staged",
            datetime.fromisoformat(it["published_at_local"]),
        )
        for month in months
        for it in month_items(manifest, sources, month)
    )
    assert expected, "the replica must have items in the month"
    assert rows == expected


def assert_store_equals_manifest(dsn: str, manifest: dict, base_urls: dict, sources, month: str = "2024-04") -> None:
    """One article per story the truth integrates (from the staged channels' items of the month), with
    the truth's primary page; no story twice, no page in two stories."""
    truth = recompute_primaries({"items": month_items(manifest, sources, month)})
    expected = sorted((it["source_id"], base_urls[it["source_id"]] + it["path"]) for it in truth.values())
    rows = query(
        dsn,
        "SELECT i.source_id, i.page_url FROM integration.article a "
        "JOIN staging.item i ON i.item_id = a.primary_item_id ORDER BY 1, 2",
    )
    assert expected and rows == expected
    assert (
        scalar(
            dsn,
            "SELECT count(*) FROM integration.article_source s LEFT JOIN integration.article a "
            "USING (story_key) WHERE a.story_key IS NULL",
        )
        == 0
    )
    assert scalar(dsn, "SELECT count(*) - count(DISTINCT item_id) FROM integration.article_source") == 0
    assert check_quality(dsn) == []


def ingest_month(source_id: str, span=APRIL, *, dsn: str | None = None, run_id: str = "r") -> dict:
    ingest.discover(source_id, *span, dag_id=f"ingest_{source_id}", run_id=run_id, dsn=dsn)
    return ingest.fetch_articles(source_id, *span, dag_id=f"ingest_{source_id}", run_id=run_id, dsn=dsn)


# --- a worker killed mid-write, then retried ----------------------------------------------------

# What the DAG's tasks call, in order, in a process of its own: the worker that gets SIGKILLed.
WORKER = """
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

tz = ZoneInfo("Asia/Ho_Chi_Minh")
start, end = datetime(2024, 4, 1, tzinfo=tz), datetime(2024, 5, 1, tzinfo=tz)
if sys.argv[1] == "ingest":
    from portal_etl.pipeline import ingest
    for step in (ingest.discover, ingest.fetch_articles):
        step(sys.argv[2], start, end, dag_id="ingest_" + sys.argv[2], run_id="killed")
else:
    from portal_etl.pipeline import process
    for name in process.STAGE_NAMES:
        process.run_stage(name, start, end, dag_id="integrate_articles", run_id="killed")
"""


def killed_worker(*args: str, failpoint: str) -> None:
    env = {**os.environ, faults.ENV: failpoint}
    done = subprocess.run(
        [sys.executable, "-c", WORKER, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == -signal.SIGKILL, done.stderr[-3000:]


def test_ingest_killed_in_the_middle_of_a_page_write_then_retried(clean_db, replica, manifest, airflow_db) -> None:
    from portal_etl.orchestration.dags.ingest import build_all

    source = "dongnai_gov"
    killed_worker("ingest", source, failpoint="ingest.stage_write:20")
    # pages 1–19 were committed one by one; the 20th died with its write open and was rolled back
    assert scalar(clean_db, "SELECT count(*) FROM staging.item WHERE source_id = %s", source) == 19
    # and so were their counts, with them: the killed try's figures are not lost
    assert scalar(clean_db, "SELECT new_items FROM staging.run_metrics WHERE run_id = 'killed'") == 19

    retried = build_all()[f"ingest_{source}"].test(logical_date=APRIL[1])  # the run again, by Airflow
    assert str(retried.state).endswith("success")
    assert_staging_equals_manifest(clean_db, manifest, replica.base_urls, [source])
    assert scalar(clean_db, "SELECT count(*) FROM staging.item_history") == 0  # nothing rewritten either
    assert (
        scalar(clean_db, "SELECT sum(new_items) FROM staging.run_metrics WHERE run_id = %s", retried.run_id)
        == len(month_items(manifest, [source], "2024-04")) - 19
    )


def test_a_retried_task_keeps_the_counts_of_every_try(
    clean_db, replica, manifest, airflow_db, monkeypatch, tmp_path
) -> None:
    """Airflow retries the fetch task after its first try failed at the 20th page: the run's
    metrics are the sum over both tries and equal what was staged (issue 14: they used to keep the
    last try's counts only)."""
    from datetime import timedelta

    from portal_etl.orchestration.dags.ingest import build_all
    from portal_etl.pipeline.ingest import summarize

    source = "dongnai_gov"
    monkeypatch.setenv(faults.ENV, "ingest.stage_write:20:raise")  # an exception: dag.test runs tries in-process
    monkeypatch.setenv(faults.ONCE_DIR_ENV, str(tmp_path))  # fires in the first try only
    dag = build_all()[f"ingest_{source}"]
    for task in dag.tasks:
        task.retries, task.retry_delay, task.retry_exponential_backoff = 0, timedelta(0), False
    dag.get_task("fetch_and_extract_articles").retries = 1
    dagrun = dag.test(logical_date=APRIL[1])
    assert str(dagrun.state).endswith("success")
    assert (tmp_path / "ingest.stage_write").exists(), "the first try must have failed"
    assert_staging_equals_manifest(clean_db, manifest, replica.base_urls, [source])

    total = len(month_items(manifest, [source], "2024-04"))
    tries = query(
        clean_db,
        "SELECT try_number, (counts->>'new_items')::int FROM staging.run_metrics_try "
        "WHERE run_id = %s AND step = 'fetch' ORDER BY try_number",
        dagrun.run_id,
    )
    assert tries == [(1, 19), (2, total - 19)]
    ((new_items, run_tries),) = query(
        clean_db, "SELECT new_items, tries FROM staging.run_metrics WHERE run_id = %s", dagrun.run_id
    )
    assert (new_items, run_tries) == (total, 2)
    assert summarize(f"ingest_{source}", dagrun.run_id, source, clean_db)["new_items"] == total


def test_integration_killed_in_dedup_and_in_load_then_retried(clean_db, replica, manifest, airflow_db) -> None:
    from portal_etl.orchestration.dags.integrate import build_integrate_dag

    for source in SOURCES:
        ingest_month(source)

    killed_worker("integrate", failpoint="process.dedup")
    normalized = scalar(clean_db, "SELECT count(*) FROM process.normalized_item")
    assert normalized > 0  # normalisation committed in its own transaction …
    assert scalar(clean_db, "SELECT count(*) FROM process.item_story") == 0  # … dedup rolled back …
    queued = scalar(clean_db, "SELECT count(*) FROM process.pending WHERE stage = 'dedup'")
    assert queued == normalized  # … and its claim on the queue with it

    killed_worker("integrate", failpoint="process.load")
    assert scalar(clean_db, "SELECT count(*) FROM process.item_story") == normalized
    assert scalar(clean_db, "SELECT count(*) FROM integration.load_batch") == 0  # the batch died whole
    assert scalar(clean_db, "SELECT count(*) FROM integration.article") == 0

    retried = build_integrate_dag().test(run_conf={"from_month": "2024-04", "to_month": "2024-04"})
    assert str(retried.state).endswith("success")
    assert_store_equals_manifest(clean_db, manifest, replica.base_urls, SOURCES)
    assert scalar(clean_db, "SELECT count(*) FROM process.pending") == 0


# --- two runs of one interval at once -----------------------------------------------------------


def run_together(*calls) -> list:
    """Start every call at the same moment in its own thread; their results (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int, call) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return results


def test_overlapping_runs_of_one_interval_double_nothing(clean_db, replica, manifest) -> None:
    sources = ("dongnai_gov", "baodongnai")
    # an operator's backfill and the scheduled run, per channel, at the same moment
    staged = run_together(
        *(
            lambda s=s, r=r: ingest_month(s, run_id=r)
            for s in sources
            for r in ("scheduled__2024-05-01", "backfill__2024-05-01")
        )
    )
    assert not [r for r in staged if isinstance(r, Exception)], staged
    assert_staging_equals_manifest(clean_db, manifest, replica.base_urls, sources)
    new_per_source = dict(query(clean_db, "SELECT source_id, sum(new_items) FROM staging.run_metrics GROUP BY 1"))
    assert new_per_source == {s: len(month_items(manifest, [s], "2024-04")) for s in sources}  # each page new once

    processed = run_together(
        *(lambda r=r: process_interval(*APRIL, dag_id="integrate_articles", run_id=r) for r in ("a", "b"))
    )
    assert not [r for r in processed if isinstance(r, Exception)], processed
    assert_store_equals_manifest(clean_db, manifest, replica.base_urls, sources)
    articles = scalar(clean_db, "SELECT count(*) FROM integration.article")
    assert sorted(r["new"] for r in processed) == [0, articles]  # the lock made them take turns


# --- PostgreSQL restarted during a run ----------------------------------------------------------


@pytest.fixture(scope="module")
def private_pg():
    if postgres_bin() is None:
        pytest.skip("PostgreSQL binaries not installed")
    cluster = PrivateCluster().start()
    admin = psycopg2.connect(cluster.admin_dsn())
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("CREATE DATABASE portal_etl ENCODING 'UTF8' TEMPLATE template0")
    admin.close()
    dsn = cluster.admin_dsn("portal_etl")
    migrate(dsn)
    yield cluster, dsn
    cluster.destroy()


def wait_until(predicate, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except psycopg2.Error:
            pass
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def in_thread(call) -> tuple[threading.Thread, list]:
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_postgresql_restarted_during_ingest_and_during_processing(private_pg, replica, manifest) -> None:
    cluster, dsn = private_pg
    source = "baodongnai"
    total = len(month_items(manifest, [source], "2024-04"))

    thread, outcome = in_thread(lambda: ingest_month(source, dsn=dsn))
    wait_until(lambda: scalar(dsn, "SELECT count(*) FROM staging.item") >= 15, what="15 staged pages")
    cluster.restart()
    thread.join(timeout=120)
    assert isinstance(outcome[0], psycopg2.Error | ingest.StagingWriteError), outcome  # the task fails …
    assert 15 <= scalar(dsn, "SELECT count(*) FROM staging.item") < total
    ingest_month(source, dsn=dsn, run_id="retry")  # … and its retry completes the month
    assert_staging_equals_manifest(dsn, manifest, replica.base_urls, [source])

    # hold the load's table so the processing transaction is mid-way (normalised, deduplicated,
    # decided, not yet loaded) when the server restarts
    blocker = psycopg2.connect(dsn)
    blocker.cursor().execute("LOCK TABLE integration.load_batch IN SHARE MODE")
    thread, outcome = in_thread(lambda: process_interval(*APRIL, dag_id="integrate_articles", run_id="p", dsn=dsn))
    wait_until(
        lambda: (
            scalar(
                dsn,
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                "WHERE NOT l.granted AND a.application_name = 'portal-etl-process'",
            )
            > 0
        ),
        what="the processing run waiting on the load",
    )
    cluster.restart()
    thread.join(timeout=120)
    blocker.close()
    assert isinstance(outcome[0], psycopg2.Error), outcome
    assert scalar(dsn, "SELECT count(*) FROM process.normalized_item") == 0  # rolled back whole
    process_interval(*APRIL, dag_id="integrate_articles", run_id="p-retry", dsn=dsn)
    assert_store_equals_manifest(dsn, manifest, replica.base_urls, [source])


# --- a source down for days, then back ------------------------------------------------------------


def free_port_block(count: int) -> int:
    """A base port with ``count`` free consecutive ports after it (a restarted replica keeps its URLs)."""
    import socket

    for base in range(21000 + os.getpid() % 2000 * 10, 60000, 10):
        socks = []
        try:
            for offset in range(count):
                s = socket.socket()
                s.bind(("127.0.0.1", base + offset))
                socks.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port block")


@pytest.fixture
def own_replica(replica_dir, tmp_path, monkeypatch):
    """The replica on fixed ports, so it can be stopped and started again at the same URLs; no
    fetch retries inside a run (an unreachable site fails each URL at once)."""
    server = ReplicaServer(replica_dir, base_port=free_port_block(3)).start()
    overrides = server.overrides()
    for entry in overrides["sources"].values():
        entry["fetch"] = {"max_retries": 0}
    path = tmp_path / "overrides.yaml"
    path.write_text(yaml.safe_dump(overrides), encoding="utf-8")
    monkeypatch.setenv("PORTAL_ETL_SOURCES_OVERRIDES", str(path))
    yield server
    server.stop()


def task_states(dagrun) -> dict[str, str]:
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        tis = session.query(TaskInstance).filter_by(dag_id=dagrun.dag_id, run_id=dagrun.run_id).all()
        return {ti.task_id: str(ti.state) for ti in tis}


def test_a_source_down_for_days_is_caught_up_when_it_is_back(clean_db, own_replica, manifest, airflow_db) -> None:
    from portal_etl.orchestration.dags.ingest import build_all

    source = "dongnai_party"
    base_urls = own_replica.base_urls
    dag = build_all()[f"ingest_{source}"]
    own_replica.stop()  # down across the runs of March and April
    failed = {}
    for start, end in (MARCH, APRIL):
        dagrun = dag.test(logical_date=end)
        assert str(dagrun.state).endswith("failed")
        assert task_states(dagrun)["check_source_health"].endswith("failed")
        failed[f"{start:%Y-%m}"] = dagrun.run_id
    assert scalar(clean_db, "SELECT count(*) FROM staging.item") == 0
    runs = list(failed.values())
    # every request was refused: robots.txt unreachable counts as "disallow all" (RFC 9309, 5xx / no answer)
    events = query(clean_db, "SELECT outcome, error FROM staging.fetch_event WHERE run_id = ANY(%s)", runs)
    assert events and all(
        outcome in ("blocked_robots", "connection_error") and "connection_error" in error for outcome, error in events
    ), events
    last_errors = query(clean_db, "SELECT last_error FROM staging.run_metrics WHERE run_id = ANY(%s)", runs)
    assert len(last_errors) == 2 and all("no items staged" in e for (e,) in last_errors)

    own_replica.start()  # back, at the same address
    assert own_replica.base_urls == base_urls
    for _, end in (MARCH, APRIL):  # the failed months re-run: what `backfill --reprocess failed` does
        assert str(dag.test(logical_date=end).state).endswith("success")
    assert_staging_equals_manifest(clean_db, manifest, base_urls, [source], months=("2024-03", "2024-04"))


# --- failed writes: raw captures (in PostgreSQL) and report files ---------------------------------


def test_a_capture_the_database_refuses_fails_the_task_naming_the_page(clean_db, replica, manifest) -> None:
    source = "dongnai_party"
    victim = sorted(month_items(manifest, [source], "2024-04"), key=lambda it: it["path"])[5]
    victim_url = replica.base_urls[source] + victim["path"]
    body = requests.get(victim_url, timeout=10).content
    conn = psycopg2.connect(clean_db)
    conn.autocommit = True
    cur = conn.cursor()
    # a write failure for this one page's capture, as a full disk or a broken volume would give
    cur.execute(
        "ALTER TABLE staging.raw_capture ADD CONSTRAINT fault_injected CHECK (sha256 <> %s) NOT VALID",
        (hashlib.sha256(body).hexdigest(),),
    )
    try:
        with pytest.raises(
            ingest.StagingWriteError, match=f"source {source}: could not store {victim_url}: CheckViolation"
        ):
            ingest_month(source)
        staged = scalar(clean_db, "SELECT count(*) FROM staging.item")
        assert 0 < staged < len(month_items(manifest, [source], "2024-04"))
        # nothing of the refused page was written: no item, no fetch event, no conditional-GET state
        for table, column in (
            ("staging.item", "page_url"),
            ("staging.fetch_event", "url"),
            ("staging.page_state", "url"),
        ):
            assert scalar(clean_db, f"SELECT count(*) FROM {table} WHERE {column} = %s", victim_url) == 0
    finally:
        cur.execute("ALTER TABLE staging.raw_capture DROP CONSTRAINT IF EXISTS fault_injected")
        conn.close()
    ingest_month(source, run_id="retry")
    assert_staging_equals_manifest(clean_db, manifest, replica.base_urls, [source])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def stored_row(dsn: str) -> list[tuple]:
    return query(
        dsn,
        "SELECT month, generated_at, content_hash, payload::text, files::text "
        "FROM integration.monthly_report ORDER BY month",
    )


@pytest.fixture
def small_disk():
    """A 4 MB tmpfs (root only), unmounted afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="portal-etl-reports-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)
    folder.rmdir()


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


PRODUCE = """
import sys
from datetime import date
from portal_etl.reporting.monthly import produce_report
produce_report(date(2024, 4, 1), out_dir=sys.argv[1])
"""


def test_report_files_on_a_full_disk_or_an_unwritable_folder(clean_db, replica, small_disk) -> None:
    from portal_etl.reporting.monthly import produce_report

    ingest_month("dongnai_party")
    process_interval(*APRIL, dag_id="integrate_articles", run_id="p1")
    first = produce_report(date(2024, 4, 1), out_dir=small_disk)
    published, row = snapshot(small_disk), stored_row(clean_db)
    assert sorted(published) == [f"report-2024-04.{f}" for f in ("csv", "html", "json", "xlsx")]

    ingest_month("baodongnai")  # the next report would say something else
    process_interval(*APRIL, dag_id="integrate_articles", run_id="p2")

    filler = fill(small_disk)
    with pytest.raises(OSError) as failure:
        produce_report(date(2024, 4, 1), out_dir=small_disk)
    assert failure.value.errno == errno.ENOSPC and "report-2024-04" in str(failure.value)
    filler.unlink()
    assert snapshot(small_disk) == published  # the previous report intact, no partial or temporary file
    assert stored_row(clean_db) == row

    # an unwritable folder (root ignores permissions: its producer runs without CAP_DAC_OVERRIDE)
    small_disk.chmod(0o555)
    command = [sys.executable, "-c", PRODUCE, str(small_disk)]
    if os.geteuid() == 0:
        command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--", *command]
    denied = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert denied.returncode != 0 and "PermissionError" in denied.stderr, denied.stderr[-2000:]
    assert "report-2024-04" in denied.stderr.strip().splitlines()[-1]
    assert snapshot(small_disk) == published
    assert stored_row(clean_db) == row

    small_disk.chmod(0o755)
    second = produce_report(date(2024, 4, 1), out_dir=small_disk)
    assert second.changed and second.content_hash != first.content_hash
    assert snapshot(small_disk) != published and not [p for p in small_disk.iterdir() if p.name.startswith(".")]


def test_failpoints_are_inert_unless_armed(monkeypatch, tmp_path) -> None:
    """Without the variable nothing happens; armed, the n-th hit kills; once-markers stop a retry dying."""
    monkeypatch.delenv(faults.ENV, raising=False)
    faults.failpoint("ingest.stage_write")  # no-op
    script = (
        "from portal_etl.faults import failpoint\nfor i in range(5):\n    print(i, flush=True)\n    failpoint('x')\n"
    )
    env = {**os.environ, faults.ENV: "x:3", faults.ONCE_DIR_ENV: str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == -signal.SIGKILL and first.stdout.split() == ["0", "1", "2"]
    again = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and again.stdout.split() == ["0", "1", "2", "3", "4"]
