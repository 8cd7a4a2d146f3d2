"""End to end: the default scenario through Airflow, its re-run, and the same at 10x volume.

Full mode runs the scenario the way operators do, ``portal-etl backfill``'s own code
(``plan_months`` + ``run_backfill``) against a private ``AirflowStack`` (api-server, scheduler,
dag-processor) with Airflow's metadata in a scratch PostgreSQL database, the pipeline in another,
and the replica served on 127.0.0.1. Each pass starts its own stack, as the command does. Quick
mode runs one month of the smallest channel (and ``integrate_articles`` over it) with
``dag.test`` in this process, then runs it again.

What is measured, per pass:

* **wall**: the Airflow start (stack start-up; in quick mode the metadata DB reset and the
  in-process warm-up of the first ``dag.test``) and the pipeline (``run_backfill``, or the
  ``dag.test`` calls) separately. The re-run ratio is taken on the pipeline time: in production
  Airflow is already running (``--airflow-api``); the ratio including start-up is in ``detail``.
* **requests**: the replica's own request log (``/__replica/requests``, reset before each pass)
  counts every HTTP request, robots.txt and redirects included; ``staging.fetch_event`` (rows
  added in the pass) splits them into list pages, articles and feeds, and by outcome. The
  anchor of "requests per integrated item" is the ideal crawl of the same months: every
  resource the pass needed fetched once, i.e. one request per staged article page plus each
  distinct list page, feed and robots.txt, divided by the integrated items
  (``integration.article``); a ratio of 1.00 means no request was wasted. Monthly runs each
  walk a section's list from the newest page back past their month, so a range of months
  fetches the newer list pages again for every older month: that shows in the ratio.
* **Airflow's share of the time**: the time our code runs is taken from Airflow's own task
  logs. The task runner writes ``::endgroup::`` just before it calls the task's Python callable
  and ``::group::Post Execute`` just after, so the span between them is our callable
  (``ingest.*``, ``process.*``), and everything else in the task instance (worker start, DAG
  file parse, XCom, state updates) and outside it (scheduling, queueing, start-up) is Airflow.
  Task instances come from the REST API (``/api/v2/dags/~/dagRuns/~/taskInstances``, started in
  the pass), each log read at its ``attempt=<try_number>.log``. Channels run concurrently, so the
  share is ``1 - |union of our spans| / wall``: the fraction of the wall clock during which none
  of our code was running. Also reported: the sum of task-instance durations versus the sum of
  our spans (Airflow's share inside task instances). ``dag.test`` writes no log files, so quick
  mode times the same callables by wrapping each task's ``python_callable`` of the DAG objects it
  runs (the function still runs; only its start and end are recorded).
* **re-run**: data rows added (row counts of every staging/process/integration table before
  and after, less the run logs listed in ``LOG_TABLES``, which grow by design), rows rewritten
  (``xmin`` changed, from the backfill snapshots), and the share of fetches answered ``304``
  or with an unchanged body hash (``fetch_event.outcome`` ``not_modified``/``unchanged``).

10x volume (``ScenarioParams(scale=10)``, ~57k files, ~720 MB, generated once and cached under
``bench/.work/e2e-replica-x10``) runs over ``X10_MONTHS`` only: ten times the items per month and
channel run, in one month. The full mode keeps to ``FULL_BUDGET_S`` on 2 shared cores: the 10x
pass (then its re-run) runs only when its time, estimated from the default pass's pace, still
fits; a part left out is a result row that says so.
"""

from __future__ import annotations

import functools
import io
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import BenchContext, Result

SECTION = "e2e"

