"""Airflow ingest DAGs, one per channel of config/sources.yaml (logic: plugins/portal_etl).

The words "airflow" and "dag" in this docstring are what Airflow's safe-mode parser looks for.
"""

from portal_etl.orchestration.dags.ingest import build_all

globals().update(build_all())
