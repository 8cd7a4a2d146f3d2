"""Trigger a run on an Airflow and await it: the processing run of ``process`` and ``backfill``.

Why through Airflow's REST API: a run started from the command line should be the scheduler's,
visible in its UI while it runs, whichever Airflow that is (the running one or a private one,
``airflow_api.open_airflow``).
"""

from __future__ import annotations

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


def await_run(
    airflow: AirflowApi,
    dag_id: str,
    run: dict,
    timeout: float | None,
    on_state: Callable[[str], None] | None = None,
) -> str:
    """Poll a triggered run until it has finished; its final state (``on_state`` hears each change)."""
    deadline = time.monotonic() + timeout if timeout else None
    state = run["state"]
    while state not in TERMINAL_STATES:
        time.sleep(POLL_SECONDS)
        check_alive(airflow)  # a private stack whose scheduler died would leave the state frozen
        now = airflow.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run['dag_run_id']}")["state"]
        if now != state:
            state = now
            if on_state:
                on_state(state)
        if deadline and time.monotonic() > deadline:
            raise AirflowRunError(f"run {dag_id} {run['dag_run_id']} not finished after {timeout:.0f}s")
    return state


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
        return await_run(airflow, INTEGRATE_DAG, run, timeout, on_state)
    finally:
        if was_paused:
            set_paused(airflow, INTEGRATE_DAG, True)