QUICK_SOURCE = "dongnai_party"  # the smallest channel: ~30 items a month
QUICK_MONTH = "2024-04"
FULL_MONTHS = ("2023-03", "2024-06")  # the default scenario, as scripts/demo.sh runs it
X10_MONTHS = ("2024-04", "2024-04")  # 10x: ~1,900 items in one month; fits the budget after the default
X10_SCALE = 10.0
# the whole scenario at 10x takes most of an hour here:
#   BENCH_E2E_X10_MONTHS=2023-03..2024-06 BENCH_E2E_BUDGET_S=5400 scripts/bench.sh --full --only e2e
RERUN_TARGET = 0.25  # "a small fraction of the first pass": at most a quarter
MOST = 0.5  # "most fetches answered 304 or unchanged"
SETTLED_TARGET = 0.10  # a no-change re-run asks for at most 10 % of the first pass's articles (settled ones)
IDEAL_SLACK = 1.05  # requests may exceed the ideal crawl by 5 % (e.g. a pager's redirect to page 1)
BACKFILL_TIMEOUT = 3600.0
FULL_BUDGET_S = 1800.0  # the whole full-mode section; 10x (and its re-run) run only if they fit
# run logs: every fetch is an event and every run a metrics row, so these grow on a re-run
LOG_TABLES = (
    "staging.fetch_event",
    "staging.run_metrics",
    "staging.run_metrics_try",
    "staging.alert_mail",
    "process.run_metrics",
    "process.translation_run",
    "integration.load_batch",
)


# --- small helpers ----------------------------------------------------------------------------


@contextmanager
def _env(**values: str) -> Iterator[None]:
    """Set environment variables for the block and restore the previous values after it."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _replica(ctx: BenchContext, scale: float) -> Path:
    """The default scenario at ``scale``, generated once and cached like ``ctx.default_replica``.

    Full mode keeps its own copy (``bench/.work/e2e-replica-x<scale>``) rather than
    ``ctx.default_replica()``: a full pass serves it from disk for many minutes, and the shared
    default replica is regenerated by any other bench run (CI's quick run included) that finds
    the generator changed, which would turn this run's pages into 404s half-way.
    """
    from bench.common import _replica_fingerprint
    from portal_replica.generator import ScenarioParams, generate

    params = ScenarioParams(scale=scale)
    out = ctx.work_dir / f"e2e-replica-x{scale:g}"
    stamp = out / ".bench-stamp"
    want = json.dumps({"params": params.as_json(), "code": _replica_fingerprint()}, sort_keys=True, default=str)
    if stamp.exists() and stamp.read_text(encoding="utf-8") == want and (out / "manifest.json").exists():
        return out
    free = shutil.disk_usage(ctx.work_dir).free
    need = int(800e6 * scale / 10)  # 10x writes ~720 MB
    if free < 2 * need:
        raise RuntimeError(
            f"{free / 1e9:.1f} GB free under {ctx.work_dir}; the x{scale:g} replica needs ~{need / 1e9:.1f} GB"
        )
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    generate(params, out)
    stamp.write_text(want, encoding="utf-8")
    return out


@contextmanager
def _served(replica_dir: Path, overrides: Path) -> Iterator[Any]:
    """The replica on 127.0.0.1 (ports picked by the OS) and a registry overrides file for it."""
    from portal_replica.server import ReplicaServer

    server = ReplicaServer(replica_dir).start()
    try:
        server.write_overrides(overrides)
        yield server
    finally:
        server.stop()


def _reset_requests(server) -> None:
    import requests

    for base in server.base_urls.values():
        requests.post(f"{base}/__replica/reset", timeout=10).raise_for_status()


def _requests(server) -> Counter:
    """The replica's request log since the last reset: total, by kind and by status class."""
    import requests

    counts: Counter = Counter()
    for source_id, base in server.base_urls.items():
        response = requests.get(f"{base}/__replica/requests", timeout=30)
        response.raise_for_status()
        robots = 0
        for line in response.text.splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            counts["total"] += 1
            counts[f"channel {source_id}"] += 1
            counts[f"status {entry['status'] // 100}xx" if entry["status"] != 304 else "status 304"] += 1
            robots += entry["path"] == "/robots.txt"
        counts["robots.txt"] += robots
        counts["robots.txt distinct"] += robots > 0
    return counts


def _query(dsn: str, sql: str, args: tuple | None = None) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()
    finally:
        conn.close()


def _table_counts(dsn: str) -> dict[str, int]:
    tables = [
        r[0]
        for r in _query(
            dsn,
            "SELECT format('%s.%s', schemaname, tablename) FROM pg_tables "
            "WHERE schemaname IN ('staging', 'process', 'integration') ORDER BY 1",
        )
    ]
    sql = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in tables)
    return dict(_query(dsn, sql))


def _settled_so_far(dsn: str) -> int:
    return _query(dsn, "SELECT coalesce(sum(articles_settled), 0)::int FROM staging.run_metrics")[0][0]


