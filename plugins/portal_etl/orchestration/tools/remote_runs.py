"""``portal-etl ingest`` and ``process`` on an Airflow that is already running: trigger runs, await them.

Why: with ``portal-etl stack up`` running (or ``PORTAL_ETL_AIRFLOW_API`` set), a run started from
the command line should be that Airflow's: executed by its scheduler and visible in its UI while
it runs, not a ``dag.test`` run in the command's own process beside it (``runner.py``, the path
when no Airflow runs).

An ingest run covers one local month: ``logical_date`` = the month's 1st 00:00 Asia/Ho_Chi_Minh
and the data interval the whole month, as a backfill or scheduled run of the monthly timetable
has, so one month has one run whoever started it. Asking again for a month that already has a
run clears that run (Airflow re-runs its tasks; staging is upserted, so nothing is duplicated)
instead of failing on the unique logical date. The ingest DAGs are unpaused while their runs
go (a paused DAG's runs stay queued) and their pause state is restored afterwards.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import requests

from portal_etl.orchestration.tools.airflow_api import (
    POLL_SECONDS,
    AirflowApi,
    AirflowRunError,
    check_alive,
    parse_time,
    set_paused,
    wait_for_dags,
)
from portal_etl.orchestration.tools.backfill import INTEGRATE_DAG, local_start
from portal_etl.orchestration.tools.backfill_report import TERMINAL_STATES
from portal_etl.orchestration.tools.runner import RunOutcome, next_month

log = logging.getLogger("portal_etl.remote_runs")


def start_month_run(
    airflow: AirflowApi, dag_id: str, month: date, note: str, conf: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Trigger the run of ``dag_id`` for a local month, or clear the month's existing run."""
    start, end = local_start(month), local_start(next_month(month))
    body = {
        "logical_date": start.isoformat(),
        "data_interval_start": start.isoformat(),
        "data_interval_end": end.isoformat(),
        "conf": conf or {},
        "note": note,
    }
    try:
        return airflow.api("POST", f"/api/v2/dags/{dag_id}/dagRuns", json=body)
    except requests.HTTPError as exc:
        if exc.response is None or exc.response.status_code != 409:
            raise
    existing = airflow.api(
        "GET",
        f"/api/v2/dags/{dag_id}/dagRuns",
        params={"logical_date_gte": start.isoformat(), "logical_date_lte": start.isoformat()},
    )["dag_runs"]
    if not existing or parse_time(existing[0]["data_interval_start"]) != start:
        raise AirflowRunError(
            f"{dag_id}: the run at {start:%Y-%m-%d %H:%M %z} does not cover {month:%Y-%m}; "
            "clear or delete it in the Airflow UI"
        )
    run = existing[0]
    if run["state"] in TERMINAL_STATES:
        log.info("%s %s: clearing run %s to run it again", dag_id, f"{month:%Y-%m}", run["dag_run_id"])
        run = airflow.api(
            "POST", f"/api/v2/dags/{dag_id}/dagRuns/{run['dag_run_id']}/clear", json={"dry_run": False, "note": note}
        )
    return run


def await_runs(
    airflow: AirflowApi,
    runs: dict[tuple[str, str], str],
    timeout: float | None,
    on_state: Callable[[str, str, str], None] | None = None,
) -> dict[tuple[str, str], str]:
    """Poll ``{(dag_id, run_id): state}`` until every run has finished; the final states."""
    deadline = time.monotonic() + timeout if timeout else None
    states = dict(runs)
    while any(s not in TERMINAL_STATES for s in states.values()):
        time.sleep(POLL_SECONDS)
        check_alive(airflow)  # a private stack whose scheduler died would leave the states frozen
        for (dag_id, run_id), state in states.items():
            if state in TERMINAL_STATES:
                continue
            now = airflow.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")["state"]
            if now != state:
                states[(dag_id, run_id)] = now
                if on_state:
                    on_state(dag_id, run_id, now)
        if deadline and time.monotonic() > deadline:
            waiting = [k for k, s in states.items() if s not in TERMINAL_STATES]
            raise AirflowRunError(f"runs not finished after {timeout:.0f}s: {waiting}")
    return states


def run_months(
    airflow: AirflowApi,
    dag_ids: list[str],
    months: list[date],
    progress: Callable[[RunOutcome], None] | None = None,
    *,
    timeout: float | None = None,
    conf: dict[str, Any] | None = None,
) -> list[RunOutcome]:
    """One run per DAG and month, all queued at once; each DAG's ``max_active_runs`` paces them."""
    wait_for_dags(airflow, dag_ids)
    paused_before = {dag_id: set_paused(airflow, dag_id, False) for dag_id in dag_ids}
    try:
        started: dict[tuple[str, str], tuple[date, str]] = {}
        for month in months:
            for dag_id in dag_ids:
                run = start_month_run(airflow, dag_id, month, f"portal-etl ingest {month:%Y-%m}", conf)
                started[(dag_id, run["dag_run_id"])] = (month, run["state"])

        def finished(dag_id: str, run_id: str, state: str) -> None:
            if progress and state in TERMINAL_STATES:
                progress(RunOutcome(dag_id, started[(dag_id, run_id)][0], state, run_id))

        finals = await_runs(airflow, {k: state for k, (_, state) in started.items()}, timeout, finished)
    finally:
        for dag_id, was in paused_before.items():
            if was:
                set_paused(airflow, dag_id, True)
    return [
        RunOutcome(dag_id, month, finals[(dag_id, run_id)], run_id) for (dag_id, run_id), (month, _) in started.items()
    ]


def run_integrate(
    airflow: AirflowApi,
    from_month: str,
    to_month: str,
    *,
    note: str,
    timeout: float | None = None,
    on_state: Callable[[str], None] | None = None,
) -> str:
    """One manual ``integrate_articles`` run over the months, awaited; its final state.
    ``on_state`` hears each state the run reaches (the first with its run id)."""
    wait_for_dags(airflow, [INTEGRATE_DAG])
    was_paused = set_paused(airflow, INTEGRATE_DAG, False)
    try:
        run = airflow.api(
            "POST",
            f"/api/v2/dags/{INTEGRATE_DAG}/dagRuns",
            json={"logical_date": None, "conf": {"from_month": from_month, "to_month": to_month}, "note": note},
        )
        if on_state:
            on_state(f"{run['state']} ({run['dag_run_id']})")
        finals = await_runs(
            airflow,
            {(INTEGRATE_DAG, run["dag_run_id"]): run["state"]},
            timeout,
            (lambda _dag, _run, state: on_state(state)) if on_state else None,
        )
    finally:
        if was_paused:
            set_paused(airflow, INTEGRATE_DAG, True)
    return next(iter(finals.values()))
