"""Every environment variable, path and local default the pipeline reads, in one place.

Why one module: an operator (and a reviewer) should find here, and only here, what can be
configured and what happens when it is not. Other modules ask these functions; none reads the
environment itself (``tests/test_settings.py`` checks it).

Secrets never live in code: the pipeline's DSN comes from ``DATABASE_URL`` or the Airflow
connection ``portal_etl_db`` (for example ``AIRFLOW_CONN_PORTAL_ETL_DB``), in that order.

The variables (all optional):

=================================== ==========================================================
``DATABASE_URL``                    the pipeline database (else the connection ``portal_etl_db``)
``PORTAL_ETL_SOURCES``              the registry file (default ``config/sources.yaml``)
``PORTAL_ETL_SOURCES_OVERRIDES``    a YAML file of per-source overrides (e.g. the replica's)
``PORTAL_ETL_REPORTS_DIR``          where report files go (default ``var/reports``)
``PORTAL_ETL_REPORT_RECIPIENTS``    report readers (else the Variable ``portal_etl_report_recipients``)
``PORTAL_ETL_ALERT_RECIPIENTS``     alarm readers (else the Variable ``portal_etl_alert_recipients``)
``PORTAL_ETL_REPORT_DEADLINE_DAY``  day of the month the report is due (else the Variable, else 5)
``PORTAL_ETL_STACK_DIR``            ``portal-etl stack`` pid and log files (default ``var/stack``)
``PORTAL_ETL_AIRFLOW_API``          a running Airflow api-server the CLI should use
``PORTAL_ETL_AIRFLOW_TOKEN``        its bearer token
``PORTAL_ETL_RATE_LIMITER``         ``postgres`` (default, shared by workers) or ``process``
``PORTAL_ETL_WORKER_HOSTNAME``      set by the stack for each Celery worker it starts
``PORTAL_ETL_FAILPOINT``            kill tests only: failpoints to arm (see ``faults.py``)
``PORTAL_ETL_FAILPOINT_ONCE_DIR``   kill tests only: fire each failpoint once across processes
``AIRFLOW_HOME``                    Airflow's home (default ``var/airflow``)
=================================== ==========================================================

``scripts/pg.sh`` alone reads ``PORTAL_ETL_PG_URL`` and ``PORTAL_ETL_PG_PORT`` (the local PostgreSQL
it starts before any Python runs).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_ENV_FILE = REPO_ROOT / "var" / "local.env"  # written by scripts/demo.sh
SQL_DIR = REPO_ROOT / "sql"
DEFAULT_REGISTRY = REPO_ROOT / "config" / "sources.yaml"

CONN_ID = "portal_etl_db"
DATABASE_URL_ENV = "DATABASE_URL"
_CONN_ENV = "AIRFLOW_CONN_" + CONN_ID.upper()
AIRFLOW_HOME_ENV = "AIRFLOW_HOME"
SOURCES_ENV = "PORTAL_ETL_SOURCES"
SOURCES_OVERRIDES_ENV = "PORTAL_ETL_SOURCES_OVERRIDES"
REPORTS_DIR_ENV = "PORTAL_ETL_REPORTS_DIR"
REPORT_RECIPIENTS_ENV = "PORTAL_ETL_REPORT_RECIPIENTS"
ALERT_RECIPIENTS_ENV = "PORTAL_ETL_ALERT_RECIPIENTS"
REPORT_DEADLINE_DAY_ENV = "PORTAL_ETL_REPORT_DEADLINE_DAY"
STACK_DIR_ENV = "PORTAL_ETL_STACK_DIR"
AIRFLOW_API_ENV = "PORTAL_ETL_AIRFLOW_API"
AIRFLOW_TOKEN_ENV = "PORTAL_ETL_AIRFLOW_TOKEN"
RATE_LIMITER_ENV = "PORTAL_ETL_RATE_LIMITER"
WORKER_HOSTNAME_ENV = "PORTAL_ETL_WORKER_HOSTNAME"
FAILPOINT_ENV = "PORTAL_ETL_FAILPOINT"
FAILPOINT_ONCE_DIR_ENV = "PORTAL_ETL_FAILPOINT_ONCE_DIR"


class ConfigurationError(RuntimeError):
    """Something the pipeline needs is not configured; the message says what and where."""


def env_value(name: str) -> str:
    """The variable ``name`` stripped, ``""`` when unset."""
    return os.environ.get(name, "").strip()


# --- the pipeline database ---------------------------------------------------------------------


def _normalise_scheme(url: str) -> str:
    parts = urlsplit(url)
    scheme = {"postgres": "postgresql", "postgresql+psycopg2": "postgresql"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, *parts[1:]))


def database_url() -> str:
    """DSN of the pipeline database (staging and integration store)."""
    for name in (DATABASE_URL_ENV, _CONN_ENV):
        value = env_value(name)
        if value and name == _CONN_ENV and value.startswith("{"):  # Airflow's JSON form of a connection
            from airflow.sdk import Connection

            value = Connection.from_json(value, conn_id=CONN_ID).get_uri()
        if value:
            return _normalise_scheme(value)
    try:  # inside an Airflow task: any secrets backend may hold the connection
        from airflow.sdk import Connection

        return _normalise_scheme(Connection.get(CONN_ID).get_uri())
    except Exception as exc:  # noqa: BLE001 - any failure means "not configured here"
        raise ConfigurationError(
            f"no pipeline database configured: set DATABASE_URL or the Airflow connection "
            f"{CONN_ID!r} ({_CONN_ENV}); lookup said: {exc}"
        ) from exc


def redact(url: str) -> str:
    """The DSN with its password replaced, safe for logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit((parts.scheme, netloc, *parts[2:]))
    return url