def _max_event(dsn: str) -> int:
    return _query(dsn, "SELECT coalesce(max(event_id), 0) FROM staging.fetch_event")[0][0]


def _fetches(dsn: str, after_event: int) -> Counter:
    """fetch_event rows added since ``after_event``: by purpose, by outcome and in total."""
    counts: Counter = Counter()
    for purpose, outcome, n, size in _query(
        dsn,
        "SELECT purpose, outcome, count(*), coalesce(sum(bytes), 0) FROM staging.fetch_event "
        "WHERE event_id > %s GROUP BY 1, 2",
        (after_event,),
    ):
        counts["total"] += n
        counts[f"purpose {purpose}"] += n
        counts[f"outcome {outcome}"] += n
        counts["bytes"] += size
    for purpose, n in _query(
        dsn,
        "SELECT purpose, count(DISTINCT url) FROM staging.fetch_event WHERE event_id > %s GROUP BY 1",
        (after_event,),
    ):
        counts[f"distinct {purpose} urls"] = n
    return counts


def _at_registry_intervals(requests: Counter) -> dict[str, float]:
    """What a pass's requests would take on the real sites: each channel's requests at one per
    ``politeness.min_interval_seconds`` of the registry itself (the replica's overrides set 0),
    channels side by side (each its own domain) and one after another."""
    from portal_etl.registry import load_registry

    saved = os.environ.pop("PORTAL_ETL_SOURCES_OVERRIDES", None)
    try:
        intervals = {s.id: s.politeness.min_interval_seconds for s in load_registry().sources}
    finally:
        if saved is not None:
            os.environ["PORTAL_ETL_SOURCES_OVERRIDES"] = saved
    per_channel = {
        sid: round(n * intervals.get(sid, 0.0), 1)
        for key, n in requests.items()
        if key.startswith("channel ") and (sid := key.removeprefix("channel "))
    }
    return {
        "channels_side_by_side_s": max(per_channel.values(), default=0.0),
        "one_after_another_s": round(sum(per_channel.values()), 1),
        "per_channel_s": per_channel,
    }


def _div(a: float, b: float) -> float:
    return a / b if b else float("nan")


def _union_seconds(spans: list[tuple[float, float]], start: float, end: float) -> float:
    """Length of the union of [a, b) spans clipped to [start, end)."""
    total, reach = 0.0, start
    for a, b in sorted(spans):
        a, b = max(a, reach), min(b, end)
        if b > a:
            total += b - a
            reach = b
    return total


# --- one pass ---------------------------------------------------------------------------------


@dataclass
class Pass:
    """What one pass over the months did and cost."""

    label: str
    startup: float = 0.0  # Airflow start-up, seconds
    pipeline: float = 0.0  # the runs themselves, seconds
    window: tuple[float, float] = (0.0, 0.0)  # epoch seconds of the pipeline part
    requests: Counter = field(default_factory=Counter)
    fetches: Counter = field(default_factory=Counter)
    tables_before: dict[str, int] = field(default_factory=dict)
    tables_after: dict[str, int] = field(default_factory=dict)
    staged_changes: Counter = field(default_factory=Counter)
    article_changes: Counter = field(default_factory=Counter)
    staged: int = 0
    integrated: int = 0
    spans: list[tuple[float, float]] = field(default_factory=list)  # our callables, epoch seconds
    task_seconds: float = 0.0  # sum of task-instance durations (0 when unknown)
    tasks: int = 0
    ok: bool = True
    notes: dict = field(default_factory=dict)

    @property
    def wall(self) -> float:
        return self.startup + self.pipeline

    @property
    def ours(self) -> float:
        return sum(b - a for a, b in self.spans)

    @property
    def ours_union(self) -> float:
        return _union_seconds(self.spans, *self.window)

    @property
    def airflow_share(self) -> float:
        """Share of the wall clock (start-up included) in which none of our code ran."""
        return 1 - self.ours_union / self.wall if self.wall else 0.0

    @property
    def data_rows_added(self) -> dict[str, int]:
        return {
            t: self.tables_after.get(t, 0) - n
            for t, n in self.tables_before.items()
            if t not in LOG_TABLES and self.tables_after.get(t, 0) != n
        }

    @property
    def log_rows_added(self) -> dict[str, int]:
        return {t: self.tables_after.get(t, 0) - self.tables_before.get(t, 0) for t in LOG_TABLES}

    @property
    def ideal_requests(self) -> int:
        """Every resource the months need, once: staged article pages, distinct list pages, feeds, robots.txt."""
        return (
            self.staged
            + self.fetches["distinct list urls"]
            + self.fetches["distinct feed urls"]
            + self.requests["robots.txt distinct"]
        )

    @property
    def own_walk_requests(self) -> int:
        """The same, but each list page, feed and robots.txt as often as this pass's runs walked them."""
        return self.staged + self.fetches["purpose list"] + self.fetches["purpose feed"] + self.requests["robots.txt"]

    def summary(self) -> dict:
        return {
            "startup_s": round(self.startup, 2),
            "pipeline_s": round(self.pipeline, 2),
            "requests": dict(self.requests),
            "fetch_events": dict(self.fetches),
            "staged_items": self.staged,
            "integrated_items": self.integrated,
            "our_code_s": round(self.ours, 2),
            "our_code_union_s": round(self.ours_union, 2),
            "task_instances": self.tasks,
            "task_instance_s": round(self.task_seconds, 2),
            "data_rows_added": self.data_rows_added,
            "log_rows_added": self.log_rows_added,
            "staged_changes": dict(self.staged_changes),
            "article_changes": dict(self.article_changes),
            "ok": self.ok,
            **self.notes,
        }


