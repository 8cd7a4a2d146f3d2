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
    for name in (
        "postgres",
        "redis",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
        "airflow-worker",
    ):
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
    env = {
        "POSTGRES_PASSWORD": "x",
        "AIRFLOW_DB_PASSWORD": "x",
        "PORTAL_ETL_DB_PASSWORD": "x",
        "AIRFLOW_JWT_SECRET": "x",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(["docker", "compose", "config", "-q"], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- issue #7: what a scaled-out deployment needs ------------------------------------------------

AIRFLOW_COMPONENTS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-worker": "celery worker",
}


def test_airflow_metadata_and_pipeline_store_are_separate_databases_and_roles(compose) -> None:
    import re
    from urllib.parse import urlsplit

    def url(value: str):  # ${VAR:?message} holds a '?' that would start a query string
        return urlsplit(re.sub(r"\$\{[^}]*\}", "secret", value))

    env = compose["services"]["airflow-scheduler"]["environment"]
    airflow_db = url(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    pipeline_db = url(env["AIRFLOW_CONN_PORTAL_ETL_DB"])
    assert (airflow_db.username, airflow_db.path) == ("airflow", "/airflow")
    assert (pipeline_db.username, pipeline_db.path) == ("portal_etl", "/portal_etl")
    assert airflow_db.hostname == pipeline_db.hostname == "postgres"
    init_sql = (REPO / "config" / "compose" / "initdb" / "10-databases.sh").read_text(encoding="utf-8")
    for statement in (
        "CREATE ROLE airflow LOGIN",
        "CREATE DATABASE airflow OWNER airflow",
        "CREATE ROLE portal_etl LOGIN",
        "CREATE DATABASE portal_etl OWNER portal_etl",
    ):
        assert statement in init_sql, statement
    # the result backend is the metadata DB, as the airflow role
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://airflow:")
    mounted = compose["services"]["postgres"]["volumes"]
    assert "./config/compose/initdb:/docker-entrypoint-initdb.d:ro" in mounted


def test_each_component_runs_its_own_command_with_a_health_check(compose) -> None:
    services = compose["services"]
    for name, command in AIRFLOW_COMPONENTS.items():
        assert services[name]["command"] == command, name
        test = services[name]["healthcheck"]["test"]
        assert test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, name
    assert "redis-cli" in services["redis"]["healthcheck"]["test"]
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    assert services["airflow-scheduler"]["environment"]["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "True"


def test_workers_scale_with_docker_compose_scale(compose) -> None:
    worker = compose["services"]["airflow-worker"]
    # a fixed container name, host name or published port would make `--scale airflow-worker=N` collide
    assert not {"container_name", "hostname", "ports"} & set(worker)
    assert "celery@$${HOSTNAME}" in worker["healthcheck"]["test"][1]
    assert worker["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"  # the Execution API


def test_the_init_service_migrates_both_databases_before_anything_starts(compose) -> None:
    services = compose["services"]
    script = " ".join(services["airflow-init"]["command"])
    assert "airflow db migrate" in script and "portal_etl.cli db migrate" in script
    assert services["airflow-init"]["environment"]["DATABASE_URL"].startswith("postgresql://portal_etl:")
    for name in AIRFLOW_COMPONENTS:
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully", name


def test_components_share_the_task_token_key(compose) -> None:
    """Without one JWT secret for all, each container draws its own and workers are refused."""
    secrets = {compose["services"][n]["environment"]["AIRFLOW__API_AUTH__JWT_SECRET"] for n in AIRFLOW_COMPONENTS}
    assert secrets == {"${AIRFLOW_JWT_SECRET:?set AIRFLOW_JWT_SECRET}"}


def test_the_replica_profile_serves_the_channels_the_overrides_name(compose) -> None:
    from portal_etl.registry.loader import load_registry
    from portal_replica.common import CHANNEL_ORDER

    replica = compose["services"]["replica"]
    assert replica["profiles"] == ["replica"]
    first, last = (int(p) for p in replica["ports"][0].split(":")[0].split("-"))
    assert "--port 8701" in " ".join(replica["command"]) and first == 8701
    # the replica is its own package beside the product: its command, its mount, on its path
    assert "python -m portal_replica.cli serve" in " ".join(replica["command"])
    assert "./replica:/opt/airflow/replica:ro" in replica["volumes"]
    assert "/opt/airflow/replica" in replica["environment"]["PYTHONPATH"].split(":")
    overrides = REPO / "config" / "compose" / "replica-overrides.yaml"
    registry = load_registry(overrides=overrides)
    for offset, source_id in enumerate(CHANNEL_ORDER):  # the server gives channel i port 8701 + i
        source = registry.get(source_id)
        assert source.base_url == f"http://replica:{first + offset}" and first + offset <= last
        assert source.allowed_domains == [f"replica:{first + offset}"]
