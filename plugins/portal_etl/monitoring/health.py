"""Source health: fail loudly when a run's yield looks like a broken or redesigned site.

A redesign rarely makes requests fail: pages still answer 200, the adapters just stop finding
titles, dates and bodies, and a run "succeeds" with nothing in it. So the check looks at what
the run produced, against the channel's own recent past (thresholds in the registry's
``health`` block):

- no staged items at all for the interval — unless the run shows the month was merely quiet;
- far fewer items than the median of the previous intervals (once enough of them exist);
- a share of the pages fetched in this run that lacked a required field (title, date, body);
- a share of the article fetches of this run that failed (timeouts, non-HTML answers such as a
  PDF, redirect loops, 4xx/5xx after retries; ``health.max_fetch_error_share``): each article URL
  counts once, with the outcome of its last fetch in the run, so retried tries do not inflate it.

A quiet month is not a broken source. With a hundred channels, small sub-sites often publish
nothing in a month: their list pages are fetched and parsed fine, and every entry on them is
dated before or after the interval. The discover step counts that evidence per run
(``list_entries*``, ``sections_walked``, ``sections_cut_short``; sql/019): when no item was staged
but every section's walk reached past the interval (or the end of its list) without a failed
fetch, the entries are there and none is in the interval, and no article failed, the run is
recorded as ``health_status = 'quiet'`` with a warning (``portal-etl status`` shows it) and
succeeds. A list page that does not parse, a failed list or article fetch, or listed entries that
staged nothing still fail it.

The error names the source, its site, the shares and the first failing page URLs with their
outcome, so the alert in the task log leads straight to the evidence (``staging.parse_failure``,
``staging.fetch_event``).
"""

from __future__ import annotations

import logging
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from portal_etl.db import transaction
from portal_etl.monitoring.logtable import log_metrics
from portal_etl.months import LOCAL_TZ, Month
from portal_etl.registry import Registry, Source, load_usable_registry

log = logging.getLogger("portal_etl.health")

EXAMPLE_URLS = 5
# Below five pages a single failure swings a share past any threshold: too few to judge by share
# (a run with nothing at all staged still fails on that).
MIN_PAGES_FOR_SHARE = 5
FETCH_SUCCEEDED = frozenset({"ok", "not_modified", "unchanged"})  # outcomes after which the page was read


class SourceHealthError(RuntimeError):
    """A source's run looks broken; the message says why and where to look."""

    def __init__(self, message: str, *, source_id: str | None = None, run_id: str | None = None) -> None:
        super().__init__(message)
        self.source_id = source_id
        self.run_id = run_id


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
    article_fetches: int = 0  # distinct article URLs fetched in the run
    fetch_failures: int = 0  # of them, whose last fetch in the run failed
    fetch_outcomes: dict[str, int] = field(default_factory=dict)  # failed outcome → URLs
    failed_fetches: list[tuple[str, str]] = field(default_factory=list)  # (outcome, URL), the first few
    walk: dict[str, int] = field(default_factory=dict)  # the last discover try's list evidence
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    @property
    def status(self) -> str:
        """``broken`` (the run fails), ``quiet`` (a warning, the run succeeds) or ``healthy``."""
        return "broken" if self.problems else "quiet" if self.warnings else "healthy"


def _previous_intervals(source: Source, start: datetime, count: int) -> list[tuple[datetime, datetime]]:
    """The ``count`` data intervals before ``start``, as the ingest DAG's timetable cuts them (in
    the portal's zone, whatever the site's)."""
    tz = LOCAL_TZ
    live = datetime(source.live_since.year, source.live_since.month, source.live_since.day, tzinfo=tz)
    spans, end = [], start.astimezone(tz)
    for _ in range(count):
        if source.schedule == "monthly":
            back = end.replace(day=1)
            before = Month(back.year, back.month).previous()
            begin = back.replace(year=before.year, month=before.month)
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