def _snapshot(dsn: str, source_ids: list[str], first: str, last: str):
    from portal_etl.months import Month
    from portal_etl.orchestration.tools import backfill_report as report

    start, end = Month.parse(first).start, Month.parse(last).end
    return report.take_snapshot(source_ids, start, end, dsn)


def _changes(before, after) -> tuple[Counter, Counter]:
    from portal_etl.orchestration.tools.backfill_report import diff_rows

    staged, articles = Counter(), Counter()
    for cell in set(before.staged) | set(after.staged):
        staged += diff_rows(before.staged.get(cell, {}), after.staged.get(cell, {}))
    for cell in set(before.articles) | set(after.articles):
        articles += diff_rows(before.articles.get(cell, {}), after.articles.get(cell, {}))
    return staged, articles


def _begin(p: Pass, dsn: str, server, source_ids: list[str], months: tuple[str, str]) -> dict:
    _reset_requests(server)
    p.tables_before = _table_counts(dsn)
    return {"event": _max_event(dsn), "snapshot": _snapshot(dsn, source_ids, *months), "settled": _settled_so_far(dsn)}


def _finish(p: Pass, dsn: str, server, source_ids: list[str], months: tuple[str, str], mark: dict) -> None:
    p.requests = _requests(server)
    p.fetches = _fetches(dsn, mark["event"])
    p.tables_after = _table_counts(dsn)
    after = _snapshot(dsn, source_ids, *months)
    p.staged_changes, p.article_changes = _changes(mark["snapshot"], after)
    p.staged = sum(len(rows) for rows in after.staged.values())
    p.integrated = sum(len(rows) for rows in after.articles.values())
    # a backfill's re-run clears and re-runs the same DAG runs: their metrics rows are the sums
    # over every try, so the pass's share is what the sum grew by
    p.notes["articles_settled"] = _settled_so_far(dsn) - mark["settled"]


# --- our code's time inside Airflow's task instances ------------------------------------------


def _epoch(text: str | None) -> float | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() if text else None


def _callable_span(log_file: Path) -> tuple[float, float] | None:
    """(start, end) of the task's Python callable: ``::endgroup::`` .. ``::group::Post Execute``."""
    if not log_file.exists():
        return None
    start = None
    with log_file.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if '"::endgroup::"' not in line and '"::group::Post Execute"' not in line:
                continue
            entry = json.loads(line)
            if entry.get("event") == "::endgroup::" and start is None:
                start = _epoch(entry["timestamp"])
            elif entry.get("event") == "::group::Post Execute" and start is not None:
                return start, _epoch(entry["timestamp"])
    return None


def _task_instances(stack, since: datetime) -> list[dict]:
    out, offset = [], 0
    while True:
        page = stack.api(
            "GET",
            "/api/v2/dags/~/dagRuns/~/taskInstances",
            params={"start_date_gte": since.isoformat(), "limit": 100, "offset": offset},
        )
        out.extend(page["task_instances"])
        offset += len(page["task_instances"])
        if not page["task_instances"] or offset >= page["total_entries"]:
            return out


