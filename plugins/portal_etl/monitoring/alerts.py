"""Alert mails: a failed task or a source-health alarm reaches people, not only a log line.

* **Who**: the addresses in ``PORTAL_ETL_ALERT_RECIPIENTS`` (comma- or semicolon-separated), else
  in the Airflow Variable ``portal_etl_alert_recipients``: the pipeline's operators. The report's
  readers (``PORTAL_ETL_REPORT_RECIPIENTS``) are another list: they get reports, not alarms.
* **How**: the SMTP provider's ``SmtpNotifier`` on the Airflow connection ``portal_etl_smtp`` (the
  one the report goes through; sender from its ``from_email`` extra). The notifier is not hung on
  the tasks directly (``on_failure_callback=SmtpNotifier(...)``) because the recipients are read
  when the alert happens (an operator changes the Variable without a redeploy), a missing
  connection or list must give a log line rather than a callback error, and the mail must be sent
  once: the failure callback (``orchestration.dags.common.alert_on_failure``) builds the mail and calls
  the notifier's ``notify``.
* **Once**: at most one mail per source per DAG run, one per late report. A source-health alarm
  *is* the failure of the run's ``check_source_health`` task (it raises ``SourceHealthError``), so
  the alarm mail is that failure's mail, carrying the health evidence; no second mail comes from
  it. Every mail is also a row of ``staging.alert_mail`` claimed in the transaction that sends it
  (key ``run:<dag>:<run>:<source>``), so another failing task of the same run and source, or a
  cleared run failing again, sends nothing more. A failed send rolls the claim back.
* **Nothing configured**: no mail, and one WARNING line naming what is missing.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg2

from portal_etl import settings
from portal_etl.db import connect
from portal_etl.months import LOCAL_TZ
from portal_etl.reporting.delivery import SMTP_CONN_ID, recipients_from, smtp_connection_configured

log = logging.getLogger("portal_etl.alerts")

RECIPIENTS_ENV = settings.ALERT_RECIPIENTS_ENV
RECIPIENTS_VARIABLE = "portal_etl_alert_recipients"


@dataclass(frozen=True)
class Alert:
    """One alert mail: its once-only key (``staging.alert_mail``), what it is about, its text."""

    key: str
    kind: str  # task_failure | source_health | report_deadline
    subject: str
    html: str
    dag_id: str | None = None
    run_id: str | None = None
    task_id: str | None = None
    source_id: str | None = None
    month: str | None = None


def alert_recipients() -> list[str]:
    """``PORTAL_ETL_ALERT_RECIPIENTS``, else the Airflow Variable ``portal_etl_alert_recipients``."""
    return recipients_from(RECIPIENTS_ENV, RECIPIENTS_VARIABLE)


def not_configured_reason() -> str | None:
    """Why no alert mail can be sent here (None: it can)."""
    if not alert_recipients():
        return f"no alert recipients configured ({RECIPIENTS_ENV} or the Airflow Variable {RECIPIENTS_VARIABLE})"
    if not smtp_connection_configured(SMTP_CONN_ID):
        return f"no SMTP connection {SMTP_CONN_ID!r} (AIRFLOW_CONN_{SMTP_CONN_ID.upper()} or an Airflow connection)"
    return None


def _notify(alert: Alert, recipients: list[str], context: dict[str, Any] | None) -> None:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    # notify(), not the notifier's __call__: subject and body are final text, not Jinja templates
    # (an error message may well contain "{{"); only the sender is filled in from the connection
    SmtpNotifier(to=recipients, subject=alert.subject, html_content=alert.html, smtp_conn_id=SMTP_CONN_ID).notify(
        context or {}
    )


def send_alert(alert: Alert, context: dict[str, Any] | None = None, *, dsn: str | None = None) -> bool:
    """E-mail ``alert`` unless its key was mailed before or nothing is configured; True if sent."""
    reason = not_configured_reason()
    if reason:
        log.warning("alert mail not sent (%s): %s", reason, alert.subject)
        return False
    recipients = alert_recipients()
    try:
        conn = connect(dsn, "portal-etl-alerts")
    except psycopg2.Error as exc:  # the database may be why the task failed: tell people anyway
        log.warning(
            "alert mail: the pipeline database is unreachable (%s); sending without the once-only record",
            str(exc).strip(),
        )
        _notify(alert, recipients, context)
        log.info("alert mail sent to %s: %s", ", ".join(recipients), alert.subject)
        return True
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                """INSERT INTO staging.alert_mail (alert_key, kind, dag_id, run_id, task_id, source_id, month,
                                                   recipients, subject)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
                   ON CONFLICT (alert_key) DO NOTHING RETURNING alert_key""",
                (
                    alert.key,
                    alert.kind,
                    alert.dag_id,
                    alert.run_id,
                    alert.task_id,
                    alert.source_id,
                    alert.month,
                    sorted(r.lower() for r in recipients),
                    alert.subject,
                ),
            )
            if cur.fetchone() is None:
                log.info(
                    "alert mail not sent: one was already sent for %s (staging.alert_mail): %s",
                    alert.key,
                    alert.subject,
                )
                return False
            _notify(alert, recipients, context)  # an error here rolls the claim back
    finally:
        conn.close()
    log.info("alert mail sent to %s: %s", ", ".join(recipients), alert.subject)
    return True


# --- a failed task ---------------------------------------------------------------------------------


def _local(moment: datetime | None) -> str:
    return f"{moment.astimezone(LOCAL_TZ):%d-%m-%Y %H:%M}" if moment else "—"


def page(headline: str, rows: list[tuple[str, str]], detail_title: str, detail: str, footer: str) -> str:
    """A small HTML mail: a headline, a table of facts (values already HTML), the detail as text."""
    cells = "".join(f'<tr><th align="left" valign="top">{html.escape(k)}</th><td>{v}</td></tr>' for k, v in rows)
    return (
        f'<p><b>{html.escape(headline)}</b></p>\n<table cellpadding="4">{cells}</table>\n'
        f"<h3>{html.escape(detail_title)}</h3>\n<pre>{html.escape(detail)}</pre>\n"
        f"<p><small>{html.escape(footer)}</small></p>"
    )


def failure_alert(context: dict[str, Any]) -> Alert:
    """The mail for a task's failure (its context, as Airflow passes it to the failure callback);
    for a source-health alarm, with the health evidence."""
    from portal_etl.monitoring.health import SourceHealthError

    ti = context.get("ti") or context.get("task_instance")
    dag = context.get("dag")
    dag_id = getattr(dag, "dag_id", None) or getattr(ti, "dag_id", None) or "?"
    task_id = getattr(ti, "task_id", None) or "?"
    run_id = context.get("run_id") or getattr(ti, "run_id", None) or "?"
    source = (context.get("params") or {}).get("source_id")
    exc = context.get("exception")
    health = isinstance(exc, SourceHealthError)
    log_url = getattr(ti, "log_url", None)
    if health:
        subject = f"[portal-etl] source health alarm: {source} looks broken ({dag_id}, run {run_id})"
        headline = (
            f"The source-health check failed the run of {source}: what it collected looks like a broken "
            "or redesigned site. The evidence is below; the task log has the run's figures."
        )
        detail_title, detail = "Evidence", str(exc)
    else:
        subject = (
            f"[portal-etl] task failed: {dag_id}.{task_id}"
            + (f" (source {source})" if source else "")
            + f", run {run_id}"
        )
        headline = f"Task {task_id} of {dag_id} failed after its last try."
        detail_title = "Error"
        detail = f"{type(exc).__name__}: {exc}" if exc is not None else "unknown (see the log)"
    rows = [
        ("DAG", html.escape(dag_id)),
        ("Task", f"{html.escape(task_id)} (try {getattr(ti, 'try_number', '?')})"),
        ("Run", html.escape(run_id)),
    ]
    if source:
        rows.append(("Source", html.escape(source)))
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is not None:
        rows.append(("Data interval", f"{_local(start)} .. {_local(end)} (local, end exclusive)"))
    rows.append(("Log", f'<a href="{html.escape(log_url)}">{html.escape(log_url)}</a>' if log_url else "—"))
    footer = (
        f"At most one mail per source and run: another failure of run {run_id}"
        + (f" for {source}" if source else "")
        + " is logged, not mailed (staging.alert_mail)."
    )
    return Alert(
        key=f"run:{dag_id}:{run_id}:{source or '-'}",
        kind="source_health" if health else "task_failure",
        subject=subject,
        html=page(headline, rows, detail_title, detail, footer),
        dag_id=dag_id,
        run_id=run_id,
        task_id=task_id,
        source_id=source,
    )


def mail_failure(context: dict[str, Any]) -> bool:
    """Failure-callback body: mail the failure; never raise (the task has failed already)."""
    try:
        return send_alert(failure_alert(context), context)
    except Exception:  # noqa: BLE001 - a broken mail setup must not hide the task's own failure
        log.exception("alert mail for the failed task could not be sent")
        return False