def _fetch_evidence(cur, source_id: str, run_id: str) -> tuple[int, list[tuple[str, str, str | None]]]:
    """The run's article URLs, each with the outcome of its last fetch: (how many, the failed ones
    as (outcome, url, error) in fetch order)."""
    cur.execute(
        """SELECT outcome, url, error FROM (
               SELECT DISTINCT ON (url) url, outcome, error, event_id FROM staging.fetch_event
                WHERE run_id = %s AND source_id = %s AND purpose = 'article'
                ORDER BY url, event_id DESC) last_fetch
            ORDER BY event_id""",
        (run_id, source_id),
    )
    rows = cur.fetchall()
    return len(rows), [r for r in rows if r[0] not in FETCH_SUCCEEDED]


def _walk_evidence(cur, dag_id: str, run_id: str, source_id: str) -> dict[str, int]:
    """The list evidence of the run's last discover try (an earlier, failed try proves nothing)."""
    cur.execute(
        """SELECT counts FROM staging.run_metrics_try
            WHERE dag_id = %s AND run_id = %s AND source_id = %s AND step = 'discover'
            ORDER BY try_number DESC LIMIT 1""",
        (dag_id, run_id, source_id),
    )
    row = cur.fetchone()
    return dict(row[0]) if row else {}


def quiet_interval(walk: dict[str, int], *, article_fetches: int, parse_errors: int) -> str | None:
    """The warning for an interval that published nothing, when the run proves it; else None.

    Proof: list pages were read (none failed), every section's walk reached past the interval or
    the end of its list, they held entries, none dated in the interval, and no article was
    fetched or failed to parse."""
    get = walk.get
    if not (
        get("list_pages", 0) > 0
        and get("list_fetch_errors", 0) == 0
        and get("sections_cut_short", 0) == 0
        and get("sections_walked", 0) > 0
        and get("list_entries", 0) > 0
        and get("listed", 0) == 0
        and article_fetches == 0
        and parse_errors == 0
    ):
        return None
    return (
        f"quiet interval: nothing dated in it among {get('list_entries')} entries on {get('list_pages')} "
        f"list pages of {get('sections_walked')} sections ({get('list_entries_before_window', 0)} older, "
        f"{get('list_entries_after_window', 0)} newer); the list pages read fine, the source published "
        "nothing in the interval"
    )


def assess(cur, source: Source, *, dag_id: str, run_id: str, start: datetime, end: datetime) -> HealthReport:
    """The health figures of one run of one source, with the problems found (none: healthy)."""
    items = _staged_count(cur, source.id, start, end)
    trailing = [
        c
        for s, e in _previous_intervals(source, start, source.health.trailing_intervals)
        if (c := _staged_count(cur, source.id, s, e)) > 0
    ]
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
    report.article_fetches, failed = _fetch_evidence(cur, source.id, run_id)
    report.fetch_failures = len(failed)
    report.fetch_outcomes = dict(Counter(outcome for outcome, _, _ in failed).most_common())
    report.failed_fetches = [(outcome, url) for outcome, url, _ in failed[:EXAMPLE_URLS]]
    report.walk = _walk_evidence(cur, dag_id, run_id, source.id)

    h = source.health
    pages = parsed + parse_errors
    if pages >= MIN_PAGES_FOR_SHARE and parse_errors / pages > h.max_parse_error_share:
        why = ", ".join(f"{k} ×{v}" for k, v in reasons.items()) or "see staging.parse_failure"
        report.problems.append(
            f"{parse_errors} of {pages} pages fetched lack required fields ({why}): the signature of a site redesign"
        )
    fetches, failures = report.article_fetches, report.fetch_failures
    if fetches >= MIN_PAGES_FOR_SHARE and failures / fetches > h.max_fetch_error_share:
        why = ", ".join(f"{k} ×{v}" for k, v in report.fetch_outcomes.items())
        report.problems.append(
            f"{failures} of {fetches} article fetches failed ({failures / fetches:.0%}, threshold "
            f"{h.max_fetch_error_share:.0%}; {why})"
        )
    if items == 0:
        quiet = quiet_interval(report.walk, article_fetches=fetches, parse_errors=parse_errors)
        if quiet:
            report.warnings.append(quiet)
        else:
            report.problems.append("no items staged for the interval" + _why_not_quiet(report.walk))
    elif median is not None and len(trailing) >= h.min_history and items < h.min_share_of_median * median:
        report.problems.append(
            f"{items} items staged, far fewer than the median {median:g} of the previous {len(trailing)} intervals "
            f"(threshold {h.min_share_of_median:.0%})"
        )
    return report


