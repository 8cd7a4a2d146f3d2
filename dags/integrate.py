"""Airflow DAG integrate_articles: staged items into the integration store (logic: plugins/portal_etl)."""

from portal_etl.orchestration.dags.integrate import build_integrate_dag

integrate_articles = build_integrate_dag()
