"""``report_deadline``: one small check per local day that last month's report was e-mailed by day N.

The check itself, and why it is a scheduled task rather than Airflow's ``DeadlineAlert``, is
``portal_etl.reporting.deadline``.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, task

from portal_etl.months import LOCAL_TZ
from portal_etl.orchestration.dags.common import DEFAULT_ARGS, interval_timetable

DAG_ID = "report_deadline"

DOC = """\
### Monthly report deadline
Each run covers one local day (Asia/Ho_Chi_Minh). From day N of a month on (N:
`PORTAL_ETL_REPORT_DEADLINE_DAY` or the Variable `portal_etl_report_deadline_day`, default 5),
`check_report_delivered` looks for an e-mail of the previous month's report in
`integration.report_delivery`. If there is none, it mails the alert recipients
(`PORTAL_ETL_ALERT_RECIPIENTS` or the Variable `portal_etl_alert_recipients`, through the
connection `portal_etl_smtp`) once per report month, saying whether the report was produced at all
and how to send it. The task succeeds either way: the mail is the alert (a failed task would mail
again as a task failure).

**Re-run**: clear the run of a day; a month already alerted is not mailed again
(`staging.alert_mail`).

**Changelog**: 2026-12 first version.
"""


def build_report_deadline_dag() -> DAG:
    with DAG(
        dag_id=DAG_ID,
        description="Alert when last month's report was not e-mailed by day N",
        schedule=interval_timetable("daily"),
        start_date=datetime(2024, 1, 1, tzinfo=LOCAL_TZ),
        catchup=False,  # only today's answer matters; a missed day is covered by the next one
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["report", "alert", "owner:data-eng"],
        doc_md=DOC,
    ) as dag:

        @task(task_id="check_report_delivered")
        def check_report_delivered(**context) -> dict:
            from portal_etl.reporting.deadline import check_report_deadline

            start = context["data_interval_start"]
            if start is None:  # a manual run without a logical date: which day is it about?
                raise ValueError("the deadline check needs a data interval: trigger it with a logical date")
            day = start.astimezone(LOCAL_TZ).date()
            check = check_report_deadline(day, context=context)
            return {
                "day": day.isoformat(),
                "month": check.month,
                "due": check.due,
                "late": check.late,
                "alerted": check.alerted,
                "summary": check.describe(),
            }

        check_report_delivered()
    return dag
