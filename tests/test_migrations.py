"""Migrations apply once, in order, and refuse an edited migration."""

import hashlib
import shutil
from pathlib import Path

import psycopg2
import pytest
from pgutil import scratch_database

from portal_etl.db.migrate import SQL_DIR, MigrationError, migrate
from portal_etl.dedup import band_keys, signature


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
            cur.execute(
                "INSERT INTO staging.source (source_id, display_name, adapter, live_since,"
                " config) VALUES ('nfc_probe', 'x', 'nukeviet', '2020-01-01', '{}')"
            )
            with pytest.raises(psycopg2.errors.CheckViolation):
                cur.execute(
                    "INSERT INTO staging.list_entry (source_id, url, section, title) "
                    "VALUES ('nfc_probe', 'http://a/1', 's', %s)",
                    ("Đô\u0300ng Nai",),  # NFD: o + combining grave
                )
    finally:
        conn.rollback()
        conn.close()


def _text_band_keys(sig) -> list[str]:
    """The band keys as text, as they were stored before sql/012."""
    data = sig.astype(">u4")
    return [
        f"{b:02d}:"
        + hashlib.blake2b(data[b * 3 : (b + 1) * 3].tobytes(), digest_size=8, person=b"pe-lsh-v1").hexdigest()
        for b in range(42)
    ]


def test_text_band_keys_convert_to_the_keys_the_pipeline_computes(pipeline_dsn: str, tmp_path: Path) -> None:
    """Band rows written before sql/012 must match the new items' keys, or old items would never be
    candidates again."""
    with scratch_database(pipeline_dsn, "portal_etl_mig012") as dsn:
        before = tmp_path / "sql"
        before.mkdir()
        for path in SQL_DIR.glob("*.sql"):
            if path.name < "012":
                shutil.copy(path, before / path.name)
        migrate(dsn, before)
        sigs = {
            1: signature("Đồng Nai khởi công tuyến đường vành đai ba nối thành phố Biên Hòa với sân bay"),
            2: signature("Tỉnh ủy Đồng Nai tổng kết công tác tuyên truyền năm 2023 và triển khai nhiệm vụ"),
        }
        conn = psycopg2.connect(dsn)
        with conn, conn.cursor() as cur:
            for item_id, sig in sigs.items():
                cur.executemany(
                    "INSERT INTO process.lsh_band VALUES (%s, %s, 'baodongnai', now())",
                    [(item_id, k) for k in _text_band_keys(sig)],
                )
        migrate(dsn)
        with conn, conn.cursor() as cur:
            cur.execute("SELECT item_id, band_key FROM process.lsh_band ORDER BY item_id, band_key")
            stored = cur.fetchall()
        conn.close()
    assert stored == sorted((i, k) for i, sig in sigs.items() for k in band_keys(sig))
    assert any(k < 0 for _, k in stored) and any(k > 0 for _, k in stored)  # both signs survive
