"""Read-back helpers for tests: one short-lived superuser connection per query."""

from __future__ import annotations

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
