"""Run the project's DAGs in this process, without a scheduler: the path of ``ingest`` and
``process`` when no Airflow is running (``past_months.py`` decides).

Each month is one real DAG run created and executed by Airflow itself (``dag.test``), recorded
in Airflow's metadata database with its task instances and logs: the same code path a
scheduler would drive, minus the waiting. Scheduler-driven backfills, with progress and a
summary, are `portal-etl backfill` (``tools/backfill.py``; docs/runbook.md, "Backfill historical
months").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from portal_etl.months import Month

log = logging.getLogger("portal_etl.runner")

INTEGRATE_DAG = "integrate_articles"


class RangeError(ValueError):
    """A requested month range is invalid; the message says why."""


def parse_month(text: str) -> date:
    """The 1st of a 'YYYY-MM' month (RangeError otherwise)."""
    try:
        return Month.parse(text).first_day
    except ValueError as exc:
        raise RangeError(f"{text!r} is not a month in YYYY-MM form") from exc


def month_range(first: date, last: date) -> list[date]:
    if last < first:
        raise RangeError(f"--to {last:%Y-%m} is before --from {first:%Y-%m}")
    return [m.first_day for m in Month.span(Month.of(first), Month.of(last))]


def next_month(month: date) -> date:
    return Month.of(month).next().first_day


def validate_range(months: list[date], live_since: date, today: date) -> None:
    """Refuse months before a channel went live or after the current one."""
    if months[0] < date(live_since.year, live_since.month, 1):
        raise RangeError(f"{months[0]:%Y-%m} is before the channel went live ({live_since:%d-%m-%Y})")
    if months[-1] > date(today.year, today.month, 1):
        raise RangeError(f"{months[-1]:%Y-%m} is in the future (today is {today:%d-%m-%Y})")


@dataclass
class RunOutcome:
    dag_id: str
    month: date
    state: str
    run_id: str | None


def load_dags(dag_ids: Iterable[str]):
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


def run_month(dag, month: date, conf: dict | None = None) -> RunOutcome:
    """One DAG run whose data interval is the given local month (``conf``: the run's params)."""
    # dag.test infers the manual interval that *ends* at the logical date (the last complete
    # period before it), so the run for April is asked for at 1 May 00:00 local.
    end = Month.of(month).end
    dagrun = dag.test(logical_date=end, run_conf=conf)
    state = str(getattr(dagrun, "state", "unknown"))
    return RunOutcome(dag.dag_id, month, state.rsplit(".", 1)[-1], getattr(dagrun, "run_id", None))


def run_months(
    dag_ids: list[str],
    months: list[date],
    progress: Callable[[RunOutcome], None] | None = None,
    conf: dict | None = None,
) -> list[RunOutcome]:
    dags = load_dags(dag_ids)
    outcomes = []
    for month in months:
        for dag_id in dag_ids:
            outcome = run_month(dags[dag_id], month, conf)
            outcomes.append(outcome)
            if progress:
                progress(outcome)
    return outcomes


def run_integrate(from_month: str, to_month: str) -> str:
    """One ``integrate_articles`` run over the months (its params), in this process; its final state."""
    dag = load_dags([INTEGRATE_DAG])[INTEGRATE_DAG]
    dagrun = dag.test(run_conf={"from_month": from_month, "to_month": to_month})
    return str(dagrun.state).rsplit(".", 1)[-1]
