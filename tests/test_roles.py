"""PostgreSQL, not convention, decides who writes what: each role is refused what is not its job."""

from __future__ import annotations

import psycopg2
import psycopg2.errors
import pytest

from portal_etl.db import LOADER_ROLE, PIPELINE_ROLE, REPORT_READER_ROLE, acting_as, connect, transaction

WRITE_ARTICLE_BATCH = "INSERT INTO integration.load_batch (dag_id, run_id) VALUES ('t', 'roles') RETURNING batch_id"


def refused(dsn: str, role: str, statement: str) -> bool:
    """True when ``statement`` run as ``role`` fails with a privilege error."""
    conn = connect(dsn, "roles-test", role=role)
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
        return False
    except psycopg2.errors.InsufficientPrivilege:
        return True
    finally:
        conn.rollback()
        conn.close()


def test_no_role_of_the_pipeline_is_a_superuser_or_can_log_in(pipeline_dsn: str) -> None:
    conn = psycopg2.connect(pipeline_dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            "SELECT rolname, rolsuper, rolcanlogin, rolcreaterole FROM pg_roles WHERE rolname = ANY(%s)",
            ([PIPELINE_ROLE, LOADER_ROLE, REPORT_READER_ROLE],),
        )
        rows = {r[0]: r[1:] for r in cur.fetchall()}
    conn.close()
    assert set(rows) == {PIPELINE_ROLE, LOADER_ROLE, REPORT_READER_ROLE}
    assert all(flags == (False, False, False) for flags in rows.values())


def test_pipeline_connections_act_as_the_pipeline_role(pipeline_dsn: str) -> None:
    with transaction(pipeline_dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT current_user")
        assert cur.fetchone()[0] == PIPELINE_ROLE


def test_the_pipeline_role_cannot_write_the_integration_store(pipeline_dsn: str) -> None:
    assert refused(pipeline_dsn, PIPELINE_ROLE, WRITE_ARTICLE_BATCH)
    assert refused(pipeline_dsn, PIPELINE_ROLE, "DELETE FROM integration.article")
    assert refused(pipeline_dsn, PIPELINE_ROLE, "UPDATE integration.article_source SET outcome = 'approved'")
    # …but it reads it (the quality check and the review queue compare with it)
    assert not refused(pipeline_dsn, PIPELINE_ROLE, "SELECT count(*) FROM integration.article")


def test_only_the_loader_writes_the_integration_store_and_it_cannot_touch_staging(pipeline_dsn: str) -> None:
    assert not refused(pipeline_dsn, LOADER_ROLE, WRITE_ARTICLE_BATCH)
    assert refused(pipeline_dsn, LOADER_ROLE, "DELETE FROM staging.item")
    assert refused(pipeline_dsn, LOADER_ROLE, "UPDATE process.decision SET note = 'x'")


def test_acting_as_switches_for_the_block_and_back(pipeline_dsn: str) -> None:
    conn = connect(pipeline_dsn, "roles-test")
    try:
        with conn.cursor() as cur:
            with acting_as(cur, LOADER_ROLE):
                cur.execute("SELECT current_user")
                assert cur.fetchone()[0] == LOADER_ROLE
                cur.execute(WRITE_ARTICLE_BATCH)
            cur.execute("SELECT current_user")
            assert cur.fetchone()[0] == PIPELINE_ROLE
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(WRITE_ARTICLE_BATCH)
    finally:
        conn.rollback()
        conn.close()


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT 1 FROM staging.item",
        "SELECT 1 FROM process.decision",
        "SELECT 1 FROM integration.article",
        "SELECT 1 FROM staging.raw_capture",
        WRITE_ARTICLE_BATCH,
    ],
)
def test_the_report_reader_is_refused_everything_but_the_reports(pipeline_dsn: str, statement: str) -> None:
    assert refused(pipeline_dsn, REPORT_READER_ROLE, statement)


def test_the_report_reader_reads_the_reports(pipeline_dsn: str) -> None:
    assert not refused(pipeline_dsn, REPORT_READER_ROLE, "SELECT count(*) FROM integration.month_summary")
    assert not refused(pipeline_dsn, REPORT_READER_ROLE, "SELECT count(*) FROM integration.monthly_report")
    assert refused(pipeline_dsn, REPORT_READER_ROLE, "DELETE FROM integration.monthly_report")


def test_the_pipeline_refreshes_dedup_statistics_only_when_its_writes_outgrow_them(pipeline_dsn: str) -> None:
    """ANALYZE needs the owner: the pipeline role gets it through one SECURITY DEFINER function
    (sql/011), which analyses when the rows changed since the last ANALYZE exceed a tenth of it."""
    conn = connect(pipeline_dsn, "roles-test", role=PIPELINE_ROLE)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT current_user, process.refresh_dedup_statistics(%s)", (10**12,))
            assert cur.fetchone() == (PIPELINE_ROLE, True)
            cur.execute("SELECT reltuples FROM pg_class WHERE oid = 'process.lsh_band'::regclass")
            described = cur.fetchone()[0]
            assert described >= 0  # analysed (never analysed reads -1)
            cur.execute("SELECT process.refresh_dedup_statistics(0)")  # nothing changed since
            assert cur.fetchone()[0] is False
            cur.execute("SELECT process.refresh_dedup_statistics(%s)", (int(0.1 * described) + 1001,))
            assert cur.fetchone()[0] is True  # a tenth more than the statistics describe
    finally:
        conn.rollback()
        conn.close()
