"""psycopg2 connections to the pipeline database, always in UTC, with a readable name, acting as
the pipeline's own role (``sql/005_roles.sql``) so PostgreSQL enforces who may write what."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import psycopg2.errors
import psycopg2.extensions
from psycopg2 import sql

from portal_etl.settings import database_url

PIPELINE_ROLE = "portal_etl_pipeline"  # writes staging and process, reads the integration store
LOADER_ROLE = "portal_etl_loader"  # the only role that writes the integration store
REPORT_READER_ROLE = "portal_etl_report_reader"  # reads the monthly reports, nothing else


class RoleError(RuntimeError):
    """The login user cannot act as the role its job needs."""


def _set_role(cur, role: str, *, local: bool) -> None:
    statement = "SET LOCAL ROLE {}" if local else "SET ROLE {}"
    cur.execute(sql.SQL(statement).format(sql.Identifier(role)))


def connect(dsn: str | None = None, application_name: str = "portal-etl", role: str | None = PIPELINE_ROLE):
    """A new connection acting as ``role`` (None: as the login user, for migrations and admin).

    The caller owns it (use ``transaction`` for a unit of work).
    """
    conn = psycopg2.connect(
        dsn or database_url(),
        application_name=application_name,
        options="-c timezone=UTC",
        connect_timeout=10,
    )
    if role:
        try:
            with conn.cursor() as cur:
                _set_role(cur, role, local=False)
            conn.commit()
        except (psycopg2.errors.InvalidParameterValue, psycopg2.errors.InsufficientPrivilege) as exc:
            conn.close()
            raise RoleError(
                f"cannot act as role {role!r} ({exc.pgerror.strip() if exc.pgerror else exc}); "
                "run `portal-etl db migrate` as a user with CREATEROLE, or grant the role to the login user"
            ) from exc
    return conn


@contextmanager
def transaction(
    dsn: str | None = None, application_name: str = "portal-etl", role: str | None = PIPELINE_ROLE
) -> Iterator:
    """One connection, one transaction: committed on success, rolled back on any error."""
    conn = connect(dsn, application_name, role)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


@contextmanager
def acting_as(cur, role: str) -> Iterator[None]:
    """Run the block's statements as ``role`` inside the current transaction, then switch back.

    On an error the transaction is aborted anyway (and SET LOCAL dies with it), so the switch
    back happens only on success.
    """
    cur.execute("SELECT current_user")
    previous = cur.fetchone()[0]
    _set_role(cur, role, local=True)
    yield
    _set_role(cur, previous, local=True)
