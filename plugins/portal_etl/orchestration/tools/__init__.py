"""Operator tooling around Airflow: past months through Airflow (``past_months``), backfills,
runs on a running Airflow's REST API, the local stack and the components it starts."""
