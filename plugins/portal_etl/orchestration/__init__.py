"""Orchestration, in two parts that change for different reasons:

* :mod:`.dags` — DAG factories: thin declarations over the pipeline package, called by the files
  in ``dags/`` (no logic, nothing heavy imported at parse time);
* :mod:`.tools` — operator tooling that drives Airflow from the command line: running past
  months (``ingest``, ``process``, ``backfill``), the local stack and its components.
"""
