"""The monthly report as one e-mail message (composition only: no network, no database).

Structure::

    multipart/mixed
    ├── multipart/alternative
    │   ├── text/plain          the terminal table (clients that show no HTML)
    │   └── multipart/related
    │       ├── text/html       the report page, its chart as ``cid:…``
    │       └── image/png       the chart, inline
    └── application/…sheet      the XLSX workbook, attached

Why the chart is an inline ``cid:`` part and not the page's ``data:`` URI: Gmail and Outlook
drop ``data:`` images from message bodies, so the department would get the tables without the
chart. An inline related part is shown by every common client, and the same PNG stays embedded
in the XLSX. The HTML file on disk keeps its data URI (a browser needs no second file).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from portal_etl.months import LOCAL_TZ
from portal_etl.normalize.text import nfc
from portal_etl.reporting.vi_format import fmt_int, month_label

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
REPORT_HEADER = "X-Portal-ETL-Report"  # "<month>; sha256=<payload hash>": which report a message carries
_DATA_URI_IMG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=\s]+)"')


def report_subject(payload: dict[str, Any]) -> str:
    """'Báo cáo tích hợp tin, bài tháng 4/2024 — tích hợp 123, lũy kế 2.555' (NFC).

    The figures are in the subject so that a reader sees the month's result in the inbox list.
    """
    month = payload["period"]["month"]
    integrated = payload["month"]["total"]["integrated"]
    cumulative = payload["cumulative"]["total"]["integrated"]
    return nfc(
        f"Báo cáo tích hợp tin, bài {month_label(month).lower()} — "
        f"tích hợp {fmt_int(integrated)}, lũy kế {fmt_int(cumulative)}"
    )


def attachment_name(month: str) -> str:
    return f"bao-cao-tich-hop-{month}.xlsx"  # ASCII: some clients mangle encoded file names


def inline_images(html: str, domain: str) -> tuple[str, list[tuple[str, bytes]]]:
    """The HTML with every base64 PNG data URI replaced by ``cid:<id>``, and the (id, PNG) pairs."""
    images: list[tuple[str, bytes]] = []

    def swap(match: re.Match[str]) -> str:
        cid = make_msgid("chart", domain=domain)[1:-1]
        images.append((cid, base64.b64decode(match.group(1))))
        return f'src="cid:{cid}"'

    return _DATA_URI_IMG.sub(swap, html), images


def compose(
    *,
    month: str,
    content_hash: str,
    payload: dict[str, Any],
    html: str,
    text: str,
    xlsx: bytes,
    sender: str,
    recipients: Sequence[str],
    now: datetime,
) -> EmailMessage:
    """One message carrying the month's report to ``recipients``."""
    domain = sender.rpartition("@")[2] or "localhost"
    msg = EmailMessage()
    msg["Subject"] = report_subject(payload)
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = format_datetime(now.astimezone(LOCAL_TZ))
    msg["Message-ID"] = make_msgid("bao-cao-" + month, domain=domain)
    msg["Content-Language"] = "vi"
    msg[REPORT_HEADER] = f"{month}; sha256={content_hash}"
    msg.set_content(nfc(text), charset="utf-8")
    body, images = inline_images(nfc(html), domain)
    msg.add_alternative(body, subtype="html", charset="utf-8")
    html_part = msg.get_payload()[1]
    for n, (cid, png) in enumerate(images, start=1):
        html_part.add_related(
            png, "image", "png", cid=f"<{cid}>", disposition="inline", filename=f"bieu-do-{month}-{n}.png"
        )
    msg.add_attachment(xlsx, *XLSX_TYPE, filename=attachment_name(month))
    return msg
