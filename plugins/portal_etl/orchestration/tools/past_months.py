"""Past months through Airflow: where ``ingest``, ``process`` and ``backfill`` send their runs,
decided in one place.

* An Airflow that is running (``--airflow-api`` / PORTAL_ETL_AIRFLOW_API, or ``portal-etl stack
  up``) gets every run through its REST API: its scheduler executes them and its UI shows them
  (:class:`OnAirflow`; ``remote_runs.py``). ``process`` and ``backfill``'s processing step are the
  same ``integrate_articles`` run there.
* With none running, ``ingest`` and ``process`` run each DAG run in this process with
  ``dag.test`` (:class:`InProcess`; ``runner.py``), while ``backfill`` — Airflow's own backfills,
  which only a scheduler executes — starts a private Airflow for the command
  (:func:`scheduler_runs`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, Protocol

from portal_etl.orchestration.tools import remote_runs, runner
from portal_etl.orchestration.tools.airflow_api import AirflowApi, open_airflow, running_airflow
from portal_etl.orchestration.tools.runner import RunOutcome


class MonthRuns(Protocol):
    where: str | None  # the api-server's URL; None: this process

    def run_months(
        self,
        dag_ids: list[str],
        months: list[date],
        progress: Callable[[RunOutcome], None] | None = None,
        conf: dict[str, Any] | None = None,
    ) -> list[RunOutcome]: ...

    def run_integrate(self, from_month: str, to_month: str, *, note: str) -> str: ...


class InProcess:
    """Runs executed here by ``dag.test``: no scheduler needed, nothing to watch in a UI."""

    where = None

    def run_months(self, dag_ids, months, progress=None, conf=None) -> list[RunOutcome]:
        return runner.run_months(dag_ids, months, progress, conf)

    def run_integrate(self, from_month: str, to_month: str, *, note: str) -> str:
        return runner.run_integrate(from_month, to_month)  # the note is for a UI; dag.test shows none


class OnAirflow:
    """Runs triggered through an Airflow's REST API and awaited."""

    def __init__(self, airflow: AirflowApi, timeout: float | None = None) -> None:
        self.airflow = airflow
        self.timeout = timeout
        self.where = getattr(airflow, "base_url", None)

    def run_months(self, dag_ids, months, progress=None, conf=None) -> list[RunOutcome]:
        return remote_runs.run_months(self.airflow, dag_ids, months, progress, timeout=self.timeout, conf=conf)

    def run_integrate(
        self, from_month: str, to_month: str, *, note: str, on_state: Callable[[str], None] | None = None
    ) -> str:
        return remote_runs.run_integrate(
            self.airflow, from_month, to_month, note=note, timeout=self.timeout, on_state=on_state
        )


def month_runs(api_url: str | None = None) -> MonthRuns:
    """The running Airflow's runs, else this process's (``ingest`` and ``process``)."""
    airflow = running_airflow(api_url)
    return InProcess() if airflow is None else OnAirflow(airflow)


@contextmanager
def scheduler_runs(api_url: str | None = None, timeout: float | None = None) -> Iterator[OnAirflow]:
    """The running Airflow's runs, else a private Airflow's for the duration (``backfill``)."""
    with open_airflow(api_url) as airflow:
        yield OnAirflow(airflow, timeout)
