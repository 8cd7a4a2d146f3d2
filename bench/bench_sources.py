"""Scale-out: 102 sources (the 3 channels plus 99 NukeViet-style provincial sub-sites).

Quick mode parses the DAGs of the 102-source registry (``bench_dag_parse``'s generator and
child process), anchored on the 3-source registry. Full mode also runs one month (April 2024)
of every source through a Celery stack here (private Redis, api-server, scheduler,
dag-processor, two ``airflow celery worker`` processes): first the 3 channels alone (the
anchor), then all 102; it reports total wall time, the scheduler's and dag-processor's CPU
seconds, which worker ran how many tasks, and whether the store equals the manifest's month.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from bench.bench_dag_parse import _parse_once, write_registry
from bench.common import BenchContext, Result

SECTION = "scale_out"
N_SOURCES = 102
MONTH = "2024-04"
WORKERS = 2


def _parse_results(ctx: BenchContext) -> tuple[list[Result], Path]:
    """DagBag of the 102-source registry; quick mode anchors it on the import timeout (one child
    process: bench_dag_parse already times 3 and 100 sources), full mode on the 3-source registry."""
    reg102 = write_registry(ctx.repo, N_SOURCES, ctx.work_dir / f"scale-sources-{N_SOURCES}.yaml")
    big = _parse_once(ctx, reg102)
    if big["dags"] < N_SOURCES + 3:
        raise RuntimeError(f"{N_SOURCES} sources gave {big['dags']} DAGs")
    if ctx.quick:
        anchor, anchor_name = big["timeout_s"], "core.dagbag_import_timeout"
    else:
        anchor, anchor_name = (
            _parse_once(ctx, write_registry(ctx.repo, 3, ctx.work_dir / "scale-sources-3.yaml"))["total_s"],
            "3 sources",
        )
    return [
        Result(
            section=SECTION,
            name=f"{N_SOURCES} sources: DagBag parse of dags/",
            value=big["total_s"],
            unit="s",
            anchor=anchor,
            anchor_name=anchor_name,
            ratio=big["total_s"] / anchor,
            detail={"dags": big["dags"], "tasks": big["tasks"], "timeout_s": big["timeout_s"]},
        )
    ], reg102


@contextmanager
def _redis(work: Path):
    import redis

    from portal_etl.orchestration.tools.components import free_port

    server = shutil.which("redis-server")
    if server is None:
        raise RuntimeError("redis-server is not installed: the Celery run needs a broker")
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(work)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        client, deadline = redis.Redis(host="127.0.0.1", port=port), time.monotonic() + 15
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.2)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _cpu(stack, names: tuple[str, ...]) -> dict[str, float]:
    """CPU seconds of each component: the process, the children it has reaped (the dag-processor's
    parse processes, a worker's task processes) and the children still alive."""
    import psutil

    out = {}
    for name in names:
        proc = psutil.Process(stack.processes[name].pid)
        times = [proc.cpu_times()] + [c.cpu_times() for c in proc.children(recursive=True)]
        out[name] = sum(t.user + t.system + t.children_user + t.children_system for t in times)
    return out


class _ConnectionPeak:
    """The most PostgreSQL connections seen at once while a phase runs (sampled every second)."""

    def __init__(self, dsn: str) -> None:
        import threading

        self.dsn, self.peak, self.by_db = dsn, 0, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg2

        conn = psycopg2.connect(self.dsn)
        conn.autocommit = True
        try:
            while not self._stop.wait(1.0):
                with conn.cursor() as cur:
                    cur.execute(
                        "SELECT coalesce(datname, ''), count(*) FROM pg_stat_activity "
                        "WHERE backend_type = 'client backend' GROUP BY 1"
                    )
                    rows = dict(cur.fetchall())
                if sum(rows.values()) > self.peak:
                    self.peak, self.by_db = sum(rows.values()), rows
        finally:
            conn.close()

    def __enter__(self) -> _ConnectionPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def _rows(dsn: str, sql: str, *params) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def _compare(dsn: str, manifest: dict, source_ids: list[str]) -> dict:
    """Staged items per source and integrated stories of the month against the manifest."""
    from portal_replica.manifest import month_of, recompute_primaries

    chosen = set(source_ids)
    in_month = [it for it in manifest["items"] if month_of(it) == MONTH and it["source_id"] in chosen]
    expected_staged = Counter(it["source_id"] for it in in_month)
    staged = Counter(
        dict(
            _rows(
                dsn,
                "SELECT source_id, count(*) FROM staging.item WHERE status = 'staged' AND "
                "integration.local_month(published_at) = %s "
                "GROUP BY 1",
                MONTH,
            )
        )
    )
    expected_integrated = len(recompute_primaries({"items": in_month}))
    integrated = _rows(dsn, "SELECT count(*) FROM integration.article WHERE story_month = %s", MONTH)[0][0]
    return {
        "staged_equal": staged == expected_staged,
        "staged": sum(staged.values()),
        "expected_staged": sum(expected_staged.values()),
        "sources_differing": sorted(s for s in chosen if staged[s] != expected_staged[s])[:10],
        "integrated": integrated,
        "expected_integrated": expected_integrated,
        "ok": staged == expected_staged and integrated == expected_integrated,
    }


COMPONENTS = ("scheduler", "dag-processor", "api-server", *(f"celery-worker-{i}" for i in range(1, WORKERS + 1)))


def _run_phase(stack, registry, source_ids: list[str] | None, dsn: str, metadata_url: str, admin_dsn: str) -> dict:
    from portal_etl.orchestration.tools.backfill import run_backfill
    from portal_etl.orchestration.tools.month_plan import plan_months

    hosts_sql = "SELECT coalesce(hostname, ''), count(*) FROM task_instance WHERE state = 'success' GROUP BY 1"
    plan = plan_months(MONTH, MONTH, source_ids, registry=registry)
    hosts0 = dict(_rows(metadata_url, hosts_sql))
    cpu0 = _cpu(stack, COMPONENTS)
    t0 = time.perf_counter()
    with _ConnectionPeak(admin_dsn) as connections:
        result = run_backfill(stack, plan, timeout=3600, dsn=dsn)
    wall = time.perf_counter() - t0
    cpu1 = _cpu(stack, COMPONENTS)
    hosts = dict(_rows(metadata_url, hosts_sql))
    versions = _rows(metadata_url, "SELECT count(*), count(DISTINCT dag_id) FROM dag_version")[0]
    return {
        "wall_s": wall,
        "ok": result.ok,
        "sources": len(plan.source_ids),
        "cpu_s": {k: round(cpu1[k] - cpu0[k], 2) for k in cpu0},
        "tasks_by_host": {h: n - hosts0.get(h, 0) for h, n in hosts.items() if n - hosts0.get(h, 0)},
        "pg_connections_peak": connections.peak,
        "pg_connections_peak_by_db": connections.by_db,
        "dag_versions": {"versions": versions[0], "dags": versions[1]},
    }


def _celery_results(ctx: BenchContext, reg102: Path) -> list[Result]:
    from portal_etl.orchestration.tools.components import AirflowStack
    from portal_etl.registry.loader import load_registry
    from portal_replica.manifest import load_manifest
    from portal_replica.provincial import add_provincial_sites
    from portal_replica.server import ReplicaServer

    replica = ctx.work_dir / "replica-102"
    if replica.exists():
        shutil.rmtree(replica)
    shutil.copytree(ctx.default_replica(), replica)
    base_registry = load_registry(reg102, overrides=None)
    extra = [s for s in base_registry.ids if s.startswith("dongnai_site_")]
    add_provincial_sites(replica, base_registry, extra, MONTH, MONTH)
    manifest = load_manifest(replica)
    dsn = ctx.scratch_db("scale_out")
    with (
        ReplicaServer(replica) as server,
        _redis(ctx.work_dir) as redis_url,
        ctx.empty_db("scale_out_airflow") as metadata_url,
    ):
        overrides = server.write_overrides(replica / "overrides.yaml")
        registry = load_registry(reg102, overrides=overrides)
        env = {
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CELERY__BROKER_URL": redis_url,
            "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata_url,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "DATABASE_URL": dsn,
            "PORTAL_ETL_SOURCES": str(reg102),
            "PORTAL_ETL_SOURCES_OVERRIDES": str(overrides),
        }
        home = ctx.work_dir / "airflow-scale-out"
        shutil.rmtree(home, ignore_errors=True)
        with AirflowStack(home, env, migrate=True, celery_workers=WORKERS, celery_concurrency=2) as stack:
            admin = f"{ctx.pg_base}/postgres"
            three = _run_phase(
                stack, registry, ["dongnai_party", "dongnai_gov", "baodongnai"], dsn, metadata_url, admin
            )
            three["store"] = _compare(dsn, manifest, ["dongnai_party", "dongnai_gov", "baodongnai"])
            _truncate(dsn)  # the pipeline DB is emptied between the phases
            every = _run_phase(stack, registry, None, dsn, metadata_url, admin)
            every["store"] = _compare(dsn, manifest, registry.ids)
    per3, per102 = three["wall_s"] / 3, every["wall_s"] / N_SOURCES
    return [
        Result(
            section=SECTION,
            name=f"{N_SOURCES} sources: one month through Celery ({WORKERS} workers), total",
            value=every["wall_s"],
            unit="s",
            anchor=three["wall_s"],
            anchor_name="3 sources, same stack",
            ratio=every["wall_s"] / three["wall_s"],
            target="store equals the manifest's month",
            met=every["ok"] and every["store"]["ok"] and three["store"]["ok"],
            detail={"three": three, "all": every, "s_per_source": {"3": per3, str(N_SOURCES): per102}},
        ),
        Result(
            section=SECTION,
            name=f"{N_SOURCES} sources: scheduler CPU for the month",
            unit="s",
            value=every["cpu_s"]["scheduler"],
            anchor=three["cpu_s"]["scheduler"],
            anchor_name="3 sources",
            ratio=every["cpu_s"]["scheduler"] / max(three["cpu_s"]["scheduler"], 1e-9),
            detail={
                "scheduler_cores_busy": every["cpu_s"]["scheduler"] / every["wall_s"],
                "dag_processor_cpu_s": every["cpu_s"]["dag-processor"],
            },
        ),
    ]


def _truncate(dsn: str) -> None:
    import psycopg2

    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
            "WHERE schemaname IN ('staging', 'process', 'integration')"
        )
        cur.execute(f"TRUNCATE {', '.join(r[0] for r in cur.fetchall())} RESTART IDENTITY CASCADE")
    conn.close()


def run(ctx: BenchContext) -> list[Result]:
    results, reg102 = _parse_results(ctx)
    if not ctx.quick:
        results += _celery_results(ctx, reg102)
    return results
