"""Past months, one way: ``ingest``, ``process`` and ``backfill`` all run on an Airflow scheduler.

* ``backfill``: each channel's months as an Airflow backfill of its ingest DAG, then one
  ``integrate_articles`` run over the range (``backfill.py``).
* ``ingest``: the same backfills, without the processing run.
* ``process``: that processing run alone (``remote_runs.run_integrate``).

Whichever command ran a month, the month has the same run: run type ``backfill``, logical date
the month's 1st 00:00 local, data interval the whole month; asked again, that run is re-run
(``--reprocess``), never duplicated. Every range is checked first by one planner
(``month_plan.py``).

The Airflow is the running one (``--airflow-api`` / PORTAL_ETL_AIRFLOW_API, or ``portal-etl
stack up``): its UI shows the runs while they go. With none running, a private api-server,
scheduler and dag-processor are started for the command and stopped after it
(``airflow_api.open_airflow``).
"""

from __future__ import annotations

from collections.abc import Callable

from portal_etl.months import Month
from portal_etl.orchestration.tools import backfill, remote_runs
from portal_etl.orchestration.tools.airflow_api import open_airflow
from portal_etl.orchestration.tools.month_plan import MonthPlan


def run_plan(
    plan: MonthPlan,
    *,
    api_url: str | None = None,
    timeout: float | None = None,
    announce: Callable[[str], None] = lambda _line: None,
) -> backfill.BackfillResult:
    """The plan's months through Airflow backfills (and processing when the plan says so)."""
    with open_airflow(api_url) as airflow:
        announce(f"on the Airflow at {airflow.base_url}")
        return backfill.run_backfill(airflow, plan, timeout=timeout)


def run_process(
    first: Month,
    last: Month,
    *,
    note: str,
    api_url: str | None = None,
    timeout: float | None = None,
    announce: Callable[[str], None] = lambda _line: None,
) -> str:
    """One ``integrate_articles`` run over ``first``..``last``, awaited; its final state."""
    with open_airflow(api_url) as airflow:
        announce(f"on the Airflow at {airflow.base_url}")
        return remote_runs.run_integrate(airflow, first, last, note=note, timeout=timeout)
