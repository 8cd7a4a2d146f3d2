"""Airflow DAG review_queue: editors decide the review queue from the UI (logic: plugins/portal_etl)."""

from portal_etl.orchestration.dags.review import build_review_dag

review_queue = build_review_dag()
