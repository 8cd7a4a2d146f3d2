"""``monthly_report``: the department's monthly integration report, one run per local month.

A monthly data interval in Asia/Ho_Chi_Minh with catch-up on, from the national portal's
integration start: each past month gets its report, and the run for a month starts once the
month is over. The tasks only call ``portal_etl.reporting``.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from airflow.sdk import DAG, task

from portal_etl.months import LOCAL_TZ, Month
from portal_etl.orchestration.dags.common import DEFAULT_ARGS, interval_timetable
from portal_etl.registry.loader import load_registry_result

log = logging.getLogger(__name__)

DAG_ID = "monthly_report"

DOC = """\
### Monthly integration report
For the run's month (the data interval, a calendar month in Asia/Ho_Chi_Minh): per channel and
item type, what the channel published, what was integrated into the national portal, merged
as a duplicate, rejected (by reason) or is waiting for review, the publish rate, the change
from the previous month and the cumulative figures since the integration start (29-3-2023).

1. `refresh_summary` brings `integration.month_summary` up to date (the load keeps it current;
   this recomputes the months the report reads, whose figures follow the registry's windows).
2. `build_report` writes `report-YYYY-MM.{html,xlsx,csv,json}` to `PORTAL_ETL_REPORTS_DIR`
   (atomically) and stores the payload in `integration.monthly_report`.
3. `deliver_report` e-mails it (HTML body, XLSX attached) through the Airflow connection
   `portal_etl_smtp` to `PORTAL_ETL_REPORT_RECIPIENTS` (or the Variable
   `portal_etl_report_recipients`); skipped, with the reason, when either is missing, and when
   every recipient already received this same report (`integration.report_delivery`).

**Re-run**: clear the run, or `portal-etl report --month YYYY-MM --refresh`. The same store
gives the same report: re-running a month rewrites nothing that is already right.

**Changelog**: 2026-11 first version.
"""


def report_month(context) -> datetime:
    """The local month of the run's data interval (its start, in Asia/Ho_Chi_Minh)."""
    start = context["data_interval_start"]
    if start is None:  # a manual run without a logical date: the last complete month
        raise ValueError("the report needs a data interval: trigger it with a logical date")
    return start.astimezone(LOCAL_TZ)


def build_report_dag() -> DAG:
    registry = load_registry_result().registry
    window_start = min((s.approval.window_start for s in registry.sources), default=date(2023, 3, 29))
    with DAG(
        dag_id=DAG_ID,
        description="Monthly integration report for the department (HTML, XLSX, CSV, JSON)",
        schedule=interval_timetable("monthly"),
        start_date=Month.of(window_start).start,
        catchup=True,  # every month since the integration start has its report
        max_active_runs=1,  # months take turns: their refreshes share months
        default_args=DEFAULT_ARGS,
        tags=["report", "owner:data-eng"],
        doc_md=DOC,
    ) as dag:

        @task(task_id="refresh_summary")
        def refresh_summary(**context) -> int:
            from portal_etl.reporting.monthly import refresh_summary as refresh

            rows = refresh(report_month(context).date())
            log.info("month_summary: %s rows recomputed", rows)
            return rows

        @task(task_id="build_report")
        def build_report(_refreshed: int, **context) -> dict:
            from portal_etl.reporting.monthly import produce_report

            month = report_month(context)
            report = produce_report(month.date())
            total = report.payload["cumulative"]["total"]
            log.info(
                "report %s: integrated %s this month, %s cumulative; files %s",
                report.month,
                report.payload["month"]["total"]["integrated"],
                total["integrated"],
                {k: str(v) for k, v in report.paths.items()},
            )
            return {
                "month": report.month,
                "content_hash": report.content_hash,
                "changed": report.changed,
                "paths": {k: str(v) for k, v in report.paths.items()},
            }

        @task(task_id="deliver_report")
        def deliver_report(built: dict) -> dict:
            """E-mail the stored report once per content and recipient; skipped when there is nobody
            to send it to, no SMTP connection, or nothing new to send (a re-run must not spam)."""
            from airflow.sdk.exceptions import AirflowSkipException

            from portal_etl.reporting import delivery

            reason = delivery.not_configured_reason()
            if reason:
                raise AirflowSkipException(f"{reason}: report {built['month']} not e-mailed")
            content = delivery.ReportContent.from_store(built["month"])
            if content.content_hash != built["content_hash"]:
                log.warning(
                    "report %s changed since build_report (another producer): e-mailing the stored one", built["month"]
                )
            result = delivery.deliver(content)
            if not result.sent:
                raise AirflowSkipException(result.describe())
            return result.as_dict()

        deliver_report(build_report(refresh_summary()))
    return dag