def _collect_airflow_time(p: Pass, stack, since: datetime) -> None:
    logs = stack.airflow_home / "logs"
    missing = 0
    for ti in _task_instances(stack, since):
        start, end = _epoch(ti.get("start_date")), _epoch(ti.get("end_date"))
        if start is None or end is None:
            continue
        p.tasks += 1
        p.task_seconds += end - start
        log_file = (
            logs
            / f"dag_id={ti['dag_id']}"
            / f"run_id={ti['dag_run_id']}"
            / f"task_id={ti['task_id']}"
            / f"attempt={ti['try_number']}.log"
        )
        span = _callable_span(log_file)
        if span is None:
            missing += 1
        else:
            p.spans.append(span)
    p.notes["task_logs_without_markers"] = missing


class _CallableClock:
    """Records when each task's Python callable runs (dag.test runs them in this process)."""

    def __init__(self, dags) -> None:
        self.spans: list[tuple[float, float]] = []
        self._originals: list[tuple[Any, Any]] = []
        for dag in dags:
            for task in dag.tasks:
                fn = getattr(task, "python_callable", None)
                if fn is not None:
                    self._originals.append((task, fn))
                    task.python_callable = self._timed(fn)

    def _timed(self, fn):
        @functools.wraps(fn)  # the operator reads the signature (through __wrapped__) to pass the context
        def timed(*args, **kwargs):
            start = time.time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spans.append((start, time.time()))

        return timed

    def restore(self) -> None:
        for task, fn in self._originals:
            task.python_callable = fn


# --- quick: one month of the smallest channel with dag.test -----------------------------------


def _quick(ctx: BenchContext) -> list[Result]:
    from portal_etl.months import Month
    from portal_etl.orchestration.tools import runner

    replica = ctx.default_replica()  # quick: a minute of serving; the shared cache is fine
    dsn = ctx.scratch_db("e2e")
    months = (QUICK_MONTH, QUICK_MONTH)
    conf = {"from_month": QUICK_MONTH, "to_month": QUICK_MONTH}
    label = f"{QUICK_SOURCE} {QUICK_MONTH} (dag.test)"
    overrides = ctx.work_dir / "e2e-overrides.yaml"
    with _served(replica, overrides) as server, _env(DATABASE_URL=dsn, PORTAL_ETL_SOURCES_OVERRIDES=str(overrides)):
        steps, started = {}, time.perf_counter()
        from airflow.utils import db

        db.resetdb()  # this run's private metadata DB (SQLite under bench/.work/airflow)
        steps["import_airflow_and_reset_metadata_db_s"] = time.perf_counter() - started
        dags = runner.load_dags([f"ingest_{QUICK_SOURCE}", "integrate_articles"])
        steps["parse_dags_s"] = time.perf_counter() - started - sum(steps.values())
        # the first dag.test in a process starts the in-process Execution API (~5 s): pay it on
        # an integrate run over the still empty month, and count it as Airflow's start-up
        dags["integrate_articles"].test(run_conf=conf)
        steps["first_dag_test_warm_up_s"] = time.perf_counter() - started - sum(steps.values())
        startup = time.perf_counter() - started
        clock = _CallableClock(dags.values())
        passes = []
        try:
            for name in ("first pass", "re-run"):
                p = Pass(
                    f"{label} {name}",
                    startup=startup if name == "first pass" else 0.0,
                    notes={"loadavg_at_start": os.getloadavg()},
                )
                mark = _begin(p, dsn, server, [QUICK_SOURCE], months)
                clock.spans = []
                t0, w0 = time.perf_counter(), time.time()
                ingest = runner.run_month(dags[f"ingest_{QUICK_SOURCE}"], Month.parse(QUICK_MONTH))
                process = dags["integrate_articles"].test(run_conf=conf)
                p.pipeline, p.window = time.perf_counter() - t0, (w0, time.time())
                p.spans, p.tasks = list(clock.spans), len(clock.spans)
                p.ok = ingest == "success" and str(process.state).endswith("success")
                _finish(p, dsn, server, [QUICK_SOURCE], months, mark)
                passes.append(p)
        finally:
            clock.restore()
    first, again = passes
    first.notes["startup_steps"] = {k: round(v, 2) for k, v in steps.items()}
    return _first_results(first, label) + _rerun_results(first, again, label)


