"""E-mail one month's report, once: to the configured recipients, through the Airflow SMTP connection.

* **Where it goes**: the addresses in ``PORTAL_ETL_REPORT_RECIPIENTS`` (comma- or
  semicolon-separated), else in the Airflow Variable ``portal_etl_report_recipients``.
* **How**: the Airflow connection ``portal_etl_smtp`` (any secrets backend inside a task;
  ``AIRFLOW_CONN_PORTAL_ETL_SMTP`` from the command line), opened by the SMTP provider's
  ``SmtpHook``, so host, port, login, SSL/STARTTLS (``disable_ssl``/``disable_tls``), OAuth2 and
  ``from_email`` mean what Airflow's SMTP connection documents. The hook's own
  ``send_email_smtp`` is not used: it can only attach files (no inline chart, see ``mail``), and
  it re-sends the whole message up to ``retry_limit`` times on any error, which can deliver it
  twice. The message is sent once, on the connection the hook opened and logged into.
* **Once**: every e-mail sent is a row of ``integration.report_delivery`` (month, payload hash,
  recipients). A recipient who already received this month's report with the same content gets
  nothing on a re-run (retries, catch-up, ``--email`` twice); a changed report (a late editor
  decision, a re-scrape) is sent again, and ``force`` sends regardless. The payload hash, not
  the bytes of the mail, is the identity: the same figures are the same report. A transaction
  and an advisory lock per month make two concurrent deliveries take turns. If the commit fails
  after the server accepted the mail, a retry sends it again: at least once, never silently lost.

The password is never logged: only host, port, sender, recipients and the Message-ID are.
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from airflow.providers.smtp.hooks.smtp import SmtpHook

from portal_etl import settings
from portal_etl.db import LOADER_ROLE, acting_as, connect
from portal_etl.reporting.mail import compose
from portal_etl.reporting.monthly import MonthlyReport, render_all, stored_report
from portal_etl.reporting.render_text import render_table
from portal_etl.settings import ConfigurationError
from portal_etl.vocabulary import DELIVERY_LOCK_KEY

log = logging.getLogger(__name__)

SMTP_CONN_ID = "portal_etl_smtp"
RECIPIENTS_ENV = settings.REPORT_RECIPIENTS_ENV
RECIPIENTS_VARIABLE = "portal_etl_report_recipients"
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class DeliveryError(RuntimeError):
    """The server refused some recipients (those it accepted are recorded as sent)."""


@dataclass(frozen=True)
class ReportContent:
    """What is mailed: one month's payload, its hash and its rendered HTML, text and XLSX."""

    month: str
    content_hash: str
    payload: dict[str, Any] = field(repr=False)
    html: str = field(repr=False)
    xlsx: bytes = field(repr=False)

    @classmethod
    def from_report(cls, report: MonthlyReport) -> ReportContent:
        """The report ``produce_report`` just made (CLI)."""
        xlsx = report.rendered.get("xlsx") or report.paths["xlsx"].read_bytes()
        return cls(report.month, report.content_hash, report.payload, report.html, xlsx)

    @classmethod
    def from_store(cls, month: str, dsn: str | None = None) -> ReportContent:
        """The stored report of ``month``, rendered again from its payload (the DAG: the worker
        that delivers need not be the one that wrote the files)."""
        row = stored_report(month, dsn)
        if row is None:
            raise LookupError(f"no stored report for {month}: produce it first (portal-etl report --month {month})")
        rendered, html = render_all(row["payload"])
        return cls(month, row["content_hash"], row["payload"], html, rendered["xlsx"])


@dataclass(frozen=True)
class DeliveryResult:
    month: str
    content_hash: str
    sent_to: tuple[str, ...]  # recipients of the message sent now (empty: nothing sent)
    already_had_it: tuple[str, ...]  # configured recipients who had received this content before
    message_id: str | None = None
    forced: bool = False

    @property
    def sent(self) -> bool:
        return bool(self.sent_to)

    def describe(self) -> str:
        short = self.content_hash[:12]
        if self.sent:
            again = " (forced)" if self.forced else ""
            return (
                f"report {self.month} (sha256 {short}) e-mailed{again} to {len(self.sent_to)} recipient(s): "
                f"{', '.join(self.sent_to)}; Message-ID {self.message_id}"
            )
        return (
            f"report {self.month} (sha256 {short}) already e-mailed to all {len(self.already_had_it)} "
            "recipient(s): nothing sent"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "content_hash": self.content_hash,
            "sent_to": list(self.sent_to),
            "already_had_it": list(self.already_had_it),
            "message_id": self.message_id,
            "forced": self.forced,
        }


def parse_recipients(value: str | Iterable[str], origin: str = "recipients") -> list[str]:
    """Addresses from 'a@x.vn, Tên <b@y.vn>; …' (or a list), de-duplicated ignoring case.

    A malformed entry is an error naming it: a typo must not silently drop a recipient.
    """
    entries = re.split(r"[,;]", value) if isinstance(value, str) else list(value)
    seen: dict[str, str] = {}
    for entry in (e.strip() for e in entries):
        if not entry:
            continue
        address = parseaddr(entry)[1]
        if not _ADDRESS.match(address):
            raise ConfigurationError(f"{origin}: {entry!r} is not an e-mail address")
        seen.setdefault(address.lower(), address)
    return list(seen.values())


