"""Read-back helpers for tests: one short-lived superuser connection per query."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg2


def query(dsn: str, sql: str, *params: Any) -> list[tuple]:
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def scalar(dsn: str, sql: str, *params: Any) -> Any:
    return query(dsn, sql, *params)[0][0]


@contextmanager
def scratch_database(like_dsn: str, prefix: str) -> Iterator[str]:
    """A new empty database on ``like_dsn``'s server, dropped afterwards: for tests that apply
    migrations one by one or rewind one, which the shared session database must not see."""
    base, _ = like_dsn.rsplit("/", 1)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
        yield f"{base}/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()
