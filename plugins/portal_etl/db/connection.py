"""psycopg2 connections to the pipeline database, always in UTC and with a readable name."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import psycopg2.extensions

from portal_etl.settings import database_url


def connect(dsn: str | None = None, application_name: str = "portal-etl"):
    """A new connection; the caller owns it (use ``transaction`` for a unit of work)."""
    conn = psycopg2.connect(
        dsn or database_url(),
        application_name=application_name,
        options="-c timezone=UTC",
        connect_timeout=10,
    )
    return conn


@contextmanager
def transaction(dsn: str | None = None, application_name: str = "portal-etl") -> Iterator:
    """One connection, one transaction: committed on success, rolled back on any error."""
    conn = connect(dsn, application_name)
    try:
        with conn:
            yield conn
    finally:
        conn.close()
