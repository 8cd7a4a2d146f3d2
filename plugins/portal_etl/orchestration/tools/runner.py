"""Run a project DAG in this process with ``dag.test``: for tests and benchmarks that need a
real DAG run without a scheduler.

Each call is one real DAG run created and executed by Airflow itself, recorded in Airflow's
metadata database with its task instances and logs: the code path a scheduler drives, minus the
waiting. Operators' past months run on a scheduler instead (``past_months.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from portal_etl.months import Month


def load_dags(dag_ids: Iterable[str]) -> dict[str, Any]:
    """Parse the project's DAG folder once and return the requested DAGs."""
    from airflow.configuration import conf
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=conf.get("core", "dags_folder"))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    missing = [d for d in dag_ids if d not in bag.dags]
    if missing:
        raise RuntimeError(f"unknown DAG ids {missing}; known: {sorted(bag.dags)}")
    return {d: bag.dags[d] for d in dag_ids}


def run_month(dag: Any, month: Month, conf: dict | None = None) -> str:
    """One DAG run whose data interval is the local month (``conf``: the run's params); its state."""
    # dag.test infers the manual interval that *ends* at the logical date (the last complete
    # period before it), so the run for April is asked for at 1 May 00:00 local.
    dagrun = dag.test(logical_date=month.end, run_conf=conf)
    return str(getattr(dagrun, "state", "unknown")).rsplit(".", 1)[-1]