# --- full: operators' backfill through a private Airflow --------------------------------------


def _backfill_pass(
    name: str, home: Path, env: dict[str, str], dsn: str, server, months: tuple[str, str], registry
) -> Pass:
    from portal_etl.orchestration.tools import backfill_report as report
    from portal_etl.orchestration.tools.backfill import run_backfill
    from portal_etl.orchestration.tools.components import AirflowStack
    from portal_etl.orchestration.tools.month_plan import plan_months

    plan = plan_months(*months, registry=registry)
    p = Pass(name, notes={"loadavg_at_start": os.getloadavg()})
    mark = _begin(p, dsn, server, plan.source_ids, months)
    since = datetime.now().astimezone()
    t0 = time.perf_counter()
    stack = AirflowStack(home, env, migrate=True)
    stack.start()
    try:
        p.startup = time.perf_counter() - t0
        t1, w1 = time.perf_counter(), time.time()
        quiet = io.StringIO()  # one line per month and channel state change: not for the bench log
        result = run_backfill(
            stack, plan, report.TextProgress(plan.cells, stream=quiet), timeout=BACKFILL_TIMEOUT, dsn=dsn
        )
        p.pipeline, p.window = time.perf_counter() - t1, (w1, time.time())
        p.ok = result.ok
        p.notes["cells"] = len(plan.cells)
        p.notes["changed_per_backfill_summary"] = result.changed
        _collect_airflow_time(p, stack, since)
    finally:
        t2 = time.perf_counter()
        stack.stop()
        p.notes["stop_s"] = round(time.perf_counter() - t2, 2)
    _finish(p, dsn, server, plan.source_ids, months, mark)
    print(
        f"bench: e2e {name}: {p.wall:.0f} s (Airflow start {p.startup:.0f} s), {p.requests['total']} requests, "
        f"{p.integrated} integrated, ok={p.ok}",
        flush=True,
    )
    return p


def _scenario(
    ctx: BenchContext, tag: str, scale: float, months: tuple[str, str], rerun_if: Callable[[], bool]
) -> tuple[Pass, Pass | None]:
    """First pass, then the re-run when ``rerun_if()`` still allows it (the time budget)."""
    from portal_etl.registry import load_registry

    replica = _replica(ctx, scale)
    dsn = ctx.scratch_db(f"e2e_{tag}")
    home = ctx.work_dir / f"e2e-airflow-{tag}"
    if home.exists():
        shutil.rmtree(home)  # task logs of an earlier bench run would shadow this run's
    home.mkdir(parents=True)
    overrides = ctx.work_dir / f"e2e-overrides-{tag}.yaml"
    label = _label(scale, months)
    again = None
    with _served(replica, overrides) as server, ctx.empty_db(f"e2e_airflow_{tag}") as metadata:
        env = {
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata,
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # as portal-etl backfill's private stack
            "DATABASE_URL": dsn,
            "PORTAL_ETL_SOURCES_OVERRIDES": str(overrides),
        }
        registry = load_registry(overrides=overrides)
        first = _backfill_pass(f"{label} first pass", home, env, dsn, server, months, registry)
        if rerun_if():
            again = _backfill_pass(f"{label} re-run", home, env, dsn, server, months, registry)
    return first, again


def _label(scale: float, months: tuple[str, str]) -> str:
    return f"{'default' if scale == 1 else f'{scale:g}x'} {months[0]}..{months[1]}"