def _why_not_quiet(walk: dict[str, int]) -> str:
    """What in the list walk rules out a quiet month, in words (empty when nothing specific)."""
    get = walk.get
    if not walk:
        return " (no list walk recorded for the run)"
    reasons = []
    if get("listed", 0):
        reasons.append(f"{get('listed')} entries listed in it")
    if get("list_fetch_errors", 0):
        reasons.append(f"{get('list_fetch_errors')} list page fetches failed")
    if get("sections_cut_short", 0):
        reasons.append(f"{get('sections_cut_short')} sections' walks stopped short of the interval")
    if get("list_pages", 0) and not get("list_entries", 0):
        reasons.append(f"no entries on {get('list_pages')} list pages")
    return f" ({'; '.join(reasons)})" if reasons else ""


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
    """Assess one run; record the verdict on its metrics row (``health_status``, ``health_note``);
    raise ``SourceHealthError`` (failing the task) when it looks broken. A quiet interval is
    logged as a warning and the run succeeds."""
    source = (registry or load_usable_registry()).get(source_id)
    with transaction(dsn, f"portal-etl-health-{source_id}") as conn, conn.cursor() as cur:
        report = assess(cur, source, dag_id=dag_id, run_id=run_id, start=start, end=end)
        note = "; ".join(report.problems or report.warnings) or None
        # the run's own record says how it went, for `portal-etl status` (a failure also as last_error)
        cur.execute(
            """UPDATE staging.run_metrics SET health_status = %s, health_note = %s,
                      last_error = COALESCE(%s, last_error)
                WHERE dag_id = %s AND run_id = %s AND source_id = %s""",
            (report.status, note, "health check: " + note if report.problems else None, dag_id, run_id, source_id),
        )
    hidden = ("problems", "warnings", "failing_urls", "failed_fetches", "trailing_counts", "walk")
    figures = {k: v for k, v in asdict(report).items() if k not in hidden}
    log_metrics(log, f"source health — {source_id}", figures)
    if report.warnings and not report.problems:
        log.warning(
            "source %s for [%s, %s): %s", source_id, start.isoformat(), end.isoformat(), "; ".join(report.warnings)
        )
    if not report.healthy:
        lines = [
            f"source {source_id} ({source.base_url or 'no base_url'}) looks broken for "
            f"[{start.isoformat()}, {end.isoformat()}):"
        ]
        lines += [f"  - {p}" for p in report.problems]
        if report.failed_fetches:
            lines.append("  first failed article fetches (outcome, URL):")
            lines += [f"    {outcome:<18} {url}" for outcome, url in report.failed_fetches]
        if report.failing_urls:
            lines.append("  first failing pages:")
            lines += [f"    {u}" for u in report.failing_urls]
        lines.append(f"  evidence: SELECT * FROM staging.parse_failure WHERE run_id = '{run_id}'")
        if report.fetch_failures:
            lines.append(
                f"            SELECT url, outcome, error FROM staging.fetch_event WHERE run_id = '{run_id}' "
                f"AND source_id = '{source_id}' AND outcome NOT IN ('ok', 'not_modified', 'unchanged')"
            )
        raise SourceHealthError("\n".join(lines), source_id=source_id, run_id=run_id)
    return {
        **figures,
        "health_status": report.status,
        "warnings": report.warnings,
        "interval_start": start.isoformat(),
        "interval_end": end.isoformat(),
    }
