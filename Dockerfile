# The Airflow image the compose file runs: the official one plus the project's runtime lock
# (requirements-runtime.txt: the pins of requirements.txt without the test and bench tools).
FROM apache/airflow:3.3.2-python3.11
COPY requirements-runtime.txt /tmp/requirements-runtime.txt
RUN pip install --no-cache-dir -r /tmp/requirements-runtime.txt
