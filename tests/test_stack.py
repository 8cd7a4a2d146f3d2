"""``portal-etl stack up | status | down``: the local Airflow left running, and the commands that use it.

The fast tests check the pid-file bookkeeping with real processes that look like Airflow
components (a pid file outliving its process, a pid reused by another program, a component
that ignores SIGTERM, workers orphaned by a component killed hard). The end-to-end tests run the
command as an operator would, in a subprocess, on a scratch stack directory, Airflow home,
metadata DB and free port: up (healthy, UI answers), up again (nothing new), status, a backfill,
an ingest and a process run through the stack, and down (no process left).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import psutil
import pytest
import requests
from pgutil import query

from portal_etl.orchestration.tools import stack
from portal_etl.orchestration.tools.components import free_port
from portal_replica.manifest import month_of

REPO = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SOURCE = "dongnai_gov"  # the smallest channel: one month of it is a short run


# --- fake components: real processes whose command line says "airflow <component>" -----------


def spawn(code: str, *words: str) -> subprocess.Popen:
    """A process group of its own, like ``stack up`` starts, running ``code``."""
    return subprocess.Popen(
        [sys.executable, "-c", code, *words], start_new_session=True, stdout=subprocess.PIPE, text=True
    )


def gone(pid: int) -> bool:
    """Exited (a zombie nobody reaped counts as exited: PID 1 here does not reap orphans)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return gone(pid)


def test_a_pid_file_naming_another_program_is_stale_and_that_program_is_left_alone(tmp_path: Path) -> None:
    other = spawn("import time; time.sleep(60)")  # alive, but not an airflow component
    try:
        stack.pid_file(tmp_path, "scheduler").write_text(f"{other.pid}\n")
        stack.pid_file(tmp_path, "dag-processor").write_text("not a pid\n")
        assert stack.live_components(tmp_path) == {}
        shown = stack.status(tmp_path)
        assert not shown.running and [c.pid for c in shown.components] == [None, None, None]
        assert stack.down(tmp_path, grace=1) == []  # nothing of ours was running
        assert other.poll() is None  # and the other program was not touched
        assert not stack.pid_file(tmp_path, "scheduler").exists()  # stale files cleaned
        assert not stack.pid_file(tmp_path, "dag-processor").exists()
    finally:
        other.kill()
        other.wait()


def test_a_dead_components_pid_file_is_removed_and_its_orphaned_workers_killed(tmp_path: Path) -> None:
    # the "scheduler" forks a "worker" into its group, prints its pid and dies as if by kill -9
    leader = spawn(
        "import subprocess, sys; w = subprocess.Popen([sys.executable, '-c', "
        "'import time; time.sleep(60)', 'airflow', 'worker']); print(w.pid, flush=True)",
        "airflow",
        "scheduler",
    )
    worker = int(leader.stdout.readline())
    leader.wait()
    assert not gone(worker) and os.getpgid(worker) == leader.pid
    stack.pid_file(tmp_path, "scheduler").write_text(f"{leader.pid}\n")
    assert stack.live_components(tmp_path) == {}  # the leader is dead
    stack.clean_stale(tmp_path)
    assert not stack.pid_file(tmp_path, "scheduler").exists()
    assert wait_gone(worker), "the dead scheduler's worker is still running"


def test_down_stops_a_component_that_ignores_sigterm_and_everything_in_its_group(tmp_path: Path) -> None:
    stubborn = (
        "import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "w = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', 'airflow', 'worker']); "
        "print(w.pid, flush=True); time.sleep(60)"
    )
    leader = spawn(stubborn, "airflow", "scheduler")
    worker = int(leader.stdout.readline())
    stack.pid_file(tmp_path, "scheduler").write_text(f"{leader.pid}\n")
    assert stack.live_components(tmp_path) == {"scheduler": leader.pid}
    shown = stack.status(tmp_path)
    assert [(c.name, c.pid) for c in shown.components if c.running] == [("scheduler", leader.pid)]
    started = time.monotonic()
    assert stack.down(tmp_path, grace=1) == ["scheduler"]
    assert time.monotonic() - started < 10  # SIGKILL after the grace period, not a hang
    assert leader.wait(timeout=5) == -signal.SIGKILL  # it ignored SIGTERM, so it was killed
    assert wait_gone(worker)
    assert not stack.pid_file(tmp_path, "scheduler").exists()


