"""Secrets: the pipeline's database password reaches PostgreSQL and nothing else.

A full month (ingest → integrate → report) runs through Airflow (``dag.test``) against a private
PostgreSQL that checks passwords (scram-sha-256), logging in as a user whose random password is
given only as the Airflow connection ``AIRFLOW_CONN_PORTAL_ETL_DB``. Then the task logs, the
process output, the report files and every row the run wrote are searched for the password, as
typed and URL-encoded. The repository is searched for committed credentials.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, quote_plus
from zoneinfo import ZoneInfo

import psycopg2
import pytest
from pgcluster import PrivateCluster, postgres_bin

from portal_etl.db import migrate

REPO = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
APRIL_END = datetime(2024, 5, 1, tzinfo=TZ)
LOGIN = "etl_worker"


@pytest.fixture(scope="module")
def password_pg():
    """A private cluster where TCP logins need a password; a login user with a random one."""
    if postgres_bin() is None:
        pytest.skip("PostgreSQL binaries not installed")
    cluster = PrivateCluster(host_auth="scram-sha-256").start()
    # characters that need URL-encoding, so both spellings are searched for
    password = f"{secrets.token_urlsafe(18)}@/:%{secrets.token_hex(4)}"
    admin = psycopg2.connect(cluster.admin_dsn())
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("CREATE DATABASE portal_etl ENCODING 'UTF8' TEMPLATE template0")
    migrate(cluster.admin_dsn("portal_etl"))  # creates the pipeline's roles
    with admin.cursor() as cur:
        cur.execute(f"CREATE ROLE {LOGIN} LOGIN PASSWORD %s", (password,))
        cur.execute(f"GRANT portal_etl_pipeline, portal_etl_loader TO {LOGIN}")
        cur.execute(f"GRANT CONNECT ON DATABASE portal_etl TO {LOGIN}")
    admin.close()
    yield cluster, password
    cluster.destroy()


def spellings(password: str) -> set[str]:
    return {password, quote(password, safe=""), quote_plus(password), quote(password)}


def leaks_in(text: str, password: str) -> list[str]:
    return [s for s in spellings(password) if s in text]


FULL_RUN = """
from datetime import datetime
from zoneinfo import ZoneInfo

from portal_etl.orchestration.dags.ingest import build_all
from portal_etl.orchestration.dags.integrate import build_integrate_dag
from portal_etl.orchestration.dags.report import build_report_dag

april_end = datetime(2024, 5, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
runs = [
    build_all()["ingest_dongnai_party"].test(logical_date=april_end),
    build_integrate_dag().test(run_conf={"from_month": "2024-04", "to_month": "2024-04"}),
    build_report_dag().test(logical_date=april_end),
]
print("STATES", " ".join(str(r.state).rsplit(".", 1)[-1] for r in runs))
"""


@pytest.fixture(scope="module")
def full_run(password_pg, replica, airflow_db, tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """Ingest, integrate and report April 2024 through Airflow in a process of its own, the
    database given only as an Airflow connection; its whole output (where ``dag.test`` writes
    every task's log) is kept."""
    cluster, password = password_pg
    reports = tmp_path_factory.mktemp("reports")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["AIRFLOW_CONN_PORTAL_ETL_DB"] = cluster.tcp_dsn(LOGIN, "portal_etl", password)
    env["PORTAL_ETL_REPORTS_DIR"] = str(reports)
    done = subprocess.run(
        [sys.executable, "-c", FULL_RUN], env=env, cwd=REPO, capture_output=True, text=True, timeout=900
    )
    return done, reports


def test_the_run_logs_in_with_the_password_and_succeeds(full_run, password_pg) -> None:
    cluster, password = password_pg
    done, reports = full_run
    assert "STATES success success success" in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]
    assert sorted(p.name for p in reports.iterdir()) == [f"report-2024-04.{f}" for f in ("csv", "html", "json", "xlsx")]
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        psycopg2.connect(cluster.tcp_dsn(LOGIN, "portal_etl", password + "x"))  # the password is really checked
    conn = psycopg2.connect(cluster.admin_dsn("portal_etl"))
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM integration.article")
        assert cur.fetchone()[0] > 0
    conn.close()


def test_the_task_logs_were_captured(full_run) -> None:
    """The leak search below is only worth something if the task logs are in what it reads."""
    done, _ = full_run
    output = done.stdout + done.stderr
    for task in ("fetch_and_extract_articles", "load_integration_store", "build_report"):
        assert f"starting task_id={task}" in output
    assert "run metrics — dongnai_party" in output and "report 2024-04: integrated" in output


def test_the_password_is_in_no_log_report_or_row(full_run, password_pg) -> None:
    cluster, password = password_pg
    done, reports = full_run
    found = {}
    for name, text in (
        ("stdout", done.stdout),
        ("stderr", done.stderr),
        *((p.name, p.read_bytes().decode("utf-8", errors="replace")) for p in reports.iterdir()),
    ):
        if leaks_in(text, password):
            found[name] = leaks_in(text, password)
    assert found == {}

    # every row of every table the pipeline writes, as text
    conn = psycopg2.connect(cluster.admin_dsn("portal_etl"))
    with conn.cursor() as cur:
        cur.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
            "WHERE schemaname IN ('staging', 'process', 'integration')"
        )
        tables = [r[0] for r in cur.fetchall()]
        rows_with = []
        for table in tables:
            words = sorted(spellings(password))
            matches = " OR ".join(["strpos(t::text, %s) > 0"] * len(words))
            cur.execute(f"SELECT count(*) FROM {table} t WHERE {matches}", words)
            if cur.fetchone()[0]:
                rows_with.append(table)
    conn.close()
    assert tables and rows_with == []


