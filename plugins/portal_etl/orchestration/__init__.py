"""Airflow DAG factories: thin declarations over the pipeline package (no logic here)."""
