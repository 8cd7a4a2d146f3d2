"""Airflow DAG monthly_report: the department's monthly integration report (logic: plugins/portal_etl)."""

from portal_etl.orchestration.dags.report import build_report_dag

monthly_report = build_report_dag()
