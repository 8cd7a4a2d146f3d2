"""DAG factories: what the files in ``dags/`` call; thin declarations over the pipeline package."""