def test_up_refuses_a_port_another_program_holds(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(stack.StackError, match=f"port {port} is in use.*--port"):
            stack.up(port=port, directory=tmp_path)
    assert stack.live_components(tmp_path) == {}


def test_no_task_defers_so_the_stack_needs_no_triggerer() -> None:
    """If a task starts deferring (a deferrable sensor, say), the stack must start a triggerer."""
    from airflow.dag_processing.dagbag import DagBag
    from airflow.providers.standard.operators.hitl import HITLOperator
    from airflow.providers.standard.version_compat import AIRFLOW_V_3_3_PLUS

    dags = DagBag(dag_folder=str(REPO / "dags")).dags
    tasks = [task for dag in dags.values() for task in dag.tasks]
    assert tasks and "triggerer" not in stack.COMPONENTS
    for task in tasks:
        assert not task.start_from_trigger and not getattr(task, "deferrable", False), task.task_id
        kinds = ("_PythonDecoratedOperator", "PythonOperator")
        # HITLOperator waits in `awaiting_input` on Airflow 3.3+, without a trigger
        assert type(task).__name__ in kinds or (isinstance(task, HITLOperator) and AIRFLOW_V_3_3_PLUS), (
            f"{task.dag_id}.{task.task_id} is a {type(task).__name__}: does it defer? then add the "
            "triggerer to portal_etl.orchestration.tools.stack.COMPONENTS"
        )


# --- end to end: the command, real Airflow processes ----------------------------------------


@pytest.fixture(scope="module")
def stack_env(airflow_env, tmp_path_factory) -> dict[str, str]:
    return {**airflow_env, "PORTAL_ETL_STACK_DIR": str(tmp_path_factory.mktemp("stack"))}


@pytest.fixture(scope="module")
def cli(stack_env):
    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "portal_etl.cli", *args],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=stack_env,
            timeout=600,
        )
        print(done.stderr, done.stdout, sep="\n")  # shown by pytest when a test fails
        if check and done.returncode != 0:
            logs = {
                p.name: p.read_text(errors="replace")[-2000:]
                for p in Path(stack_env["PORTAL_ETL_STACK_DIR"]).glob("*.log")
            }
            pytest.fail(f"portal-etl {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}\n{logs}")
        return done

    return run


def pids_on_file(stack_env) -> dict[str, int]:
    directory = Path(stack_env["PORTAL_ETL_STACK_DIR"])
    return {
        name: int(stack.pid_file(directory, name).read_text())
        for name in stack.COMPONENTS
        if stack.pid_file(directory, name).exists()
    }


@pytest.fixture(scope="module")
def stack_up(cli, stack_env, pipeline_dsn):
    """``portal-etl stack up`` once for the module; ``down`` at the end whatever happened."""
    from conftest import truncate_all

    truncate_all(pipeline_dsn)
    port = free_port()
    try:
        done = cli("stack", "up", "--port", str(port))
        yield {"done": done, "port": port, "url": f"http://127.0.0.1:{port}", "pids": pids_on_file(stack_env)}
    finally:
        cli("stack", "down", check=False)


@pytest.mark.e2e
def test_up_starts_every_component_healthy_and_the_ui_answers(stack_up) -> None:
    out = stack_up["done"].stdout
    assert "started: api-server, scheduler, dag-processor" in out
    assert f"Airflow UI: {stack_up['url']}" in out
    assert set(stack_up["pids"]) == {"api-server", "scheduler", "dag-processor"}
    for name, pid in stack_up["pids"].items():
        assert stack.is_component(pid, name), name
    assert requests.get(f"{stack_up['url']}/", timeout=30).status_code == 200  # the UI
    health = requests.get(f"{stack_up['url']}/api/v2/monitor/health", timeout=30).json()
    assert health["scheduler"]["status"] == "healthy" and health["dag_processor"]["status"] == "healthy"


@pytest.mark.e2e
def test_up_again_starts_nothing_and_reports_the_same_processes(stack_up, cli, stack_env) -> None:
    again = cli("stack", "up")
    assert "already running: nothing started" in again.stdout
    assert pids_on_file(stack_env) == stack_up["pids"]
    for name, pid in stack_up["pids"].items():
        assert f"{name:<14} running  pid {pid}" in again.stdout


@pytest.mark.e2e
def test_status_prints_the_url_and_each_component(stack_up, cli) -> None:
    shown = cli("stack", "status").stdout
    assert f"Airflow UI: {stack_up['url']}" in shown
    for name, pid in stack_up["pids"].items():
        line = next(ln for ln in shown.splitlines() if ln.strip().startswith(name))
        assert line.split()[1:] == ["running", "pid", str(pid), "healthy"], line


def staged_by_month(dsn: str, month: str) -> int:
    return query(
        dsn,
        "SELECT count(*) FROM staging.item WHERE source_id = %s AND status = 'staged' AND "
        "to_char(published_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM') = %s",
        SOURCE,
        month,
    )[0][0]


def expected_items(manifest, month: str) -> int:
    return Counter((it["source_id"], month_of(it)) for it in manifest["items"])[(SOURCE, month)]


