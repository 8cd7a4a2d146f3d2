"""E-mail delivery of the monthly report, against a real SMTP server (aiosmtpd) on 127.0.0.1.

The store is the small hand-made one of ``test_report`` (staged rows processed by the real
pipeline), so every expected figure comes from its item list, not from the payload under test.
The SMTP server requires a login, as a real relay does, and refuses one address on purpose.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage

import psycopg2
import pytest
from test_report import CUMULATIVE_TO_APRIL, expected_figures, local, stage_items

SMTP_LOGIN, SMTP_PASSWORD = "bao-cao@portal.example.vn", "never-log-this-7Qz"  # smtplib sends ASCII only
SENDER = "bao-cao@portal.example.vn"
REFUSED = "khong-ton-tai@so.example.vn"  # the server answers 550 for this one
APRIL_END = local(2024, 5, 1)  # dag.test runs the interval that ends here: April 2024


@dataclass
class Mailbox:
    """aiosmtpd handler: keeps every accepted message and the logins it saw."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd API
        if address.lower() == REFUSED:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        return AuthResult(success=(login, password) == (SMTP_LOGIN, SMTP_PASSWORD))

    def parsed(self) -> list[tuple[list[str], EmailMessage]]:
        return [(rcpt, message_from_bytes(data, policy=policy.default)) for _f, rcpt, data in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def smtp_server():
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the server's protocol trace: noise here
    mailbox = Mailbox()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=free_port(), authenticator=mailbox.authenticate, auth_require_tls=False
    )  # plain SMTP on loopback; a real relay would use TLS
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def smtp(smtp_server, monkeypatch) -> Mailbox:
    """The Airflow connection ``portal_etl_smtp`` pointing at the server, and an empty mailbox."""
    controller, mailbox = smtp_server
    conn = {
        "conn_type": "smtp",
        "host": "127.0.0.1",
        "port": controller.port,
        "login": SMTP_LOGIN,
        "password": SMTP_PASSWORD,
        "extra": {"from_email": SENDER, "disable_ssl": True, "disable_tls": True, "timeout": 10, "retry_limit": 0},
    }
    monkeypatch.setenv("AIRFLOW_CONN_PORTAL_ETL_SMTP", json.dumps(conn))
    monkeypatch.delenv("PORTAL_ETL_REPORT_RECIPIENTS", raising=False)
    monkeypatch.delenv("AIRFLOW_VAR_PORTAL_ETL_REPORT_RECIPIENTS", raising=False)
    mailbox.messages.clear()
    mailbox.logins.clear()
    return mailbox


@pytest.fixture(scope="module")
def store(pipeline_dsn: str) -> None:
    from conftest import truncate_all

    from portal_etl.pipeline.process import process_interval

    truncate_all(pipeline_dsn)
    stage_items(pipeline_dsn)
    process_interval(local(2023, 3, 1), local(2024, 6, 1), dag_id="test_report_email", run_id="r1", dsn=pipeline_dsn)


@pytest.fixture(scope="module")
def april(store, pipeline_dsn, tmp_path_factory):
    from portal_etl.reporting.monthly import produce_report

    return produce_report(date(2024, 4, 1), dsn=pipeline_dsn, out_dir=tmp_path_factory.mktemp("reports"))


@pytest.fixture
def no_deliveries(pipeline_dsn: str) -> str:
    conn = psycopg2.connect(pipeline_dsn)
    with conn, conn.cursor() as cur:
        cur.execute("DELETE FROM integration.report_delivery")
    conn.close()
    return pipeline_dsn


def deliveries(dsn: str) -> list[tuple]:
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT month, content_hash, recipients, forced FROM integration.report_delivery ORDER BY delivery_id"
            )
            return cur.fetchall()
    finally:
        conn.close()


def total_integrated_cell(html: str, scope: str) -> str:
    """The 'Đã tích hợp' cell of the all-channels row of a scope's channel table."""
    from lxml import html as lxml_html

    doc = lxml_html.fromstring(html)
    table = doc.xpath(f'//section[@id="{scope}"]//table')[0]
    headers = [th.text_content() for th in table.xpath(".//thead//th")]
    total = table.xpath('.//tr[@class="total"]')[0]
    return total.xpath("./td")[headers.index("Đã tích hợp")].text_content()