@pytest.mark.parametrize("form", ["uri", "json"])
def test_the_database_comes_from_the_airflow_connection_in_either_form(password_pg, monkeypatch, form) -> None:
    """AIRFLOW_CONN_PORTAL_ETL_DB as a URI or in Airflow's JSON form (both are Airflow's formats)."""
    import json

    from portal_etl.db import connect
    from portal_etl.settings import database_url

    cluster, password = password_pg
    value = (
        cluster.tcp_dsn(LOGIN, "portal_etl", password)
        if form == "uri"
        else json.dumps(
            {
                "conn_type": "postgres",
                "host": "127.0.0.1",
                "port": cluster.port,
                "login": LOGIN,
                "password": password,
                "schema": "portal_etl",
            }
        )
    )
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("AIRFLOW_CONN_PORTAL_ETL_DB", value)
    conn = connect(database_url())
    with conn.cursor() as cur:
        cur.execute("SELECT session_user, current_user")
        assert cur.fetchone() == (LOGIN, "portal_etl_pipeline")
    conn.close()


# --- the repository ---------------------------------------------------------------------------------

# documented placeholders, environment references, and the obviously fake values of tests' local servers
PLACEHOLDER = re.compile(
    r"^(\.\.\.|\*+|<[^>]*>|\$\{[^}]*\}|\$[A-Z_]+|x+|changeme|.*(test|fake|dummy|example).*)$", re.IGNORECASE
)
URL_CREDENTIALS = re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"`]+:([^@\s'\"`/]+)@")
ASSIGNED_SECRET = re.compile(
    r"(?i)\b(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?key|token)[\"']?\s*[:=]\s*[\"']([^\"'\s]+)[\"']"
)
KEY_MATERIAL = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b|\bghp_[0-9A-Za-z]{36}\b")
NEVER_COMMITTED = (".env", "local.env", "airflow.cfg", "simple_auth_manager_passwords.json.generated")


def repository_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    return [REPO / name for name in listed if name and (REPO / name).is_file()]


def test_no_credentials_are_committed() -> None:
    files = repository_files()
    assert len(files) > 50
    problems = [
        f"{p.relative_to(REPO)}: must not be in the repository"
        for p in files
        if p.name in NEVER_COMMITTED or p.suffix in (".pem", ".key", ".p12")
    ]
    for path in files:
        data = path.read_bytes()
        if b"\0" in data[:4096]:
            continue  # binary (xlsx fixtures, images)
        for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
            where = f"{path.relative_to(REPO)}:{number}"
            if KEY_MATERIAL.search(line):
                problems.append(f"{where}: key material")
            for pattern in (URL_CREDENTIALS, ASSIGNED_SECRET):
                for value in pattern.findall(line):
                    if not PLACEHOLDER.match(value) and "{" not in value:
                        problems.append(
                            f"{where}: {pattern is URL_CREDENTIALS and 'password in a URL' or 'secret'} {value[:4]}…"
                        )
    assert problems == []