def _full(ctx: BenchContext) -> list[Result]:
    started = time.monotonic()
    budget = float(os.environ.get("BENCH_E2E_BUDGET_S") or FULL_BUDGET_S)
    x10_months = tuple(os.environ.get("BENCH_E2E_X10_MONTHS", "..".join(X10_MONTHS)).split(".."))
    if len(x10_months) != 2:
        raise ValueError("BENCH_E2E_X10_MONTHS: YYYY-MM..YYYY-MM")

    def left() -> float:
        return budget - (time.monotonic() - started)

    results: list[Result] = []
    first, again = _scenario(ctx, "default", 1.0, FULL_MONTHS, rerun_if=lambda: True)
    label = _label(1.0, FULL_MONTHS)
    results += _first_results(first, label) + _rerun_results(first, again, label)
    expect = _expected_seconds(first, _replica(ctx, X10_SCALE), x10_months)
    if left() < expect:
        results.append(_skipped(f"{_label(X10_SCALE, x10_months)}: not run", time.monotonic() - started, expect))
        return results
    rerun_share = _div(again.wall, first.wall)
    x10, x10_again = _scenario(ctx, "x10", X10_SCALE, x10_months, rerun_if=lambda: left() > expect * rerun_share)
    x10.notes["expected_s"] = round(expect, 1)
    label = _label(X10_SCALE, x10_months)
    results += _first_results(x10, label)
    results += (
        _rerun_results(x10, x10_again, label)
        if x10_again
        else [_skipped(f"{label} re-run: not run", time.monotonic() - started, x10.wall * rerun_share)]
    )
    # the same pipeline at 10x the volume per month: integrated items per second of pipeline time
    rate = {name: _div(p.integrated, p.pipeline) for name, p in (("default", first), ("x10", x10))}
    results.append(
        Result(
            SECTION,
            f"{X10_SCALE:g}x volume: integrated items per pipeline second",
            round(rate["x10"], 2),
            "items/s",
            anchor=round(rate["default"], 2),
            anchor_name="default scenario, same run",
            ratio=_div(rate["x10"], rate["default"]),
            detail={
                "note": f"10x over {x10_months[0]}..{x10_months[1]}"
                + ("" if x10_months == FULL_MONTHS else " only (time budget)")
            },
        )
    )
    return results


def _expected_seconds(done: Pass, replica: Path, months: tuple[str, str]) -> float:
    """A pass over ``months`` of ``replica`` at the pace of ``done``: Airflow's time per month and
    channel, plus our code's time per staged item times the items the manifest has there."""
    from portal_replica.manifest import load_manifest, month_of

    items = sum(1 for it in load_manifest(replica)["items"] if months[0] <= month_of(it) <= months[1])
    cells = done.notes.get("cells") or 1
    airflow_per_cell = _div(done.pipeline - done.ours_union, cells)
    ours_per_item = _div(done.ours_union, done.staged)
    x_cells = 3 * (len(_month_list(months)))
    return done.startup + airflow_per_cell * x_cells + ours_per_item * items


def _month_list(months: tuple[str, str]) -> list:
    from portal_etl.months import Month

    return Month.span(Month.parse(months[0]), Month.parse(months[1]))


def _skipped(name: str, spent: float, expected: float) -> Result:
    """A part left out to keep the full run within its time budget, said as a result row."""
    budget = float(os.environ.get("BENCH_E2E_BUDGET_S") or FULL_BUDGET_S)
    return Result(
        SECTION,
        name,
        round(spent, 1),
        "s",
        target=f"time budget {budget:.0f} s",
        met=None,
        detail={
            "why": f"{spent:.0f} s of the {budget:.0f} s budget spent and the pass would take "
            f"~{expected:.0f} s (raise BENCH_E2E_BUDGET_S to run it)"
        },
    )


# --- the figures ------------------------------------------------------------------------------