@pytest.mark.e2e
def test_backfill_runs_on_the_running_stack(stack_up, cli, pipeline_dsn, airflow_metadata_url, manifest) -> None:
    done = cli("backfill", "--from", "2024-04", "--to", "2024-04", "--source", SOURCE, "--no-process")
    assert f"using the Airflow stack running at {stack_up['url']}" in done.stderr
    assert "started airflow" not in done.stderr  # no private Airflow of its own
    assert staged_by_month(pipeline_dsn, "2024-04") == expected_items(manifest, "2024-04") > 0
    runs = query(
        airflow_metadata_url,
        "SELECT run_type, state, data_interval_start FROM dag_run WHERE dag_id = %s",
        f"ingest_{SOURCE}",
    )
    assert [(r[0], r[1], r[2].astimezone(TZ)) for r in runs] == [
        ("backfill", "success", datetime(2024, 4, 1, tzinfo=TZ))
    ]
    # the run is the stack's: its UI and API show it
    api = requests.get(f"{stack_up['url']}/api/v2/dags/ingest_{SOURCE}/dagRuns", timeout=30).json()
    assert [r["run_type"] for r in api["dag_runs"]] == ["backfill"]


@pytest.mark.e2e
def test_ingest_and_process_run_on_the_stack_the_way_backfill_does(
    stack_up, cli, pipeline_dsn, airflow_metadata_url, manifest
) -> None:
    """``ingest`` is ``backfill`` without processing: the month's run is an Airflow backfill run,
    and asking again re-runs that run instead of adding one; ``process`` is the processing run."""

    def march_runs() -> list[tuple]:
        return query(
            airflow_metadata_url,
            "SELECT run_id, run_type, state, data_interval_start, data_interval_end "
            "FROM dag_run WHERE dag_id = %s AND logical_date = %s",
            f"ingest_{SOURCE}",
            datetime(2024, 3, 1, tzinfo=TZ),
        )

    done = cli("ingest", "--from", "2024-03", "--to", "2024-03", "--source", SOURCE)
    assert f"(on the Airflow at {stack_up['url']})" in done.stderr
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("2024-03 ") and f" {SOURCE} " in ln)
    assert " success " in line
    assert "integrate_articles: not run" in done.stdout  # no processing run
    assert staged_by_month(pipeline_dsn, "2024-03") == expected_items(manifest, "2024-03") > 0
    ((run_id, run_type, state, start, end),) = march_runs()
    assert (run_type, state) == ("backfill", "success")
    assert (start.astimezone(TZ), end.astimezone(TZ)) == (
        datetime(2024, 3, 1, tzinfo=TZ),
        datetime(2024, 4, 1, tzinfo=TZ),
    )
    staged = query(pipeline_dsn, "SELECT item_id, content_hash FROM staging.item ORDER BY item_id")

    def tries() -> int:
        return query(
            airflow_metadata_url,
            "SELECT max(try_number) FROM task_instance WHERE dag_id = %s AND run_id = %s",
            f"ingest_{SOURCE}",
            run_id,
        )[0][0]

    # the same month again: the month's run is re-run, not refused or duplicated
    tries_before = tries()
    again = cli("ingest", "--from", "2024-03", "--to", "2024-03", "--source", SOURCE)
    assert "nothing changed in staging or in the integration store" in again.stdout
    assert march_runs() == [(run_id, run_type, "success", start, end)]
    assert tries() > tries_before  # its tasks really ran again
    assert query(pipeline_dsn, "SELECT item_id, content_hash FROM staging.item ORDER BY item_id") == staged

    processed = cli("process", "--from", "2024-03", "--to", "2024-03")
    assert "integrate_articles 2024-03..2024-03: success" in processed.stdout
    assert query(airflow_metadata_url, "SELECT run_type, state FROM dag_run WHERE dag_id = 'integrate_articles'") == [
        ("manual", "success")
    ]
    months = dict(query(pipeline_dsn, "SELECT story_month, count(*) FROM integration.article GROUP BY 1"))
    assert set(months) == {"2024-03"} and months["2024-03"] > 0  # only the month asked for


@pytest.mark.e2e
def test_down_stops_every_component_and_leaves_no_process(stack_up, cli, stack_env) -> None:
    groups = {pid: [p.pid for p in psutil.Process(pid).children(recursive=True)] for pid in stack_up["pids"].values()}
    done = cli("stack", "down")
    assert done.stdout.startswith("stopped: ")
    for leader, children in groups.items():
        for pid in (leader, *children):
            assert gone(pid), f"pid {pid} (group {leader}) still running"
        assert stack.group_members(leader) == []
    assert pids_on_file(stack_env) == {}
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", stack_up["port"])) != 0  # nothing listens on the UI port
    shown = cli("stack", "status", check=False)
    assert shown.returncode == 1 and "Airflow UI: (not running)" in shown.stdout
    assert shown.stdout.count(" stopped ") == 3
    assert "nothing was running" in cli("stack", "down").stdout
