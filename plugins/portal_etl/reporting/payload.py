"""The monthly report's figures as one JSON-ready dict, read from the integration store's
``month_summary``, its English versions and ``staging.run_metrics`` only (never the replica's ground truth).

Shape (English keys, numbers as numbers; every renderer and the e-mail read this dict):

* ``period``: the month, its local bounds, the cumulative start (the integration start);
* ``month`` / ``cumulative`` / ``previous_month``: ``{"total": F, "channels": {id: F},
  "types": {type: F}, "channel_types": {id: {type: F}}}`` where F holds published,
  published_before_window, integrated, duplicates_merged, rejected, rejected_by_reason,
  waiting_review and publish_rate (integrated ÷ items published since the integration start);
* ``month_over_month``: integrated, published and publish rate against the previous month;
* ``series``: integrated and published per month and channel, for the chart;
* ``collection``: the month's ingest runs per channel (``staging.run_metrics``);
* ``english_versions``: integrated articles with an English version, by origin (the source's own
  / machine), per channel, month and cumulative (reporting/english_versions.py);
* ``rate_series``: the publish rate per channel (and in total) over the last 12 months, for the
  line chart;
* ``gaps``: what keeps the month's items out, per channel (reporting/gaps.py): the one block read
  from the processing tables, since the titles and links of items never integrated are only there.

The dict holds no timestamp of its own making, so the same store gives the same payload.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from portal_etl.months import Month
from portal_etl.registry import Registry
from portal_etl.reporting.english_versions import english_versions
from portal_etl.reporting.gaps import gaps_section
from portal_etl.reporting.vi_format import ALWAYS_SHOWN_TYPES, ITEM_TYPE_LABELS, day_label, month_label
from portal_etl.vocabulary import REASONS

COUNTS = ("published", "published_before_window", "integrated", "duplicates_merged", "rejected", "waiting_review")
COLLECTION_COUNTS = (
    "runs",
    "listed",
    "fetched",
    "not_modified",
    "parsed",
    "parse_errors",
    "fetch_errors",
    "new_items",
    "updated_items",
)

Row = dict[str, Any]


def empty_figures() -> dict[str, Any]:
    return {**{k: 0 for k in COUNTS}, "rejected_by_reason": {r: 0 for r in REASONS}, "publish_rate": None}


def _add(figures: dict[str, Any], row: Row) -> None:
    for key in COUNTS:
        figures[key] += row[key]
    for reason, n in row["rejected_by_reason"].items():
        figures["rejected_by_reason"][reason] = figures["rejected_by_reason"].get(reason, 0) + n


def publish_rate(integrated: int, in_window: int) -> float | None:
    """Integrated ÷ items published since the integration start (None without any)."""
    return round(integrated / in_window, 4) if in_window > 0 else None


def _finish(figures: dict[str, Any]) -> dict[str, Any]:
    figures["publish_rate"] = publish_rate(
        figures["integrated"], figures["published"] - figures["published_before_window"]
    )
    return figures


def aggregate(rows: list[Row], channels: list[str], types: list[str]) -> dict[str, Any]:
    """Totals, per channel, per type and per channel × type of summary rows (every listed channel
    and type present, with zeros)."""
    total = empty_figures()
    by_channel = {c: empty_figures() for c in channels}
    by_type = {t: empty_figures() for t in types}
    by_both = {c: {t: empty_figures() for t in types} for c in channels}
    for row in rows:
        for figures in (
            total,
            by_channel[row["source_id"]],
            by_type[row["item_type"]],
            by_both[row["source_id"]][row["item_type"]],
        ):
            _add(figures, row)
    for figures in (total, *by_channel.values(), *by_type.values(), *(f for d in by_both.values() for f in d.values())):
        _finish(figures)
    return {"total": total, "channels": by_channel, "types": by_type, "channel_types": by_both}


def _change(previous: int | float | None, current: int | float | None) -> dict[str, Any]:
    change = None if previous is None or current is None else round(current - previous, 4)
    pct = round(change / previous, 4) if change is not None and previous else None
    return {"previous": previous, "current": current, "change": change, "change_pct": pct}


def month_over_month(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    def one(cur: dict[str, Any], prev: dict[str, Any]) -> dict[str, Any]:
        return {key: _change(prev[key], cur[key]) for key in ("integrated", "published", "publish_rate")}

    return {
        "total": one(current["total"], previous["total"]),
        "channels": {c: one(f, previous["channels"][c]) for c, f in current["channels"].items()},
    }


def months_between(first: str, last: str) -> list[str]:
    """'YYYY-MM' of ``first`` … ``last`` inclusive."""
    return [str(m) for m in Month.span(Month.parse(first), Month.parse(last))]


def summary_span(month: str, registry: Registry) -> tuple[str, str]:
    """The first and last month of the summary rows the report of ``month`` reads: from the
    integration start (or the previous month, when earlier) to ``month``."""
    first = str(Month.of(min(s.approval.window_start for s in registry.sources)))
    return min(first, str(Month.parse(month).previous())), month


RATE_SERIES_MONTHS = 12  # the line chart: a year of publish rates ending with the report month


def rate_series(rows: list[Row], month: str, channels: list[str]) -> dict[str, Any]:
    """Publish rate per channel and in total for the 12 months ending with ``month`` (None for a
    month with nothing published since the integration start: a gap in the line)."""
    months = months_between(str(Month.parse(month).shift(1 - RATE_SERIES_MONTHS)), month)
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        for key in ((r["source_id"], r["month"]), ("*", r["month"])):
            sums[key][0] += r["integrated"]
            sums[key][1] += r["published"] - r["published_before_window"]

    def line(source_id: str) -> list[float | None]:
        return [publish_rate(*sums[(source_id, m)]) if (source_id, m) in sums else None for m in months]

    return {"months": months, "channels": {c: line(c) for c in channels}, "total": line("*")}


def read_summary(cur, first_month: str, last_month: str) -> list[Row]:
    """Summary rows of ``first_month`` … ``last_month``: the report's figures use no other month,
    so its cost follows the months it covers, not the history kept before the integration start."""
    cur.execute(
        """SELECT month, source_id, item_type, published, published_before_window, integrated,
                  duplicates_merged, rejected, rejected_by_reason, waiting_review, english_source, english_machine
             FROM integration.month_summary WHERE month >= %s AND month <= %s ORDER BY month, source_id, item_type""",
        (first_month, last_month),
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def read_collection(cur, month: str) -> dict[str, dict[str, int]]:
    """The month's ingest runs per channel: runs whose data interval starts in the month."""
    start, end = Month.parse(month).bounds()
    cur.execute(
        """SELECT source_id, count(*), sum(listed), sum(fetched), sum(not_modified), sum(parsed),
                  sum(parse_errors), sum(fetch_errors), sum(new_items), sum(updated_items)
             FROM staging.run_metrics WHERE interval_start >= %s AND interval_start < %s
            GROUP BY source_id ORDER BY source_id""",
        (start, end),
    )
    return {r[0]: dict(zip(COLLECTION_COUNTS, (int(v or 0) for v in r[1:]), strict=True)) for r in cur.fetchall()}