def _first_results(first: Pass, label: str) -> list[Result]:
    requests_per_item = _div(first.requests["total"], first.integrated)
    ideal = _div(first.ideal_requests, first.integrated)
    return [
        Result(
            SECTION,
            f"{label}: wall time",
            round(first.wall, 1),
            "s",
            detail={"first_pass": first.summary(), "all_runs_succeeded": first.ok},
        ),
        Result(
            SECTION,
            f"{label}: pages fetched",
            first.fetches["total"],
            "pages",
            detail={"fetch_events": dict(first.fetches), "replica_requests": dict(first.requests)},
        ),
        Result(
            SECTION,
            f"{label}: requests per integrated item",
            round(requests_per_item, 3),
            "requests/item",
            anchor=round(ideal, 3),
            anchor_name="ideal: each staged article, list page, feed, robots.txt once",
            ratio=_div(requests_per_item, ideal),
            target=f"<= {IDEAL_SLACK:g}x ideal",
            met=requests_per_item <= IDEAL_SLACK * ideal,
            detail={
                "requests": first.requests["total"],
                "integrated": first.integrated,
                "staged": first.staged,
                "list_page_fetches": first.fetches["purpose list"],
                "distinct_list_pages": first.fetches["distinct list urls"],
                "article_fetches": first.fetches["purpose article"],
                "distinct_article_urls": first.fetches["distinct article urls"],
                "redirects": first.requests["status 3xx"],
                "list_pages_per_integrated_item": round(_div(first.fetches["purpose list"], first.integrated), 3),
                "requests_vs_this_pass_own_walk": round(_div(first.requests["total"], first.own_walk_requests), 3),
            },
        ),
        Result(
            SECTION,
            f"{label}: Airflow's share of the wall time",
            round(first.airflow_share, 3),
            "ratio",
            detail={
                "wall_s": round(first.wall, 1),
                "startup_s": round(first.startup, 1),
                "our_code_union_s": round(first.ours_union, 1),
                "our_code_sum_s": round(first.ours, 1),
                "task_instance_sum_s": round(first.task_seconds, 1),
                "task_instances": first.tasks,
                "airflow_share_inside_task_instances": (
                    round(1 - first.ours / first.task_seconds, 3) if first.task_seconds else None
                ),
                "airflow_share_excluding_startup": round(1 - _div(first.ours_union, first.pipeline), 3),
            },
        ),
    ]


def _rerun_results(first: Pass, again: Pass, label: str) -> list[Result]:
    rerun_pipeline = _div(again.pipeline, first.pipeline)
    article_share = _div(again.fetches["purpose article"], first.fetches["purpose article"])
    answered = again.fetches["outcome not_modified"] + again.fetches["outcome unchanged"]
    answered_share = _div(answered, again.fetches["total"])
    rows_added = sum(again.data_rows_added.values())
    rewritten = again.staged_changes["rewritten"] + again.article_changes["rewritten"]
    return [
        Result(
            SECTION,
            f"{label} re-run: time vs first pass",
            round(again.pipeline, 1),
            "s",
            anchor=round(first.pipeline, 1),
            anchor_name="first pass (both without Airflow's start)",
            ratio=rerun_pipeline,
            target=f"<= {RERUN_TARGET:g}x first pass",
            met=rerun_pipeline <= RERUN_TARGET,
            detail={
                "ratio_including_airflow_start": round(_div(again.wall, first.wall), 3),
                "re_run_wall_s": round(again.wall, 1),
                "first_wall_s": round(first.wall, 1),
                "our_code_ratio": round(_div(again.ours, first.ours), 3),
                "re_run_airflow_share": round(again.airflow_share, 3),
                "all_runs_succeeded": again.ok,
                "re_run": again.summary(),
            },
        ),
        Result(
            SECTION,
            f"{label} re-run: data rows added",
            rows_added,
            "rows",
            target="0",
            met=rows_added == 0,
            detail={
                "by_table": again.data_rows_added,
                "rows_rewritten_same_content": rewritten,
                "staged_changes": dict(again.staged_changes),
                "article_changes": dict(again.article_changes),
                "run_log_rows_added": again.log_rows_added,
            },
        ),
        Result(
            SECTION,
            f"{label} re-run: article requests vs first pass",
            again.fetches["purpose article"],
            "requests",
            anchor=first.fetches["purpose article"],
            anchor_name="first pass's article requests",
            ratio=article_share,
            target=f"<= {SETTLED_TARGET:g}x first pass",
            met=article_share <= SETTLED_TARGET,
            detail={
                "articles_settled": again.notes.get("articles_settled"),
                "first_pass_at_registry_intervals": _at_registry_intervals(first.requests),
                "re_run_at_registry_intervals": _at_registry_intervals(again.requests),
                "first_pass_measured_s": round(first.pipeline, 1),
                "re_run_measured_s": round(again.pipeline, 1),
                "requests": {"first_pass": first.requests["total"], "re_run": again.requests["total"]},
            },
        ),
        Result(
            SECTION,
            f"{label} re-run: fetches answered 304 or unchanged",
            round(answered_share, 3),
            "ratio",
            target=f"most (>= {MOST:g})",
            met=answered_share >= MOST,
            detail={"fetch_events": dict(again.fetches), "replica_requests": dict(again.requests)},
        ),
    ]


def run(ctx: BenchContext) -> list[Result]:
    return _quick(ctx) if ctx.quick else _full(ctx)
