"""Airflow DAG integrate_articles: staged items into the integration store (logic: plugins/portal_etl)."""

from portal_etl.orchestration.integrate_dag import build_integrate_dag

integrate_articles = build_integrate_dag()
