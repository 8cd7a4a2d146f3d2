"""The monthly integration report: figures → JSON, CSV, XLSX, HTML files, and one stored row.

``produce_report`` is the single entry point (report DAG, CLI, e-mail delivery, demo). It reads
only the integration store (``month_summary``) and ``staging.run_metrics`` (and, for the
"what keeps items out" section, the processing tables: reporting/gaps.py), renders every
format in memory, writes them to temporary files beside their targets, stores the payload in
``integration.monthly_report`` and renames the files into place before it commits: a failure at
any step leaves the previous report (files and row) as it was. The same store gives the same
payload, hash and row (an unchanged report is not rewritten in the table).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from psycopg2.extras import Json

from portal_etl import settings
from portal_etl.db import LOADER_ROLE, acting_as, connect
from portal_etl.months import Month
from portal_etl.registry import Registry, load_usable_registry
from portal_etl.reporting.chart import render_chart, render_rate_chart
from portal_etl.reporting.payload import build_payload, months_between, summary_span
from portal_etl.reporting.render_html import render_html
from portal_etl.reporting.render_text import render_csv, render_table
from portal_etl.reporting.render_xlsx import render_xlsx
from portal_etl.reporting.summary import refresh_month_summary
from portal_etl.vocabulary import PROCESS_LOCK_KEY

FORMATS = ("html", "xlsx", "csv", "json")  # the files written; "table" is printed only


@dataclass(frozen=True)
class MonthlyReport:
    """What ``produce_report`` made: the month, the written files, the payload and the HTML."""

    month: str
    paths: dict[str, Path]
    payload: dict[str, Any]
    html: str
    content_hash: str
    changed: bool  # False when the stored report already had this payload and these files
    rendered: dict[str, bytes] = field(repr=False, default_factory=dict)

    def table(self) -> str:
        return render_table(self.payload)


def reports_dir() -> Path:
    """``PORTAL_ETL_REPORTS_DIR``, default ``<repo>/var/reports`` (see ``settings``)."""
    return settings.reports_dir()


def canonical_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def payload_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def render_all(payload: dict[str, Any]) -> tuple[dict[str, bytes], str]:
    """Every file format's bytes (and the HTML text), rendered before anything is written."""
    chart = render_chart(payload)
    html = render_html(payload, chart, render_rate_chart(payload))
    files = {
        "html": html.encode("utf-8"),
        "xlsx": render_xlsx(payload, chart),
        "csv": ("\ufeff" + render_csv(payload)).encode("utf-8"),  # BOM: spreadsheets then read UTF-8
        "json": canonical_json(payload).encode("utf-8"),
    }
    return files, html


def write_temp(target: Path, data: bytes) -> Path:
    """``data`` in a temporary file beside ``target`` (same file system, so rename is atomic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException as exc:  # a full disk leaves no half-written file behind
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:  # ENOSPC from write() names no file
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
        raise
    return tmp


def write_atomic(target: Path, data: bytes) -> Path:
    os.replace(write_temp(target, data), target)
    return target


def publish_all(temps: dict[str, Path], targets: dict[str, Path]) -> None:
    """Rename every temporary file onto its target, or none: on a failure half-way the files
    already renamed get their previous version back (kept as hard links until the end)."""
    backups: dict[str, Path] = {}
    done: list[str] = []
    try:
        for fmt, target in targets.items():
            if target.is_file():
                backups[fmt] = target.with_name(f".{target.name}.{os.getpid()}.bak")
                backups[fmt].unlink(missing_ok=True)
                os.link(target, backups[fmt])
        for fmt, target in targets.items():
            os.replace(temps[fmt], target)
            done.append(fmt)
    except BaseException:
        for fmt in done:
            if fmt in backups:
                os.replace(backups.pop(fmt), targets[fmt])
            else:
                targets[fmt].unlink(missing_ok=True)
        raise
    finally:
        for backup in backups.values():
            backup.unlink(missing_ok=True)


def _store(cur, month: str, payload: dict[str, Any], digest: str, files: dict[str, str]) -> bool:
    with acting_as(cur, LOADER_ROLE):  # the integration store is written by the loader role only
        cur.execute(
            """INSERT INTO integration.monthly_report (month, content_hash, payload, files)
               VALUES (%(m)s, %(h)s, %(p)s, %(f)s)
               ON CONFLICT (month) DO UPDATE SET
                   generated_at = CASE WHEN integration.monthly_report.content_hash = EXCLUDED.content_hash
                                       THEN integration.monthly_report.generated_at ELSE EXCLUDED.generated_at END,
                   content_hash = EXCLUDED.content_hash, payload = EXCLUDED.payload, files = EXCLUDED.files
               WHERE (integration.monthly_report.content_hash, integration.monthly_report.files)
                     IS DISTINCT FROM (EXCLUDED.content_hash, EXCLUDED.files)""",
            {"m": month, "h": digest, "p": Json(payload), "f": Json(files)},
        )
        return cur.rowcount == 1


def produce_report(
    month: date,
    dsn: str | None = None,
    out_dir: Path | None = None,
    *,
    registry: Registry | None = None,
) -> MonthlyReport:
    """Build, write and store the report of the local month containing ``month``."""
    key = str(Month.of(month))
    reg = registry if registry is not None else load_usable_registry()
    target_dir = Path(out_dir) if out_dir is not None else reports_dir()
    targets = {fmt: target_dir / f"report-{key}.{fmt}" for fmt in FORMATS}
    conn = connect(dsn, "portal-etl-report")
    temps: list[Path] = []
    try:
        conn.set_session(isolation_level="REPEATABLE READ")  # one snapshot for every figure
        with conn, conn.cursor() as cur:
            payload = build_payload(cur, key, reg)
            rendered, html = render_all(payload)
            for fmt in FORMATS:  # one by one, so a failure half-way still removes the ones written
                temps.append(write_temp(targets[fmt], rendered[fmt]))
            digest = payload_hash(payload)
            changed = _store(cur, key, payload, digest, {fmt: str(p) for fmt, p in targets.items()})
            publish_all(dict(zip(FORMATS, temps, strict=True)), targets)
            temps = []
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        conn.close()
    return MonthlyReport(key, targets, payload, html, digest, changed, rendered)


def stored_report(month: str, dsn: str | None = None) -> dict[str, Any] | None:
    """The stored row of a month's report (None when it was never produced)."""
    conn = connect(dsn, "portal-etl-report")
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                "SELECT month, generated_at, content_hash, payload, files FROM integration.monthly_report "
                "WHERE month = %s",
                (month,),
            )
            row = cur.fetchone()
    finally:
        conn.close()
    if row is None:
        return None
    return dict(zip(("month", "generated_at", "content_hash", "payload", "files"), row, strict=True))


def refresh_summary(month: date, dsn: str | None = None, registry: Registry | None = None) -> int:
    """Bring ``integration.month_summary`` up to date for the report of the local month
    containing ``month`` (report DAG's first task): the changes queued since the last refresh,
    and every month the report reads, whose figures also depend on the registry's windows."""
    reg = registry if registry is not None else load_usable_registry()
    months = months_between(*summary_span(str(Month.of(month)), reg))
    conn = connect(dsn, "portal-etl-report")
    try:
        with conn, conn.cursor() as cur:
            # the processing lock: no load changes the figures while they are recomputed
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (PROCESS_LOCK_KEY,))
            with acting_as(cur, LOADER_ROLE):
                return refresh_month_summary(cur, months, reg)
    finally:
        conn.close()
