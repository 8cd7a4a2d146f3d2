"""Migrations apply once, in order, and refuse an edited migration."""

import shutil
from pathlib import Path

import psycopg2
import pytest

from portal_etl.db.migrate import SQL_DIR, MigrationError, migrate


def test_migrations_are_idempotent_and_recorded(pipeline_dsn: str) -> None:
    assert migrate(pipeline_dsn) == []  # the session fixture applied them already
    conn = psycopg2.connect(pipeline_dsn)
    with conn.cursor() as cur:
        cur.execute("SELECT version FROM public.portal_etl_migrations ORDER BY version")
        versions = [r[0] for r in cur.fetchall()]
    conn.close()
    assert versions == sorted(versions) and versions[0] == 1


def test_edited_migration_is_refused(pipeline_dsn: str, tmp_path: Path) -> None:
    sql_dir = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql_dir)
    first = sorted(sql_dir.glob("001_*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    with pytest.raises(MigrationError, match="changed after it was applied"):
        migrate(pipeline_dsn, sql_dir)


def test_staging_refuses_non_nfc_text(pipeline_dsn: str) -> None:
    conn = psycopg2.connect(pipeline_dsn)
    try:
        with conn.cursor() as cur:
            cur.execute("INSERT INTO staging.source (source_id, display_name, adapter, live_since,"
                        " config) VALUES ('nfc_probe', 'x', 'nukeviet', '2020-01-01', '{}')")
            with pytest.raises(psycopg2.errors.CheckViolation):
                cur.execute(
                    "INSERT INTO staging.list_entry (source_id, url, section, title) "
                    "VALUES ('nfc_probe', 'http://a/1', 's', %s)",
                    ("Đô\u0300ng Nai",),  # NFD: o + combining grave
                )
    finally:
        conn.rollback()
        conn.close()