def test_the_report_arrives_with_its_figures_chart_and_workbook(april, smtp, no_deliveries, caplog, capfd) -> None:
    from openpyxl import load_workbook
    from PIL import Image

    from portal_etl.reporting.delivery import ReportContent, deliver
    from portal_etl.reporting.render_text import column_labels
    from portal_etl.reporting.vi_format import fmt_int

    caplog.set_level("DEBUG")
    to = ["truong.phong@so.example.vn", "Chuyên viên <chuyen.vien@so.example.vn>"]
    result = deliver(ReportContent.from_report(april), to, dsn=no_deliveries)

    assert result.sent and result.sent_to == ("truong.phong@so.example.vn", "chuyen.vien@so.example.vn")
    assert len(smtp.messages) == 1
    assert smtp.logins == [(SMTP_LOGIN, SMTP_PASSWORD)], "the connection's login was used"
    captured = capfd.readouterr()
    logged = [
        line for line in (captured.out + captured.err + caplog.text).splitlines() if "mail.log" not in line
    ]  # mail.log: the test server's own protocol trace
    assert any("e-mailing report 2024-04" in line for line in logged), "the delivery logs what it does"
    assert not any(SMTP_PASSWORD in line for line in logged), "the password must never be logged"
    ((rcpt, msg),) = smtp.parsed()
    assert rcpt == list(result.sent_to) and smtp.messages[0][0] == SENDER
    assert msg["To"].addresses[1].addr_spec == "chuyen.vien@so.example.vn"

    month_integrated = expected_figures({"2024-04"})["integrated"]
    subject = str(msg["Subject"])
    assert subject == unicodedata.normalize("NFC", subject)
    assert subject.startswith("Báo cáo tích hợp tin, bài tháng 4/2024 — ")
    assert f"tích hợp {fmt_int(month_integrated)}," in subject

    html_part = msg.get_body(("html",))
    html = html_part.get_content()
    assert total_integrated_cell(html, "month") == fmt_int(month_integrated)
    assert total_integrated_cell(html, "cumulative") == fmt_int(expected_figures(CUMULATIVE_TO_APRIL)["integrated"])
    assert "data:image" not in html, "mail clients block data URIs: the chart goes inline"
    cid = html.split('id="chart" src="cid:', 1)[1].split('"', 1)[0]
    related = {part["Content-ID"]: part for part in msg.walk() if part["Content-ID"]}
    chart = related[f"<{cid}>"]
    assert chart.get_content_type() == "image/png" and chart.get_content_disposition() == "inline"
    assert Image.open(io.BytesIO(chart.get_content())).size == (1000, 460)
    rate_cid = html.split('id="rate-chart" src="cid:', 1)[1].split('"', 1)[0]  # the 12-month rate lines too
    assert rate_cid != cid and related[f"<{rate_cid}>"].get_content_disposition() == "inline"
    assert "Đã tích hợp" in msg.get_body(("plain",)).get_content()

    attachments = list(msg.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["bao-cao-tich-hop-2024-04.xlsx"]
    workbook = load_workbook(io.BytesIO(attachments[0].get_content()))
    sheet = workbook["Dữ liệu"]
    keys = {label: key for key, label in column_labels().items()}
    header = [keys[c.value] for c in sheet[1]]
    rows = {
        (r["scope"], r["source_id"], r["item_type"]): r
        for r in (dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2))
    }
    for scope, months in (("month", {"2024-04"}), ("cumulative", CUMULATIVE_TO_APRIL)):
        want = expected_figures(months)
        for key in ("published", "integrated", "duplicates_merged", "rejected", "waiting_review"):
            assert rows[(scope, "*", "*")][key] == want[key], (scope, key)
        for source_id, figures in april.payload[scope]["channels"].items():
            assert rows[(scope, source_id, "*")]["integrated"] == figures["integrated"]

    assert deliveries(no_deliveries) == [
        ("2024-04", april.content_hash, sorted(["truong.phong@so.example.vn", "chuyen.vien@so.example.vn"]), False)
    ]