def recipients_from(env: str, variable: str) -> list[str]:
    """The addresses in the environment variable ``env``, else in the Airflow Variable ``variable``."""
    value = settings.env_value(env)
    if value:
        return parse_recipients(value, env)
    try:
        from airflow.sdk import Variable

        value = Variable.get(variable, default=None) or ""
    except Exception as exc:  # noqa: BLE001 - no Variable store reachable means "not configured"
        log.debug("Variable %s not readable: %s", variable, exc)
        value = ""
    return parse_recipients(value, f"Variable {variable}")


def configured_recipients() -> list[str]:
    """``PORTAL_ETL_REPORT_RECIPIENTS``, else the Airflow Variable ``portal_etl_report_recipients``."""
    return recipients_from(RECIPIENTS_ENV, RECIPIENTS_VARIABLE)


def smtp_connection_configured(conn_id: str = SMTP_CONN_ID) -> bool:
    try:
        from airflow.sdk import Connection

        Connection.get(conn_id)
    except Exception:  # noqa: BLE001 - not found, or no secrets backend reachable
        return False
    return True


def not_configured_reason(conn_id: str = SMTP_CONN_ID) -> str | None:
    """Why the report cannot be e-mailed here (None: it can)."""
    if not configured_recipients():
        return f"no recipients configured ({RECIPIENTS_ENV} or the Airflow Variable {RECIPIENTS_VARIABLE})"
    if not smtp_connection_configured(conn_id):
        return f"no SMTP connection {conn_id!r} (AIRFLOW_CONN_{conn_id.upper()} or an Airflow connection)"
    return None


class ReportSmtpHook(SmtpHook):
    """``SmtpHook`` for opening and logging in; sends one prepared message, exactly once."""

    def sender(self) -> str:
        sender = self.from_email or (self.smtp_user if "@" in self.smtp_user else "")
        if not sender:
            raise ConfigurationError(f"SMTP connection {self.smtp_conn_id!r}: set the extra 'from_email'")
        return sender

    def send_once(self, message: EmailMessage, recipients: Sequence[str]) -> dict[str, tuple[int, bytes]]:
        """Send; returns the recipients the server refused (each with its code and answer)."""
        if self._smtp_client is None:  # the hook keeps its logged-in client here
            raise RuntimeError("open the hook first (with ReportSmtpHook(...) as hook)")
        try:
            return self._smtp_client.send_message(message, from_addr=self.sender(), to_addrs=list(recipients))
        except smtplib.SMTPRecipientsRefused as exc:  # every one refused: nothing was sent
            return exc.recipients


def _already_sent(cur, month: str, content_hash: str) -> set[str]:
    cur.execute(
        "SELECT DISTINCT unnest(recipients) FROM integration.report_delivery WHERE month = %s AND content_hash = %s",
        (month, content_hash),
    )
    return {r[0] for r in cur.fetchall()}


def _record(cur, content: ReportContent, recipients: Sequence[str], message_id: str, forced: bool) -> None:
    with acting_as(cur, LOADER_ROLE):  # the integration store is written by the loader role only
        cur.execute(
            """INSERT INTO integration.report_delivery (month, content_hash, recipients, message_id, forced)
               VALUES (%s, %s, %s, %s, %s)""",
            (content.month, content.content_hash, sorted(r.lower() for r in recipients), message_id, forced),
        )


def deliver(
    content: ReportContent,
    recipients: Sequence[str] | None = None,
    *,
    force: bool = False,
    dsn: str | None = None,
    conn_id: str = SMTP_CONN_ID,
) -> DeliveryResult:
    """E-mail ``content`` to the recipients who have not received it yet (all of them if ``force``)."""
    wanted = parse_recipients(recipients) if recipients is not None else configured_recipients()
    if not wanted:
        raise ConfigurationError(f"no recipients: set {RECIPIENTS_ENV} or the Airflow Variable {RECIPIENTS_VARIABLE}")
    refused: dict[str, tuple[int, bytes]] = {}
    conn = connect(dsn, "portal-etl-report-delivery")
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (DELIVERY_LOCK_KEY, content.month))
            before = _already_sent(cur, content.month, content.content_hash)
            had_it = tuple(r for r in wanted if r.lower() in before)
            pending = list(wanted) if force else [r for r in wanted if r.lower() not in before]
            if not pending:
                return DeliveryResult(content.month, content.content_hash, (), had_it)
            with ReportSmtpHook(conn_id) as hook:
                message = compose(
                    month=content.month,
                    content_hash=content.content_hash,
                    payload=content.payload,
                    html=content.html,
                    text=render_table(content.payload),
                    xlsx=content.xlsx,
                    sender=hook.sender(),
                    recipients=pending,
                    now=datetime.now(UTC),
                )
                log.info(
                    "e-mailing report %s to %d recipient(s) via %s:%s as %s",
                    content.month,
                    len(pending),
                    hook.host,
                    hook.port,
                    hook.sender(),
                )
                refused = hook.send_once(message, pending)
            accepted = tuple(r for r in pending if r not in refused)
            if accepted:
                _record(cur, content, accepted, message["Message-ID"], force)
    finally:
        conn.close()
    result = DeliveryResult(content.month, content.content_hash, accepted, had_it, message["Message-ID"], force)
    log.info("%s", result.describe())
    if refused:
        why = "; ".join(
            f"{address}: {code} {text.decode(errors='replace')}" for address, (code, text) in sorted(refused.items())
        )
        raise DeliveryError(
            f"report {content.month}: the server refused {why}; sent to: {', '.join(accepted) or 'nobody'}"
        )
    return result
