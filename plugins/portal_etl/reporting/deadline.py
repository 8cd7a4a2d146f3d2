"""Deadline alert: the monthly report for month M must have been e-mailed by day N of month M+1.

N is ``PORTAL_ETL_REPORT_DEADLINE_DAY``, else the Airflow Variable ``portal_etl_report_deadline_day``,
else 5 (the department reads last month's figures in the first working week). "Delivered" means
a row of ``integration.report_delivery`` for M (sql/007): an e-mail the server accepted, not a
file on disk or a green report run. When local day N has ended and there is none, one mail goes
to the alert recipients (``monitoring.alerts``), saying whether the report was produced at all,
and how to send it; once per month (``staging.alert_mail`` key ``report_deadline:<M>``).

Why a small scheduled check (the ``report_deadline`` DAG, one run per local day) and not Airflow
3.3's ``DeadlineAlert`` (``airflow.sdk``, read in the installed ``sdk/definitions/deadline.py``): a
DeadlineAlert watches a *DAG run* — its reference is a run's logical date or queue time, or a fixed
datetime — and fires when that run has not finished by then. Our deadline is about a fact in our
own store, not about a run: (1) the report run for M can succeed without e-mailing anything (no
recipients or no SMTP connection: ``deliver_report`` is skipped), and that is exactly the late
report to catch; (2) if the run was never created (DAG paused, scheduler down for days) there is
no run to miss a deadline, and no alert; (3) DeadlineAlert is evaluated by the scheduler only and
its callback runs on the triggerer or an executor, so it cannot be exercised by ``dag.test`` the
way every other alert here is tested. A daily check of ``integration.report_delivery`` has none of
these gaps and costs one small task a day.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from portal_etl import settings
from portal_etl.db import transaction
from portal_etl.monitoring.alerts import Alert, page, send_alert
from portal_etl.months import LOCAL_TZ, Month
from portal_etl.settings import ConfigurationError

log = logging.getLogger("portal_etl.report_deadline")

DEADLINE_DAY_ENV = settings.REPORT_DEADLINE_DAY_ENV
DEADLINE_DAY_VARIABLE = "portal_etl_report_deadline_day"
DEFAULT_DEADLINE_DAY = 5  # the first working week of the next month
LAST_DEADLINE_DAY = 28  # every month has a day 28


def deadline_day() -> int:
    """N: ``PORTAL_ETL_REPORT_DEADLINE_DAY``, else the Variable, else 5; a bad value is an error."""
    value, origin = settings.env_value(DEADLINE_DAY_ENV), DEADLINE_DAY_ENV
    if not value:
        origin = f"Variable {DEADLINE_DAY_VARIABLE}"
        try:
            from airflow.sdk import Variable

            value = str(Variable.get(DEADLINE_DAY_VARIABLE, default=None) or "").strip()
        except Exception as exc:  # noqa: BLE001 - no Variable store reachable: the default
            log.debug("Variable %s not readable: %s", DEADLINE_DAY_VARIABLE, exc)
            value = ""
    if not value:
        return DEFAULT_DEADLINE_DAY
    if not value.isdigit() or not 1 <= int(value) <= LAST_DEADLINE_DAY:
        raise ConfigurationError(f"{origin}: {value!r} is not a day of the month from 1 to {LAST_DEADLINE_DAY}")
    return int(value)


def previous_month(day: date) -> str:
    return str(Month.of(day).previous())


@dataclass(frozen=True)
class DeadlineCheck:
    """The answer for one local day: is last month's report due, delivered, and was a mail sent."""

    day: date
    month: str  # the report month, 'YYYY-MM'
    deadline: datetime  # the end of local day N of the next month
    deadline_day: int  # N
    due: bool
    produced_at: datetime | None
    delivered_at: datetime | None  # the first accepted e-mail of the month's report
    alerted: bool = False

    @property
    def late(self) -> bool:
        return self.due and self.delivered_at is None

    @property
    def last_day(self) -> str:
        """Day N, the last day to deliver, as the department writes dates."""
        return f"{self.day.replace(day=self.deadline_day):%d-%m-%Y}"

    def describe(self) -> str:
        when = self.last_day
        if not self.due:
            return f"report {self.month}: not due yet (deadline: end of {when})"
        if self.delivered_at is not None:
            return f"report {self.month}: delivered {self.delivered_at.astimezone(LOCAL_TZ):%d-%m-%Y %H:%M} (local)"
        state = "produced but not e-mailed" if self.produced_at else "not produced"
        return f"report {self.month}: LATE, {state} by the end of {when}" + (" — alert mailed" if self.alerted else "")


def _alert(check: DeadlineCheck, content_hash: str | None, context: dict[str, Any] | None) -> Alert:
    when = check.last_day
    ti = (context or {}).get("ti")
    if check.produced_at:
        state = (
            f"produced {check.produced_at.astimezone(LOCAL_TZ):%d-%m-%Y %H:%M} (local, sha256 "
            f"{(content_hash or '')[:12]}) but never e-mailed: check the monthly_report run's deliver_report "
            "task (skipped when PORTAL_ETL_REPORT_RECIPIENTS or the SMTP connection is missing)"
        )
    else:
        state = "not produced at all: no monthly_report run for the month has built it"
    rows = [("Report month", check.month), ("Deadline", f"end of {when} (local)"), ("State", html.escape(state))]
    if ti is not None and getattr(ti, "log_url", None):
        rows.append(("Check log", f'<a href="{html.escape(ti.log_url)}">{html.escape(ti.log_url)}</a>'))
    todo = (
        f"portal-etl report --month {check.month} --email\n(or clear the monthly_report run of {check.month} in the UI)"
    )
    return Alert(
        key=f"report_deadline:{check.month}",
        kind="report_deadline",
        subject=f"[portal-etl] monthly report {check.month} not delivered by {when}",
        html=page(
            f"The monthly report for {check.month} has not been e-mailed by day "
            f"{check.deadline_day} of the next month.",
            rows,
            "To send it",
            todo,
            "One mail per report month (staging.alert_mail).",
        ),
        dag_id=getattr((context or {}).get("dag"), "dag_id", None),
        run_id=(context or {}).get("run_id"),
        task_id=getattr(ti, "task_id", None),
        month=check.month,
    )


def check_report_deadline(
    day: date,
    *,
    deadline: int | None = None,
    dsn: str | None = None,
    context: dict[str, Any] | None = None,
) -> DeadlineCheck:
    """The check for local ``day``: once day N of its month is over, is last month's report
    delivered? If not, mail the alert (once per month). ``deadline``: N (default: configured)."""
    n = deadline if deadline is not None else deadline_day()
    month = previous_month(day)
    due_at = datetime(day.year, day.month, n, tzinfo=LOCAL_TZ) + timedelta(days=1)
    with transaction(dsn, "portal-etl-report-deadline") as conn, conn.cursor() as cur:
        cur.execute("SELECT generated_at, content_hash FROM integration.monthly_report WHERE month = %s", (month,))
        produced_at, content_hash = cur.fetchone() or (None, None)
        cur.execute("SELECT min(sent_at) FROM integration.report_delivery WHERE month = %s", (month,))
        delivered_at = cur.fetchone()[0]
    check = DeadlineCheck(day, month, due_at, n, day.day >= n, produced_at, delivered_at)
    if check.late:
        alerted = send_alert(_alert(check, content_hash, context), context, dsn=dsn)
        check = DeadlineCheck(day, month, due_at, n, True, produced_at, None, alerted)
        log.warning("%s", check.describe())
    else:
        log.info("%s", check.describe())
    return check
