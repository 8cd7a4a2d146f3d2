"""Session-wide real parts: one PostgreSQL database, one Airflow metadata DB, one replica.

Airflow reads its configuration when first imported, so its environment is set here, at
import time, before any test module imports airflow.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_SESSION_TMP = Path(tempfile.mkdtemp(prefix="portal-etl-tests-"))

# --- Airflow: a private home and metadata DB for this test session ---------------------------
os.environ["AIRFLOW_HOME"] = str(_SESSION_TMP / "airflow")
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(REPO / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_SESSION_TMP / 'airflow.db'}"
os.environ.pop("PORTAL_ETL_SOURCES_OVERRIDES", None)
# a developer's own `portal-etl stack up` (var/stack) must not be found and driven by the tests
os.environ["PORTAL_ETL_STACK_DIR"] = str(_SESSION_TMP / "stack")
os.environ.pop("PORTAL_ETL_AIRFLOW_API", None)

PG_BASE = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
TEST_DB = f"portal_etl_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"


def _admin_conn():
    import psycopg2

    conn = psycopg2.connect(f"{PG_BASE}/postgres", connect_timeout=10)
    conn.autocommit = True
    return conn


@pytest.fixture(scope="session")
def pipeline_dsn() -> Iterator[str]:
    """A freshly created and migrated pipeline database, dropped at the end of the session."""
    from portal_etl.db import migrate

    admin = _admin_conn()
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE \"{TEST_DB}\" ENCODING 'UTF8' TEMPLATE template0")
    dsn = f"{PG_BASE}/{TEST_DB}"
    os.environ["DATABASE_URL"] = dsn
    migrate(dsn)
    yield dsn
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (TEST_DB,))
        cur.execute(f'DROP DATABASE IF EXISTS "{TEST_DB}"')
    admin.close()


def truncate_all(dsn: str) -> None:
    """Empty every table of the pipeline's schemas (staging, process, integration)."""
    import psycopg2

    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
            "WHERE schemaname IN ('staging', 'process', 'integration')"
        )
        tables = [r[0] for r in cur.fetchall()]
        cur.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    conn.close()


@pytest.fixture
def clean_db(pipeline_dsn: str) -> str:
    """The pipeline database with every data table emptied (schema kept)."""
    truncate_all(pipeline_dsn)
    return pipeline_dsn


@pytest.fixture
def process_db(clean_db: str) -> str:
    """``clean_db`` with the registry's sources synced and the staged-text generator reset, for the
    tests that stage items directly (tests/process_helpers.py)."""
    from process_helpers import prepare_process_db

    prepare_process_db(clean_db)
    return clean_db


@pytest.fixture(scope="session")
def replica_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default scenario (March 2023 – June 2024), generated once per session."""
    from portal_replica.generator import ScenarioParams, generate

    out = tmp_path_factory.mktemp("replica")
    generate(ScenarioParams(), out)
    return out


@pytest.fixture(scope="session")
def replica(replica_dir: Path) -> Iterator:
    """The replica served on 127.0.0.1, with the registry overrides pointing at it."""
    from portal_replica.server import ReplicaServer

    server = ReplicaServer(replica_dir).start()
    overrides = replica_dir / "overrides.yaml"
    server.write_overrides(overrides)
    os.environ["PORTAL_ETL_SOURCES_OVERRIDES"] = str(overrides)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Airflow's metadata database, migrated once per session."""
    from airflow.utils import db

    db.resetdb()


@pytest.fixture(scope="module")
def airflow_metadata_url() -> Iterator[str]:
    """A PostgreSQL database for Airflow's metadata: a scheduler and an api-server share it."""
    from pgutil import scratch_database

    with scratch_database(f"{PG_BASE}/postgres", "portal_etl_af") as dsn:
        yield dsn


@pytest.fixture(scope="module")
def airflow_env(pipeline_dsn, replica, airflow_metadata_url, tmp_path_factory) -> dict[str, str]:
    """The environment an operator's shell would have: Airflow home, metadata DB, pipeline DB."""
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path_factory.mktemp("airflow-home")),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": airflow_metadata_url,
        "AIRFLOW__CORE__PARALLELISM": "2",
        "DATABASE_URL": pipeline_dsn,
        "PORTAL_ETL_SOURCES_OVERRIDES": os.environ["PORTAL_ETL_SOURCES_OVERRIDES"],
    }
    env.pop("PORTAL_ETL_AIRFLOW_API", None)
    return env


@pytest.fixture(scope="session")
def manifest(replica_dir: Path) -> dict:
    from portal_replica.manifest import load_manifest

    return load_manifest(replica_dir)
