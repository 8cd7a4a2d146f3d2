"""Pieces every DAG of the project shares: timetables, default args, failure callback."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from airflow.sdk import CronDataIntervalTimetable

from portal_etl.months import LOCAL_ZONE

log = logging.getLogger("portal_etl.alerts")

OWNER = "data-eng"

# cron expressions of the data intervals a registry entry may ask for, in local time
SCHEDULES = {
    "monthly": "0 0 1 * *",  # [1st 00:00, next 1st 00:00) local: the report's unit
    "daily": "0 0 * * *",
}


def interval_timetable(schedule: str) -> CronDataIntervalTimetable:
    """An explicit data-interval timetable (a bare cron string would give zero-width intervals),
    always in the portal's zone: every DAG's months are the report's months."""
    return CronDataIntervalTimetable(SCHEDULES[schedule], timezone=LOCAL_ZONE)


def alert_on_failure(context: dict[str, Any]) -> None:
    """Failure callback: one log line an engineer can act on (which source, why, where), and the
    alert mail (``monitoring.alerts``: at most one per source and run; a source-health alarm is
    the failure of its check task, so it is that mail, with the evidence)."""
    ti = context.get("ti") or context.get("task_instance")
    dag = context.get("dag")
    params = context.get("params") or {}
    source = params.get("source_id") or (dag.dag_id if dag else "?")
    exc = context.get("exception")
    log.error(
        "ALERT task failed: dag=%s task=%s run=%s source=%s try=%s reason=%s: %s",
        getattr(dag, "dag_id", "?"),
        getattr(ti, "task_id", "?"),
        context.get("run_id"),
        source,
        getattr(ti, "try_number", "?"),
        type(exc).__name__ if exc else "unknown",
        exc,
    )
    from portal_etl.monitoring.alerts import mail_failure  # here: DAG files parse without the DB driver

    mail_failure(context)


DEFAULT_ARGS: dict[str, Any] = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(minutes=2),  # long enough for a flapping site to come back
    "retry_exponential_backoff": True,
    "on_failure_callback": alert_on_failure,
}
