"""docker-compose.yml has the services, mounts and settings the code expects.

No Docker engine runs in CI here, so the file is checked by structure; `docker compose config`
is run too where the compose plugin answers.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))


def test_services_of_a_celery_deployment(compose) -> None:
    services = compose["services"]
    for name in ("postgres", "redis", "airflow-init", "airflow-apiserver", "airflow-scheduler",
                 "airflow-dag-processor", "airflow-triggerer", "airflow-worker"):
        assert name in services, name
        if name != "airflow-init":
            assert "healthcheck" in services[name], name
    assert services["replica"]["profiles"] == ["replica"]


def test_airflow_services_share_settings_and_mounts(compose) -> None:
    for name, service in compose["services"].items():
        if not name.startswith("airflow-"):
            continue
        env = service["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis")
        assert "portal_etl" in env["AIRFLOW_CONN_PORTAL_ETL_DB"]  # the connection settings.py reads
        mounts = {v.split(":")[1] for v in service["volumes"] if isinstance(v, str)}
        assert {"/opt/airflow/dags", "/opt/airflow/plugins", "/opt/airflow/sql"} <= mounts, name


def test_no_secret_is_written_in_the_file() -> None:
    text = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    assert "PASSWORD:?" in text  # passwords are required from the environment
    for line in text.splitlines():
        if "PASSWORD" in line and ":" in line and "${" not in line and not line.strip().startswith("#"):
            pytest.fail(f"literal password in docker-compose.yml: {line.strip()}")


@pytest.mark.skipif(shutil.which("docker") is None, reason="no docker client")
def test_docker_compose_config_when_available() -> None:
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("docker compose plugin not installed")
    env = {"POSTGRES_PASSWORD": "x", "AIRFLOW_DB_PASSWORD": "x", "PORTAL_ETL_DB_PASSWORD": "x", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(["docker", "compose", "config", "-q"], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