def build_payload(cur, month: str, registry: Registry) -> dict[str, Any]:
    """Every figure of the report for ``month`` ('YYYY-MM', local)."""
    window_start = min(s.approval.window_start for s in registry.sources)
    first = str(Month.of(window_start))
    prev = str(Month.parse(month).previous())
    # the previous month may precede the start; the rate series' months before it have no rate
    rows = read_summary(cur, *summary_span(month, registry))
    channels = list(registry.ids) + sorted({r["source_id"] for r in rows} - set(registry.ids))
    present = {r["item_type"] for r in rows}
    types = [t for t in ITEM_TYPE_LABELS if t in ALWAYS_SHOWN_TYPES or t in present]
    types += sorted(present - set(types))
    names = {s.id: s.name for s in registry.sources}
    start, end = Month.parse(month).bounds()
    current = aggregate([r for r in rows if r["month"] == month], channels, types)
    previous = aggregate([r for r in rows if r["month"] == prev], channels, types)
    series_months = months_between(first, month) if month >= first else [month]
    per_month: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for r in rows:
        for key in ("integrated", "published"):
            per_month[key][r["source_id"]][r["month"]] += r[key]
    return {
        "report": "monthly_integration",
        "period": {
            "month": month,
            "label": month_label(month),
            "start": start.isoformat(),
            "end": end.isoformat(),
            "timezone": str(start.tzinfo),
            "previous_month": prev,
            "cumulative_since": window_start.isoformat(),
            "cumulative_since_label": day_label(window_start.isoformat()),
            "cumulative_months": [first, month],
        },
        "channels": [{"source_id": c, "name": names.get(c, c)} for c in channels],
        "item_types": [{"code": t, "label": ITEM_TYPE_LABELS.get(t, t)} for t in types],
        "month": current,
        "cumulative": aggregate([r for r in rows if first <= r["month"] <= month], channels, types),
        "previous_month": previous,
        "month_over_month": month_over_month(current, previous),
        "series": {
            "months": series_months,
            **{
                key: {c: [per_month[key][c][m] for m in series_months] for c in channels}
                for key in ("integrated", "published")
            },
        },
        "collection": read_collection(cur, month),
        "english_versions": english_versions([r for r in rows if first <= r["month"] <= month], month, channels),
        "rate_series": rate_series([r for r in rows if r["month"] <= month], month, channels),
        "gaps": gaps_section(cur, month, current, channels),
    }
