"""Alert mails (issue 14, part 3), against the real SMTP server of ``test_report_email`` (aiosmtpd on
127.0.0.1, with a login) and DAG runs by Airflow (``dag.test``): a failed task, a source-health
alarm, nothing configured, and the monthly report's deadline.

The ingest runs go against the hostile NukeViet-shaped site of ``hostile_site`` (good pages, or
every other article timing out or answering with a PDF).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import test_report_email
import yaml
from hostile_site import GOOD, HALF_FAILING, HALF_TIMEOUTS, INTERVAL, SOURCE_ID, HostileSite
from pgutil import query
from test_report_email import SENDER, Mailbox

from portal_etl import faults

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OPS = ["truc-ban@portal.example.vn", "ky-su@portal.example.vn"]
DAG_ID = f"ingest_{SOURCE_ID}"

# the SMTP server (aiosmtpd, with a login) and the connection to it, as the report's e-mail tests use them
smtp_server = test_report_email.smtp_server
smtp = test_report_email.smtp


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileSite]:
    """The hostile site as one more registry source (PORTAL_ETL_SOURCES)."""
    server = HostileSite().start()
    data = yaml.safe_load((REPO / "config" / "sources.yaml").read_text(encoding="utf-8"))
    data["sources"].append(server.registry_entry())
    path = tmp_path_factory.mktemp("alerts") / "sources.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("PORTAL_ETL_SOURCES_OVERRIDES", raising=False)
        mp.setenv("PORTAL_ETL_SOURCES", str(path))
        yield server
    server.stop()


@pytest.fixture
def ops(smtp: Mailbox, monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    """The SMTP connection and the alert recipients configured; the mailbox empty."""
    monkeypatch.setenv("PORTAL_ETL_ALERT_RECIPIENTS", ", ".join(OPS))
    monkeypatch.delenv("AIRFLOW_VAR_PORTAL_ETL_ALERT_RECIPIENTS", raising=False)
    return smtp


@pytest.fixture
def failing_fetch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The fetch task fails (an exception) at its 3rd page, in its first try only."""
    monkeypatch.setenv(faults.ENV, "ingest.stage_write:3:raise")
    monkeypatch.setenv(faults.ONCE_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(faults, "_hits", {})  # dag.test runs tasks in this process: count from here


def ingest_dag(no_retries: bool = True):
    from portal_etl.orchestration.dags.ingest import build_all

    dag = build_all()[DAG_ID]
    if no_retries:
        for task in dag.tasks:
            task.retries = 0  # the failure must show now, not after the 2-minute retry delay
    return dag


def body(message) -> str:
    return message.get_body(("html",)).get_content()


def test_a_failing_task_sends_exactly_one_mail_with_dag_task_run_and_log_link(
    site, ops, clean_db, airflow_db, failing_fetch
) -> None:
    dagrun = ingest_dag().test(logical_date=INTERVAL[1])
    assert str(dagrun.state).endswith("failed")

    mails = ops.parsed()
    assert len(mails) == 1, [m["Subject"] for _, m in mails]
    rcpt, message = mails[0]
    assert sorted(rcpt) == sorted(OPS) and message["From"] == SENDER
    subject, text = message["Subject"], body(message)
    task_id = "fetch_and_extract_articles"
    assert subject == f"[portal-etl] task failed: {DAG_ID}.{task_id} (source {SOURCE_ID}), run {dagrun.run_id}"
    for fact in (
        f'<th align="left" valign="top">DAG</th><td>{DAG_ID}</td>',
        f"<td>{task_id} (try 1)</td>",
        f"<td>{dagrun.run_id}</td>",
        f"<td>{SOURCE_ID}</td>",
        "FailpointError: failpoint ingest.stage_write",
    ):
        assert fact in text, fact
    link = re.search(r'<a href="([^"]+)">', text).group(1)
    assert link.endswith(f"/dags/{DAG_ID}/runs/{quote(dagrun.run_id)}/tasks/{task_id}?try_number=1")
    assert query(clean_db, "SELECT kind, dag_id, run_id, task_id, source_id, recipients FROM staging.alert_mail") == [
        ("task_failure", DAG_ID, dagrun.run_id, task_id, SOURCE_ID, sorted(OPS))
    ]


def test_a_health_alarm_sends_one_mail_naming_the_source_and_the_evidence(
    site, ops, clean_db, airflow_db, caplog
) -> None:
    from portal_etl.monitoring.alerts import failure_alert, send_alert

    site.mode = "half"  # every other article times out or is a PDF
    try:
        dagrun = ingest_dag().test(logical_date=INTERVAL[1])
    finally:
        site.mode = "good"
    assert str(dagrun.state).endswith("failed")

    mails = ops.parsed()
    assert len(mails) == 1, [m["Subject"] for _, m in mails]  # the alarm is the failure: one mail
    message = mails[0][1]
    assert message["Subject"] == (
        f"[portal-etl] source health alarm: {SOURCE_ID} looks broken ({DAG_ID}, run {dagrun.run_id})"
    )
    text = body(message)
    failing = len(HALF_FAILING)
    assert f"{failing} of {len(GOOD)} article fetches failed" in text
    assert f"not_html ×{failing - HALF_TIMEOUTS}, timeout ×{HALF_TIMEOUTS}" in text
    first_timeout = site.url(HALF_FAILING[0].path)
    assert re.search(rf"timeout +{re.escape(first_timeout)}", text), "an example URL with its fetch outcome"
    assert "<td>check_source_health (try 1)</td>" in text
    assert query(clean_db, "SELECT kind, source_id FROM staging.alert_mail") == [("source_health", SOURCE_ID)]

    # another failure of the same run and source (a second failing task, a cleared run failing again)
    later = failure_alert(
        {
            "dag": ingest_dag(False),
            "run_id": dagrun.run_id,
            "params": {"source_id": SOURCE_ID},
            "exception": RuntimeError("failed again"),
        }
    )
    with caplog.at_level(logging.INFO, logger="portal_etl.alerts"):
        assert send_alert(later) is False
    assert len(ops.messages) == 1
    assert f"one was already sent for run:{DAG_ID}:{dagrun.run_id}:{SOURCE_ID}" in caplog.text


def test_no_mail_and_a_clear_log_line_when_nothing_is_configured(
    site, smtp, clean_db, airflow_db, failing_fetch, monkeypatch, caplog
) -> None:
    from portal_etl.monitoring.alerts import Alert, send_alert

    monkeypatch.delenv("PORTAL_ETL_ALERT_RECIPIENTS", raising=False)
    monkeypatch.delenv("AIRFLOW_VAR_PORTAL_ETL_ALERT_RECIPIENTS", raising=False)
    with caplog.at_level(logging.WARNING, logger="portal_etl.alerts"):
        dagrun = ingest_dag().test(logical_date=INTERVAL[1])
    assert str(dagrun.state).endswith("failed")
    assert smtp.messages == []
    assert (
        "alert mail not sent (no alert recipients configured (PORTAL_ETL_ALERT_RECIPIENTS or the Airflow "
        f"Variable portal_etl_alert_recipients)): [portal-etl] task failed: {DAG_ID}"
    ) in caplog.text

    # recipients, but no SMTP connection
    monkeypatch.setenv("PORTAL_ETL_ALERT_RECIPIENTS", OPS[0])
    monkeypatch.delenv("AIRFLOW_CONN_PORTAL_ETL_SMTP")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="portal_etl.alerts"):
        assert send_alert(Alert("probe", "task_failure", "probe subject", "<p>x</p>")) is False
    assert "no SMTP connection 'portal_etl_smtp'" in caplog.text and smtp.messages == []
    assert query(clean_db, "SELECT count(*) FROM staging.alert_mail") == [(0,)]