# --- files and directories ---------------------------------------------------------------------


def registry_path() -> Path:
    """``PORTAL_ETL_SOURCES``, default ``<repo>/config/sources.yaml``."""
    return Path(os.environ.get(SOURCES_ENV, DEFAULT_REGISTRY))


def overrides_path() -> Path | None:
    """``PORTAL_ETL_SOURCES_OVERRIDES``, None when unset or empty."""
    value = os.environ.get(SOURCES_OVERRIDES_ENV)
    return Path(value) if value else None


def reports_dir() -> Path:
    """``PORTAL_ETL_REPORTS_DIR``, default ``<repo>/var/reports``."""
    value = env_value(REPORTS_DIR_ENV)
    return Path(value) if value else REPO_ROOT / "var" / "reports"


def stack_dir() -> Path:
    """``PORTAL_ETL_STACK_DIR``, default ``<repo>/var/stack``."""
    return Path(os.environ.get(STACK_DIR_ENV) or REPO_ROOT / "var" / "stack")


def airflow_home() -> Path:
    """``AIRFLOW_HOME``, default ``<repo>/var/airflow`` (the local default below)."""
    return Path(os.environ.get(AIRFLOW_HOME_ENV) or REPO_ROOT / "var" / "airflow")


# --- Airflow and run-time switches -------------------------------------------------------------


def airflow_api() -> tuple[str | None, str | None]:
    """``(PORTAL_ETL_AIRFLOW_API, PORTAL_ETL_AIRFLOW_TOKEN)``, each None when unset."""
    return os.environ.get(AIRFLOW_API_ENV) or None, os.environ.get(AIRFLOW_TOKEN_ENV)


def rate_limiter_kind() -> str | None:
    """``PORTAL_ETL_RATE_LIMITER`` as set (the caller applies its default)."""
    return os.environ.get(RATE_LIMITER_ENV) or None


def worker_hostname() -> str | None:
    """``PORTAL_ETL_WORKER_HOSTNAME``: the Celery name the stack gave this worker."""
    return os.environ.get(WORKER_HOSTNAME_ENV) or None


def failpoint_spec() -> str | None:
    """``PORTAL_ETL_FAILPOINT`` stripped; None when unset (the common case, checked first)."""
    if FAILPOINT_ENV not in os.environ:
        return None
    return os.environ[FAILPOINT_ENV].strip()


def failpoint_once_dir() -> str:
    """``PORTAL_ETL_FAILPOINT_ONCE_DIR``, ``""`` when unset."""
    return env_value(FAILPOINT_ONCE_DIR_ENV)


# --- local defaults ----------------------------------------------------------------------------


def airflow_local_defaults(root: Path = REPO_ROOT) -> dict[str, str]:
    """Airflow settings for running this project on one machine; the environment wins over them.

    Used by the CLI (``apply_local_env``), by ``scripts/demo.sh`` and by every Airflow component
    the project starts (``orchestration/components.py``).
    """
    return {
        "AIRFLOW_HOME": str(root / "var" / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(root / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(root / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # 2 shared cores: 32 forked workers would use ~1 GB for nothing; 4 lets the three
        # channels' ingest tasks and one more run side by side
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",  # new DAG files show up in seconds, not minutes
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
    }


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines of ``path`` (comments, blanks and ``export`` allowed); {} when missing."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def apply_local_env(path: Path = LOCAL_ENV_FILE) -> None:
    """Fill unset variables from var/local.env, then from the local Airflow defaults.

    So an operator can type ``portal-etl ...`` after the setup script without exporting
    anything; values already in the environment always win (deployments set their own).
    """
    for key, value in {**airflow_local_defaults(), **read_env_file(path)}.items():
        os.environ.setdefault(key, value)
