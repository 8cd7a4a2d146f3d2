"""Source health: fail loudly when a run's yield looks like a broken or redesigned site.

A redesign rarely makes requests fail: pages still answer 200, the adapters just stop finding
titles, dates and bodies, and a run "succeeds" with nothing in it. So the check looks at what
the run produced, against the channel's own recent past (thresholds in the registry's
``health`` block):

- no staged items at all for the interval;
- far fewer items than the median of the previous intervals (once enough of them exist);
- a share of the pages fetched in this run that lacked a required field (title, date, body).

The error names the source, its site and the first failing page URLs, so the alert in the task
log leads straight to the evidence (``staging.parse_failure``).
"""

from __future__ import annotations

import logging
import statistics
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from portal_etl.db import transaction
from portal_etl.monitoring.logtable import log_metrics
from portal_etl.registry import Registry, Source, load_usable_registry

log = logging.getLogger("portal_etl.health")

EXAMPLE_URLS = 5


class SourceHealthError(RuntimeError):
    """A source's run looks broken; the message says why and where to look."""


@dataclass
class HealthReport:
    source_id: str
    interval_start: datetime
    interval_end: datetime
    items: int
    trailing_counts: list[int]
    trailing_median: float | None
    pages_parsed: int
    parse_errors: int
    failure_reasons: dict[str, int]
    failing_urls: list[str]
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems


def _previous_intervals(source: Source, start: datetime, count: int) -> list[tuple[datetime, datetime]]:
    tz = ZoneInfo(source.timezone)
    live = datetime(source.live_since.year, source.live_since.month, source.live_since.day, tzinfo=tz)
    spans, end = [], start.astimezone(tz)
    for _ in range(count):
        if source.schedule == "monthly":
            back = end.replace(day=1)
            begin = back.replace(year=back.year - (back.month == 1), month=(back.month - 2) % 12 + 1)
        else:
            begin = (end - timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        if end <= live:
            break
        spans.append((begin, end))
        end = begin
    return spans


def _staged_count(cur, source_id: str, start: datetime, end: datetime) -> int:
    cur.execute(
        """SELECT count(*) FROM staging.item WHERE source_id = %s AND status = 'staged'
              AND published_at >= %s AND published_at < %s""",
        (source_id, start, end),
    )
    return cur.fetchone()[0]


def assess(cur, source: Source, *, dag_id: str, run_id: str, start: datetime, end: datetime) -> HealthReport:
    """The health figures of one run of one source, with the problems found (none: healthy)."""
    items = _staged_count(cur, source.id, start, end)
    trailing = [c for s, e in _previous_intervals(source, start, source.health.trailing_intervals)
                if (c := _staged_count(cur, source.id, s, e)) > 0]
    median = statistics.median(trailing) if trailing else None
    cur.execute(
        "SELECT parsed, parse_errors FROM staging.run_metrics WHERE dag_id = %s AND run_id = %s AND source_id = %s",
        (dag_id, run_id, source.id),
    )
    parsed, parse_errors = cur.fetchone() or (0, 0)
    cur.execute(
        """SELECT reason, count(*), (array_agg(page_url ORDER BY page_url))[1:%s]
             FROM staging.parse_failure WHERE run_id = %s AND source_id = %s
            GROUP BY reason ORDER BY count(*) DESC, reason""",
        (EXAMPLE_URLS, run_id, source.id),
    )
    rows = cur.fetchall()
    reasons = {r[0]: r[1] for r in rows}
    urls = [u for r in rows for u in r[2]][:EXAMPLE_URLS]
    report = HealthReport(source.id, start, end, items, trailing, median, parsed, parse_errors, reasons, urls)

    h = source.health
    pages = parsed + parse_errors
    if pages >= 5 and parse_errors / pages > h.max_parse_error_share:
        why = ", ".join(f"{k} ×{v}" for k, v in reasons.items()) or "see staging.parse_failure"
        report.problems.append(
            f"{parse_errors} of {pages} pages fetched lack required fields ({why}): "
            "the signature of a site redesign"
        )
    if items == 0:
        report.problems.append("no items staged for the interval")
    elif median is not None and len(trailing) >= h.min_history and items < h.min_share_of_median * median:
        report.problems.append(
            f"{items} items staged, far fewer than the median {median:g} of the previous {len(trailing)} intervals "
            f"(threshold {h.min_share_of_median:.0%})"
        )
    return report


def check_source_health(
    source_id: str,
    start: datetime,
    end: datetime,
    *,
    dag_id: str,
    run_id: str,
    dsn: str | None = None,
    registry: Registry | None = None,
) -> dict[str, Any]:
    """Assess one run; raise ``SourceHealthError`` (failing the task) when it looks broken."""
    source = (registry or load_usable_registry()).get(source_id)
    with transaction(dsn, f"portal-etl-health-{source_id}") as conn, conn.cursor() as cur:
        report = assess(cur, source, dag_id=dag_id, run_id=run_id, start=start, end=end)
        if not report.healthy:  # the run's own record says it failed, for `portal-etl status`
            cur.execute(
                """UPDATE staging.run_metrics SET last_error = %s
                    WHERE dag_id = %s AND run_id = %s AND source_id = %s""",
                ("health check: " + "; ".join(report.problems), dag_id, run_id, source_id),
            )
    figures = {k: v for k, v in asdict(report).items() if k not in ("problems", "failing_urls", "trailing_counts")}
    log_metrics(log, f"source health — {source_id}", figures)
    if not report.healthy:
        lines = [f"source {source_id} ({source.base_url or 'no base_url'}) looks broken for "
                 f"[{start.isoformat()}, {end.isoformat()}):"]
        lines += [f"  - {p}" for p in report.problems]
        if report.failing_urls:
            lines.append("  first failing pages:")
            lines += [f"    {u}" for u in report.failing_urls]
        lines.append(f"  evidence: SELECT * FROM staging.parse_failure WHERE run_id = '{run_id}'")
        raise SourceHealthError("\n".join(lines))
    return {**figures, "interval_start": start.isoformat(), "interval_end": end.isoformat()}
