"""Trigger a run on an Airflow and await it: the processing run of ``process`` and ``backfill``.

Why through Airflow's REST API: a run started from the command line should be the scheduler's,
visible in its UI while it runs, whichever Airflow that is (the running one or a private one,
``airflow_api.open_airflow``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from portal_etl.months import Month
from portal_etl.orchestration.tools.airflow_api import (
    POLL_SECONDS,
    AirflowApi,
    AirflowRunError,
    check_alive,
    set_paused,
    wait_for_dags,
)
from portal_etl.orchestration.tools.backfill_report import TERMINAL_STATES

INTEGRATE_DAG = "integrate_articles"

log = logging.getLogger("portal_etl.remote_runs")


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


def run_integrate(
    airflow: AirflowApi,
    from_month: Month,
    to_month: Month,
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
            json={
                "logical_date": None,
                "conf": {"from_month": str(from_month), "to_month": str(to_month)},
                "note": note,
            },
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
