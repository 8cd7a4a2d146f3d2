"""``portal-etl backfill``: historical months through Airflow's own backfills, then one processing run.

How it drives Airflow (every run is a real DAG run in Airflow's metadata DB, executed by a
scheduler, visible in the UI):

1. Ingest: one Airflow 3 backfill per channel (``POST /api/v2/backfills``) over the range. The
   ingest DAGs use ``CronDataIntervalTimetable("0 0 1 * *", Asia/Ho_Chi_Minh)``, whose runs
   have ``logical_date == data_interval_start``, and a backfill creates the runs whose logical
   date lies in ``[from_date, to_date]``. So the range is sent as timezone-aware instants:
   ``from_date`` = first month's 1st 00:00 +07:00 and ``to_date`` = one second before the
   month after the last, 00:00 +07:00 (this also covers a channel on a daily schedule). A
   plain ``--from-date 2024-04-01`` on the CLI would mean 00:00 UTC = 07:00 local and skip
   April. A dry run is checked against the requested months before anything is created.
2. Processing: ``integrate_articles`` is scheduled on the staging Assets, so each backfilled
   ingest run would otherwise queue its own asset-triggered processing run (the same months
   processed many times, not awaited by anyone). It is therefore paused while the ingest
   backfills run (a paused DAG gets no asset-triggered runs queued) and then run exactly once,
   explicitly, with ``from_month``/``to_month`` covering the whole range, and awaited. Its
   pause state is restored afterwards; so is each ingest DAG's (they are unpaused for the
   backfill because a paused DAG's backfill runs never start).

   The run is the one ``portal-etl process`` starts on a running Airflow
   (``remote_runs.run_integrate``).

Which Airflow runs it is decided with ``ingest`` and ``process`` (``past_months.py``): the one
that is running, else a private stack for the command (``airflow_api.open_airflow``).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import requests

from portal_etl.months import LOCAL_TZ, Month
from portal_etl.orchestration.tools import backfill_report as report
from portal_etl.orchestration.tools.airflow_api import (
    POLL_SECONDS,
    AirflowApi,
    AirflowRunError,
    check_alive,
    parse_time,
    set_paused,
    wait_for_dags,
)
from portal_etl.orchestration.tools.runner import (
    INTEGRATE_DAG,
    RangeError,
    month_range,
    next_month,
    parse_month,
    validate_range,
)

log = logging.getLogger("portal_etl.backfill")

REPROCESS_CHOICES = ("completed", "failed", "none")


class BackfillError(AirflowRunError):
    """The backfill could not be started or awaited; the message says what to do."""


# --- the plan ---------------------------------------------------------------------------------


def local_start(month: date) -> datetime:
    """The 1st of the month of ``month``, 00:00 local."""
    return Month.of(month).start


@dataclass(frozen=True)
class BackfillPlan:
    source_ids: list[str]
    months: list[date]
    reprocess: str = "completed"
    process: bool = True
    # a channel that went live inside the range starts at its first live month
    first_month: dict[str, date] = field(default_factory=dict)
    refresh_settled: bool = False  # fetch settled articles too (pipeline/settled.py)

    @property
    def start(self) -> datetime:
        return local_start(self.months[0])

    @property
    def end(self) -> datetime:
        """Exclusive end of the range: the 1st of the month after the last, 00:00 local."""
        return local_start(next_month(self.months[-1]))

    def months_of(self, source_id: str) -> list[date]:
        first = self.first_month.get(source_id, self.months[0])
        return [m for m in self.months if m >= first]

    @property
    def cells(self) -> list[report.Cell]:
        return [(str(Month.of(m)), s) for m in self.months for s in self.source_ids if m in self.months_of(s)]


def plan_backfill(
    from_month: str,
    to_month: str,
    source_ids: list[str] | None = None,
    *,
    registry: Any = None,
    now: datetime | None = None,
    reprocess: str = "completed",
    process: bool = True,
    refresh_settled: bool = False,
) -> BackfillPlan:
    """Validate the request: known, configured channels; months they were live; months that are over."""
    if reprocess not in REPROCESS_CHOICES:
        raise RangeError(f"--reprocess must be one of {', '.join(REPROCESS_CHOICES)}")
    months = month_range(parse_month(from_month), parse_month(to_month))
    if registry is None:
        from portal_etl.registry import load_registry

        registry = load_registry()
    now = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ)
    chosen = list(dict.fromkeys(source_ids or [s.id for s in registry.sources if s.configured]))
    first_month: dict[str, date] = {}
    not_live: list[str] = []
    if not chosen:
        raise RangeError("no configured source to backfill")
    for source_id in chosen:
        try:
            source = registry.get(source_id)
        except KeyError as exc:
            raise RangeError(str(exc.args[0])) from None
        if not source.configured:
            raise RangeError(
                f"source {source_id!r} is not configured (no base_url): "
                "see docs/extraction.md, 'Pointing it at the real sites'"
            )
        live_month = date(source.live_since.year, source.live_since.month, 1)
        if not source_ids and months[0] < live_month:  # "every channel": each from the month it went live
            if live_month <= months[-1]:
                first_month[source_id] = live_month
            else:
                not_live.append(source_id)
            continue
        try:
            validate_range(months, source.live_since, now.date())
        except RangeError as exc:
            raise RangeError(f"{source_id}: {exc}") from None
    # Airflow backfills only complete intervals; say so instead of silently skipping the month
    if local_start(next_month(months[-1])) > now:
        raise RangeError(
            f"{months[-1]:%Y-%m} is not over yet (it ends {local_start(next_month(months[-1])):%d-%m-%Y}"
            " 00:00 local); backfill up to the previous month"
        )
    chosen = [s for s in chosen if s not in not_live]
    if not chosen:
        raise RangeError(f"no channel was live in {months[0]:%Y-%m}..{months[-1]:%Y-%m}")
    return BackfillPlan(chosen, months, reprocess, process, first_month, refresh_settled)


# --- talking to Airflow -----------------------------------------------------------------------


def month_of_interval(start: datetime) -> str:
    return str(Month.of(start))


def backfill_body(dag_id: str, plan: BackfillPlan) -> dict[str, Any]:
    months = plan.months_of(dag_id.removeprefix("ingest_"))
    return {
        "dag_id": dag_id,
        "from_date": local_start(months[0]).isoformat(),
        "to_date": (plan.end - timedelta(seconds=1)).isoformat(),
        "reprocess_behavior": plan.reprocess,
        "max_active_runs": 1,  # one channel's runs share its politeness budget
        "run_backwards": False,
        # the ingest DAGs' param: settled articles are fetched again only when asked
        "dag_run_conf": {"refresh_settled": True} if plan.refresh_settled else {},
    }


def check_dry_run(airflow: AirflowApi, dag_id: str, plan: BackfillPlan) -> list[str]:
    """The months Airflow would (re)create runs for; refuse any outside the request."""
    dry = airflow.api("POST", "/api/v2/backfills/dry_run", json=backfill_body(dag_id, plan))
    wanted = {str(Month.of(m)) for m in plan.months_of(dag_id.removeprefix("ingest_"))}
    months = [month_of_interval(parse_time(b["logical_date"])) for b in dry["backfills"]]
    stray = sorted(set(months) - wanted)
    if stray:
        raise BackfillError(
            f"{dag_id}: Airflow would run {stray}, outside the requested months; "
            "is its timetable still the monthly Asia/Ho_Chi_Minh one?"
        )
    return months


def create_backfill(airflow: AirflowApi, dag_id: str, plan: BackfillPlan) -> dict[str, Any] | None:
    """POST /api/v2/backfills; None when every month already has a run and nothing is to be redone."""
    try:
        return airflow.api("POST", "/api/v2/backfills", json=backfill_body(dag_id, plan))
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status == 409:
            running = airflow.api("GET", "/api/v2/backfills", params={"dag_id": dag_id, "limit": 100})
            ids = [b["id"] for b in running.get("backfills", []) if not b.get("completed_at")]
            raise BackfillError(
                f"{dag_id}: another backfill is still running (id {ids}); wait for it, or cancel it with "
                f"`PUT /api/v2/backfills/<id>/cancel` (Airflow UI: Browse → Backfills)"
            ) from None
        raise


def list_runs_of(airflow: AirflowApi, dag_ids: list[str], plan: BackfillPlan) -> dict[str, list[dict[str, Any]]]:
    """Every run of ``dag_ids`` whose logical date lies in the range, per DAG in logical-date order.

    One paged batch request (``POST /api/v2/dags/~/dagRuns/list``) for all the DAGs: one GET
    per DAG every POLL_SECONDS was 34 requests a second for 102 channels, an api-server busy on
    the same cores the scheduler and the workers need.
    """
    by_dag: dict[str, list[dict[str, Any]]] = {dag_id: [] for dag_id in dag_ids}
    offset = 0
    while True:
        page = airflow.api(
            "POST",
            "/api/v2/dags/~/dagRuns/list",
            json={
                "dag_ids": dag_ids,
                "logical_date_gte": plan.start.isoformat(),
                "logical_date_lt": plan.end.isoformat(),
                "page_limit": 100,
                "page_offset": offset,
                "order_by": "id",
            },
        )
        for run in page["dag_runs"]:
            by_dag.setdefault(run["dag_id"], []).append(run)
        offset += len(page["dag_runs"])
        if not page["dag_runs"] or offset >= page["total_entries"]:
            break
    for runs in by_dag.values():
        runs.sort(key=lambda r: r["logical_date"] or "")
    return by_dag


def cell_states(runs: list[dict[str, Any]], source_id: str) -> dict[report.Cell, str]:
    """One state per month: the worst of its runs (a daily channel has several per month)."""
    rank = {"failed": 0, "running": 1, "queued": 2, "success": 3}
    states: dict[report.Cell, str] = {}
    for run in runs:
        cell = (month_of_interval(parse_time(run["data_interval_start"])), source_id)
        state = run["state"]
        if cell not in states or rank.get(state, -1) < rank.get(states[cell], -1):
            states[cell] = state
    return states


def wait_backfills(
    airflow: AirflowApi,
    plan: BackfillPlan,
    backfills: dict[str, dict | None],
    progress: report.TextProgress,
    timeout: float | None,
) -> dict[str, list[dict]]:
    """Poll until every month of every channel has a finished run and the backfills are complete."""
    deadline = time.monotonic() + timeout if timeout else None
    while True:
        check_alive(airflow)
        by_dag = list_runs_of(airflow, [f"ingest_{s}" for s in plan.source_ids], plan)
        runs = {s: by_dag[f"ingest_{s}"] for s in plan.source_ids}
        for source_id, source_runs in runs.items():
            for cell, state in cell_states(source_runs, source_id).items():
                progress.update(cell, state)
        seen = {cell for source_id, source_runs in runs.items() for cell in cell_states(source_runs, source_id)}
        if set(plan.cells) - seen:  # runs are created with the backfill, so a gap now is a real gap
            raise BackfillError(
                f"Airflow has no run for {sorted(set(plan.cells) - seen)}: "
                "see the backfill in the Airflow UI (Browse → Backfills)"
            )
        finished = all(progress.states.get(c) in report.TERMINAL_STATES for c in plan.cells)
        open_ids = [b["id"] for b in backfills.values() if b and not b.get("completed_at")]
        if finished and open_ids:
            for dag_id, b in backfills.items():
                if b and not b.get("completed_at"):
                    backfills[dag_id] = airflow.api("GET", f"/api/v2/backfills/{b['id']}")
            open_ids = [b["id"] for b in backfills.values() if b and not b.get("completed_at")]
        if finished and not open_ids:
            return runs
        if deadline and time.monotonic() > deadline:
            raise BackfillError(f"backfill not finished after {timeout:.0f}s (backfills {open_ids} still open)")
        time.sleep(POLL_SECONDS)


@dataclass
class BackfillResult:
    plan: BackfillPlan
    cells: list[report.CellResult]
    process_state: str | None
    other_changes: Counter = field(default_factory=Counter)
    backfill_ids: dict[str, int | None] = field(default_factory=dict)
    runs: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c.state == "success" for c in self.cells) and self.process_state in (None, "success")

    @property
    def changed(self) -> bool:
        return any(c.staged_changes or c.integrated_changes for c in self.cells) or bool(self.other_changes)

    def summary(self) -> str:
        return report.render_summary(self.cells, self.process_state, self.other_changes)


def run_backfill(
    airflow: AirflowApi,
    plan: BackfillPlan,
    progress: report.TextProgress | None = None,
    *,
    timeout: float | None = None,
    dsn: str | None = None,
) -> BackfillResult:
    """Backfill the plan's months through the given Airflow and measure what changed."""
    from portal_etl.orchestration.tools.remote_runs import run_integrate  # it imports this module

    progress = progress or report.TextProgress(plan.cells)
    ingest_dags = [f"ingest_{s}" for s in plan.source_ids]
    before = report.take_snapshot(plan.source_ids, plan.start, plan.end, dsn)
    wait_for_dags(airflow, [*ingest_dags, INTEGRATE_DAG])
    integrate_was_paused = set_paused(airflow, INTEGRATE_DAG, True)
    paused_before: dict[str, bool] = {}
    backfills: dict[str, dict | None] = {}
    process_state = None
    try:
        for dag_id in ingest_dags:
            paused_before[dag_id] = set_paused(airflow, dag_id, False)
        for dag_id in ingest_dags:
            months = check_dry_run(airflow, dag_id, plan)
            backfills[dag_id] = create_backfill(airflow, dag_id, plan) if months else None
            created = backfills[dag_id]
            progress.note(
                f"{dag_id}: {len(months)} run(s) to do (reprocess {plan.reprocess})"
                + (f", Airflow backfill id {created['id']}" if created else "")
            )
        runs = wait_backfills(airflow, plan, backfills, progress, timeout)
        for dag_id, was in paused_before.items():
            if was:
                set_paused(airflow, dag_id, True)
        paused_before = {}
        if plan.process:  # the same run `portal-etl process` starts
            first, last = f"{plan.months[0]:%Y-%m}", f"{plan.months[-1]:%Y-%m}"
            process_state = run_integrate(
                airflow,
                first,
                last,
                note=f"portal-etl backfill {first}..{last}",
                timeout=timeout,
                on_state=lambda state: progress.note(f"{INTEGRATE_DAG} {first}..{last}: {state}"),
            )
    except BaseException:
        for b in backfills.values():  # leave no half-done backfill that would block the next attempt
            if b and not b.get("completed_at"):
                try:
                    airflow.api("PUT", f"/api/v2/backfills/{b['id']}/cancel")
                except Exception:  # noqa: BLE001 - best effort; the original error matters more
                    log.warning("could not cancel backfill %s", b["id"])
        raise
    finally:
        for dag_id, was in paused_before.items():
            if was:
                set_paused(airflow, dag_id, True)
        set_paused(airflow, INTEGRATE_DAG, integrate_was_paused)

    after = report.take_snapshot(plan.source_ids, plan.start, plan.end, dsn)
    states: dict[report.Cell, str] = {}
    metrics: dict[report.Cell, dict] = {}
    for source_id in plan.source_ids:
        dag_id = f"ingest_{source_id}"
        source_runs = runs[source_id]
        states.update(cell_states(source_runs, source_id))
        by_run = report.fetch_run_metrics(dag_id, [r["dag_run_id"] for r in source_runs], dsn)
        for run in source_runs:
            cell = (month_of_interval(parse_time(run["data_interval_start"])), source_id)
            got = by_run.get(run["dag_run_id"])
            if got:  # a daily channel: add its runs up per month
                into = metrics.setdefault(cell, {"new_items": 0, "updated_items": 0})
                into["new_items"] += got["new_items"]
                into["updated_items"] += got["updated_items"]
    return BackfillResult(
        plan=plan,
        cells=report.build_results(plan.cells, states, metrics, before, after),
        process_state=process_state,
        other_changes=report.other_article_changes(plan.cells, before, after),
        backfill_ids={d: (b["id"] if b else None) for d, b in backfills.items()},
        runs=runs,
    )
