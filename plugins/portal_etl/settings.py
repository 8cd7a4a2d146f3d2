"""Where the pipeline's own PostgreSQL is: environment first, then the Airflow connection.

Secrets never live in code: the DSN comes from ``DATABASE_URL``, from the Airflow connection
``portal_etl_db`` (for example ``AIRFLOW_CONN_PORTAL_ETL_DB``), in that order.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

CONN_ID = "portal_etl_db"
_CONN_ENV = "AIRFLOW_CONN_" + CONN_ID.upper()


class ConfigurationError(RuntimeError):
    """Something the pipeline needs is not configured; the message says what and where."""


def _normalise_scheme(url: str) -> str:
    parts = urlsplit(url)
    scheme = {"postgres": "postgresql", "postgresql+psycopg2": "postgresql"}.get(
        parts.scheme, parts.scheme
    )
    return urlunsplit((scheme, *parts[1:]))


def database_url() -> str:
    """DSN of the pipeline database (staging and integration store)."""
    for name in ("DATABASE_URL", _CONN_ENV):
        value = os.environ.get(name, "").strip()
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