def test_a_second_delivery_of_the_same_report_sends_nothing(april, smtp, no_deliveries) -> None:
    from portal_etl.reporting.delivery import ReportContent, deliver

    content = ReportContent.from_report(april)
    to = ["a@so.example.vn", "b@so.example.vn"]
    assert deliver(content, to, dsn=no_deliveries).sent
    again = deliver(content, ["B@so.example.vn", "a@so.example.vn"], dsn=no_deliveries)  # same people
    assert not again.sent and set(again.already_had_it) == {"B@so.example.vn", "a@so.example.vn"}
    assert len(smtp.messages) == 1 and len(deliveries(no_deliveries)) == 1
    # a new colleague gets it, alone
    added = deliver(content, [*to, "c@so.example.vn"], dsn=no_deliveries)
    assert added.sent_to == ("c@so.example.vn",) and smtp.messages[-1][1] == ["c@so.example.vn"]
    # forced: everyone again, recorded as forced
    forced = deliver(content, to, dsn=no_deliveries, force=True)
    assert forced.sent_to == tuple(to) and smtp.messages[-1][1] == to
    assert [row[3] for row in deliveries(no_deliveries)] == [False, False, True]
    assert len(smtp.messages) == 3


def test_a_changed_report_is_sent_again(april, smtp, no_deliveries, tmp_path) -> None:
    from test_report import ITEMS

    from portal_etl.pipeline.process import review
    from portal_etl.reporting.delivery import ReportContent, deliver
    from portal_etl.reporting.monthly import produce_report

    to = ["a@so.example.vn"]
    assert deliver(ReportContent.from_report(april), to, dsn=no_deliveries).sent
    waiting = next(s for s in ITEMS if s.category == "waiting_review" and s.month == "2024-04")
    conn = psycopg2.connect(no_deliveries)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT item_id FROM staging.item WHERE page_url LIKE %s", (f"%/{waiting.key}.html",))
        item_id = cur.fetchone()[0]
    conn.close()
    review.approve(item_id, "Nguyễn Văn A", "chuyên mục mới", dsn=no_deliveries)
    try:
        changed = produce_report(date(2024, 4, 1), dsn=no_deliveries, out_dir=tmp_path)
        assert changed.content_hash != april.content_hash
        result = deliver(ReportContent.from_report(changed), to, dsn=no_deliveries)
        assert result.sent and len(smtp.messages) == 2
        _rcpt, msg = smtp.parsed()[-1]
        assert f"sha256={changed.content_hash}" in msg["X-Portal-ETL-Report"]
    finally:
        review.reopen(item_id, "Nguyễn Văn A", "trả lại", dsn=no_deliveries)
        produce_report(date(2024, 4, 1), dsn=no_deliveries, out_dir=tmp_path)  # the stored report as before


def test_a_refused_recipient_fails_loudly_and_the_others_are_recorded(april, smtp, no_deliveries) -> None:
    from portal_etl.reporting.delivery import DeliveryError, ReportContent, deliver

    content = ReportContent.from_report(april)
    with pytest.raises(DeliveryError, match=REFUSED):
        deliver(content, ["a@so.example.vn", REFUSED], dsn=no_deliveries)
    assert [m[1] for m in smtp.messages] == [["a@so.example.vn"]]
    assert [row[2] for row in deliveries(no_deliveries)] == [["a@so.example.vn"]]
    with pytest.raises(DeliveryError):  # a retry tries only the one still missing
        deliver(content, ["a@so.example.vn", REFUSED], dsn=no_deliveries)
    assert len(smtp.messages) == 1


def test_recipients_come_from_the_environment_then_the_airflow_variable(smtp, monkeypatch) -> None:
    from portal_etl.reporting.delivery import configured_recipients, not_configured_reason
    from portal_etl.settings import ConfigurationError

    assert configured_recipients() == []
    assert "no recipients configured" in not_configured_reason()
    monkeypatch.setenv("AIRFLOW_VAR_PORTAL_ETL_REPORT_RECIPIENTS", "x@so.example.vn")
    assert configured_recipients() == ["x@so.example.vn"]
    monkeypatch.setenv("PORTAL_ETL_REPORT_RECIPIENTS", " a@so.example.vn; Tên <b@so.example.vn>,A@so.example.vn ,")
    assert configured_recipients() == ["a@so.example.vn", "b@so.example.vn"]
    assert not_configured_reason() is None
    monkeypatch.delenv("AIRFLOW_CONN_PORTAL_ETL_SMTP")
    assert "no SMTP connection 'portal_etl_smtp'" in not_configured_reason()
    monkeypatch.setenv("PORTAL_ETL_REPORT_RECIPIENTS", "a@so.example.vn, phong-bao-cao")
    with pytest.raises(ConfigurationError, match="phong-bao-cao"):
        configured_recipients()


