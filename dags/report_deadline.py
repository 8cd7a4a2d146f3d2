"""Airflow DAG report_deadline: alert when last month's report was not e-mailed by day N (logic: plugins/portal_etl)."""

from portal_etl.orchestration.dags.report_deadline import build_report_deadline_dag

report_deadline = build_report_deadline_dag()
