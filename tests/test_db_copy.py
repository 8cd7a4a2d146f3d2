"""copy_rows writes exactly what an INSERT would: the bulk path must not alter a single character."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import psycopg2
from psycopg2.extras import Json

from portal_etl.db.bulk_copy import copy_rows

AWKWARD = [
    "Đồng Nai\tthu hút\nvốn FDI\r\nnăm 2024",
    "C:\\đường dẫn\\N và \\t không phải là thoát",
    "\\N",  # the text of a NULL marker, not a NULL
    "",
    '<p onclick="x">\'; DROP TABLE x; -- %s %(a)s {0}</p>',
]


def test_awkward_values_round_trip_unchanged(pipeline_dsn: str) -> None:
    rows = [
        (
            i,
            text,
            i % 2 == 0,
            datetime(2024, 4, 30, 17, 30, tzinfo=timezone(timedelta(hours=7))) + timedelta(days=i),
            date(2024, 5, i + 1),
            {"lý_do": text, "n": i},
            bytes([0, 92, 255, i]),
        )
        for i, text in enumerate(AWKWARD)
    ]
    rows.append((len(AWKWARD), None, None, None, None, None, None))
    conn = psycopg2.connect(pipeline_dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE copy_probe (id int, body text, flag boolean, at timestamptz, day date, "
                "doc jsonb, raw bytea)"
            )
            sent = copy_rows(
                cur,
                "copy_probe",
                ("id", "body", "flag", "at", "day", "doc", "raw"),
                [(*r[:5], Json(r[5]) if r[5] is not None else None, r[6]) for r in rows],
            )
            cur.execute("SELECT id, body, flag, at, day, doc, raw FROM copy_probe ORDER BY id")
            back = [(*r[:6], bytes(r[6]) if r[6] is not None else None) for r in cur.fetchall()]
    finally:
        conn.rollback()
        conn.close()
    assert sent == len(rows)
    assert [r[1] for r in back] == [r[1] for r in rows]
    assert back == [(r[0], r[1], r[2], r[3].astimezone(UTC) if r[3] else None, *r[4:]) for r in rows]


def test_nothing_to_copy_sends_nothing(pipeline_dsn: str) -> None:
    conn = psycopg2.connect(pipeline_dsn)
    try:
        with conn.cursor() as cur:
            assert copy_rows(cur, "no_such_table", ("a",), []) == 0
    finally:
        conn.close()