def test_cli_emails_after_producing(april, smtp, no_deliveries, monkeypatch, tmp_path, capsys) -> None:
    from portal_etl.cli import main

    monkeypatch.setenv("PORTAL_ETL_REPORTS_DIR", str(tmp_path))
    assert main(["report", "--month", "2024-04", "--format", "json", "--email"]) == 2  # no recipients
    assert "no recipients configured" in capsys.readouterr().err and not smtp.messages
    monkeypatch.setenv("PORTAL_ETL_REPORT_RECIPIENTS", "a@so.example.vn")
    assert main(["report", "--month", "2024-04", "--format", "json", "--email"]) == 0
    assert main(["report", "--month", "2024-04", "--format", "json", "--email"]) == 0
    assert "nothing sent" in capsys.readouterr().err
    assert len(smtp.messages) == 1
    assert main(["report", "--month", "2024-04", "--format", "json", "--force-email"]) == 0
    assert len(smtp.messages) == 2


def run_report_dag(monkeypatch, tmp_path) -> dict[str, str]:
    from portal_etl.orchestration.dags.report import build_report_dag

    monkeypatch.setenv("PORTAL_ETL_REPORTS_DIR", str(tmp_path))
    dagrun = build_report_dag().test(logical_date=APRIL_END)
    assert str(dagrun.state).endswith("success")
    return {ti.task_id: str(ti.state).rsplit(".", 1)[-1] for ti in dagrun.get_task_instances()}


def test_the_dag_skips_delivery_when_nothing_is_configured(
    april, smtp, no_deliveries, airflow_db, monkeypatch, tmp_path, capfd
) -> None:
    states = run_report_dag(monkeypatch, tmp_path)  # a connection but no recipients
    assert states == {"refresh_summary": "success", "build_report": "success", "deliver_report": "skipped"}
    assert "no recipients configured (PORTAL_ETL_REPORT_RECIPIENTS" in capfd.readouterr().out  # the skip reason
    monkeypatch.setenv("PORTAL_ETL_REPORT_RECIPIENTS", "a@so.example.vn")
    monkeypatch.delenv("AIRFLOW_CONN_PORTAL_ETL_SMTP")
    assert run_report_dag(monkeypatch, tmp_path)["deliver_report"] == "skipped"  # recipients, no connection
    assert "no SMTP connection 'portal_etl_smtp'" in capfd.readouterr().out
    assert not smtp.messages and not deliveries(no_deliveries)


def test_the_dag_emails_the_report_once(april, smtp, no_deliveries, airflow_db, monkeypatch, tmp_path, capfd) -> None:
    from portal_etl.reporting.monthly import stored_report

    to = ["truong.phong@so.example.vn", "chuyen.vien@so.example.vn"]
    monkeypatch.setenv("PORTAL_ETL_REPORT_RECIPIENTS", ", ".join(to))
    assert run_report_dag(monkeypatch, tmp_path)["deliver_report"] == "success"
    assert len(smtp.messages) == 1
    ((rcpt, msg),) = smtp.parsed()
    assert rcpt == to
    assert msg["X-Portal-ETL-Report"] == f"2024-04; sha256={stored_report('2024-04', no_deliveries)['content_hash']}"
    assert str(msg["Subject"]).startswith("Báo cáo tích hợp tin, bài tháng 4/2024")
    assert [a.get_filename() for a in msg.iter_attachments()] == ["bao-cao-tich-hop-2024-04.xlsx"]
    # the run again (a retry, a cleared run): the same report is not sent twice
    assert run_report_dag(monkeypatch, tmp_path)["deliver_report"] == "skipped"
    assert len(smtp.messages) == 1 and len(deliveries(no_deliveries)) == 1
    output = capfd.readouterr().out
    assert "already e-mailed to all 2 recipient(s)" in output and SMTP_PASSWORD not in output