# --- the monthly report's deadline -----------------------------------------------------------------


def deadline_mails(mailbox: Mailbox) -> list:
    return [m for _, m in mailbox.parsed() if "not delivered by" in m["Subject"]]


def test_the_deadline_check_mails_when_the_report_is_missing_and_not_when_it_was_delivered(
    ops, clean_db, airflow_db, tmp_path, monkeypatch
) -> None:
    from portal_etl.orchestration.dags.report_deadline import build_report_deadline_dag
    from portal_etl.reporting.deadline import check_report_deadline
    from portal_etl.reporting.delivery import ReportContent, deliver
    from portal_etl.reporting.monthly import produce_report

    monkeypatch.delenv("PORTAL_ETL_REPORT_DEADLINE_DAY", raising=False)  # the default: day 5
    april = produce_report(date(2024, 4, 1), dsn=clean_db, out_dir=tmp_path)
    assert deliver(ReportContent.from_report(april), ["so-tttt@portal.example.vn"], dsn=clean_db).sent
    ops.messages.clear()

    # April's report was e-mailed: nothing to say on 5 May
    delivered = check_report_deadline(date(2024, 5, 5), dsn=clean_db)
    assert (delivered.month, delivered.due, delivered.late, delivered.alerted) == ("2024-04", True, False, False)
    # May's report is missing, but not late before the end of 5 June
    assert not check_report_deadline(date(2024, 6, 4), dsn=clean_db).due
    assert ops.messages == []

    # the end of 5 June, by Airflow: the run of the day [5 June, 6 June)
    dagrun = build_report_deadline_dag().test(logical_date=datetime(2024, 6, 6, tzinfo=TZ))
    assert str(dagrun.state).endswith("success")
    mails = deadline_mails(ops)
    assert len(mails) == 1 and len(ops.messages) == 1
    assert mails[0]["Subject"] == "[portal-etl] monthly report 2024-05 not delivered by 05-06-2024"
    text = body(mails[0])
    assert "not produced at all" in text and "portal-etl report --month 2024-05 --email" in text
    assert sorted(ops.messages[0][1]) == sorted(OPS)
    # the next days' checks know it was said
    again = check_report_deadline(date(2024, 6, 6), dsn=clean_db)
    assert again.late and not again.alerted and len(ops.messages) == 1

    # a report produced but never e-mailed is late too, and the mail says which it is
    produce_report(date(2024, 6, 1), dsn=clean_db, out_dir=tmp_path)
    late = check_report_deadline(date(2024, 7, 5), dsn=clean_db)
    assert late.late and late.alerted
    mails = deadline_mails(ops)
    assert [m["Subject"] for m in mails][-1] == "[portal-etl] monthly report 2024-06 not delivered by 05-07-2024"
    assert "produced " in body(mails[-1]) and "never e-mailed" in body(mails[-1])
    assert query(clean_db, "SELECT alert_key FROM staging.alert_mail ORDER BY 1") == [
        ("report_deadline:2024-05",),
        ("report_deadline:2024-06",),
    ]


def test_the_deadline_day_is_configurable(monkeypatch) -> None:
    from portal_etl.reporting.deadline import deadline_day
    from portal_etl.settings import ConfigurationError

    monkeypatch.delenv("PORTAL_ETL_REPORT_DEADLINE_DAY", raising=False)
    monkeypatch.delenv("AIRFLOW_VAR_PORTAL_ETL_REPORT_DEADLINE_DAY", raising=False)
    assert deadline_day() == 5
    monkeypatch.setenv("AIRFLOW_VAR_PORTAL_ETL_REPORT_DEADLINE_DAY", "8")  # the Airflow Variable
    assert deadline_day() == 8
    monkeypatch.setenv("PORTAL_ETL_REPORT_DEADLINE_DAY", "10")  # the environment wins
    assert deadline_day() == 10
    monkeypatch.setenv("PORTAL_ETL_REPORT_DEADLINE_DAY", "31")
    with pytest.raises(ConfigurationError, match="PORTAL_ETL_REPORT_DEADLINE_DAY: '31' is not a day"):
        deadline_day()
