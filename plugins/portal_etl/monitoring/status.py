"""``portal-etl status``: per source, the last good run, the last error, the latest run's health
(a quiet interval shows here as a warning) and recent daily yield. Run figures are the sums over
all tries of the run (sql/019).

Read from the pipeline's own tables (run metrics, fetch events, parse failures, staged items),
so it answers even when Airflow's metadata database is not at hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from portal_etl.db import transaction
from portal_etl.months import LOCAL_TZ
from portal_etl.registry import Registry, load_usable_registry


@dataclass
class SourceStatus:
    source_id: str
    name: str
    configured: bool
    last_success: dict[str, Any] | None
    last_error: dict[str, Any] | None
    weeks: list[dict[str, Any]]  # oldest first: {"week_start", "items", "per_day"}
    latest_run: dict[str, Any] | None = None  # the newest run, with its health_status and health_note


def _latest_run(cur, source_id: str) -> dict[str, Any] | None:
    return _one(
        cur,
        """SELECT dag_id, run_id, interval_start, interval_end, started_at, finished_at, tries,
                               listed, parsed, new_items, fetch_errors, health_status, health_note
                          FROM staging.run_metrics WHERE source_id = %s
                         ORDER BY COALESCE(finished_at, started_at) DESC LIMIT 1""",
        (source_id,),
    )


def _one(cur, sql: str, params: tuple) -> dict[str, Any] | None:
    cur.execute(sql, params)
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None


def _last_error(cur, source_id: str) -> dict[str, Any] | None:
    """The most recent of: a run that recorded an error, a failed fetch, a page that did not parse."""
    candidates = [
        _one(
            cur,
            """SELECT finished_at AS at, 'run' AS kind, run_id, NULL AS url, last_error AS error
                       FROM staging.run_metrics WHERE source_id = %s AND last_error IS NOT NULL
                      ORDER BY COALESCE(finished_at, started_at) DESC LIMIT 1""",
            (source_id,),
        ),
        _one(
            cur,
            """SELECT fetched_at AS at, 'fetch' AS kind, run_id, url,
                            outcome || COALESCE(': ' || error, '') AS error
                       FROM staging.fetch_event
                      WHERE source_id = %s AND outcome NOT IN ('ok', 'not_modified', 'unchanged')
                      ORDER BY fetched_at DESC LIMIT 1""",
            (source_id,),
        ),
        _one(
            cur,
            """SELECT at, 'parse' AS kind, run_id, page_url AS url,
                            reason || COALESCE(': ' || detail, '') AS error
                       FROM staging.parse_failure WHERE source_id = %s ORDER BY at DESC LIMIT 1""",
            (source_id,),
        ),
    ]
    found = [c for c in candidates if c and c["at"] is not None]
    return max(found, key=lambda c: c["at"]) if found else None


def source_status(
    *, weeks: int = 4, until: date | None = None, dsn: str | None = None, registry: Registry | None = None
) -> list[SourceStatus]:
    """Every registry source's status; ``until`` is the last local day of the daily-yield window."""
    reg = registry or load_usable_registry()
    out = []
    with transaction(dsn, "portal-etl-status") as conn, conn.cursor() as cur:
        for source in reg.sources:
            tz = ZoneInfo(source.timezone)
            last_day = until or datetime.now(tz).date()
            first_day = last_day - timedelta(days=7 * weeks - 1)
            last_success = _one(
                cur,
                """SELECT dag_id, run_id, interval_start, interval_end, finished_at, tries, parsed, new_items,
                          health_status, health_note
                     FROM staging.run_metrics
                    WHERE source_id = %s AND finished_at IS NOT NULL AND last_error IS NULL AND fetch_errors = 0
                    ORDER BY finished_at DESC LIMIT 1""",
                (source.id,),
            )
            cur.execute(
                """SELECT (published_at AT TIME ZONE %s)::date AS day, count(*)
                     FROM staging.item
                    WHERE source_id = %s AND status = 'staged'
                      AND published_at >= %s AND published_at < %s
                    GROUP BY 1""",
                (
                    source.timezone,
                    source.id,
                    datetime(*first_day.timetuple()[:3], tzinfo=tz),
                    datetime(*(last_day + timedelta(days=1)).timetuple()[:3], tzinfo=tz),
                ),
            )
            per_day = dict(cur.fetchall())
            week_rows = []
            for w in range(weeks):
                start = first_day + timedelta(days=7 * w)
                n = sum(per_day.get(start + timedelta(days=d), 0) for d in range(7))
                week_rows.append({"week_start": start.isoformat(), "items": n, "per_day": round(n / 7, 1)})
            out.append(
                SourceStatus(
                    source.id,
                    source.name,
                    bool(source.base_url),
                    last_success,
                    _last_error(cur, source.id),
                    week_rows,
                    _latest_run(cur, source.id),
                )
            )
    return out


def render_status(statuses: list[SourceStatus]) -> str:
    """A plain-text table for the terminal."""
    lines = []
    for s in statuses:
        lines.append(f"{s.source_id} — {s.name}" + ("" if s.configured else "  [NOT CONFIGURED: no base_url]"))
        if s.last_success:
            ls = s.last_success
            lines.append(
                f"  last successful run: {ls['finished_at']:%Y-%m-%d %H:%M} UTC  {ls['dag_id']} / "
                f"{ls['run_id']}  interval {ls['interval_start']:%Y-%m-%d}..{ls['interval_end']:%Y-%m-%d}"
                f"  parsed {ls['parsed']}, new {ls['new_items']}"
                + (f" (sums over {ls['tries']} tries)" if ls["tries"] > 1 else "")
            )
        else:
            lines.append("  last successful run: never")
        lr = s.latest_run
        if lr and lr["health_status"] == "quiet":
            first, last = lr["interval_start"].astimezone(LOCAL_TZ), lr["interval_end"].astimezone(LOCAL_TZ)
            lines.append(
                f"  WARNING quiet interval: run {lr['run_id']}  interval [{first:%Y-%m-%d}, {last:%Y-%m-%d})"
                f" local\n              {str(lr['health_note'])[:300]}"
            )
        if s.last_error:
            le = s.last_error
            where = f" {le['url']}" if le["url"] else ""
            lines.append(
                f"  last error: {le['at']:%Y-%m-%d %H:%M} UTC  [{le['kind']}] run {le['run_id']}{where}"
                f"\n              {str(le['error'])[:200]}"
            )
        else:
            lines.append("  last error: none")
        lines.append(
            "  items per day, by week: "
            + "  ".join(f"{w['week_start']}: {w['per_day']:.1f} ({w['items']})" for w in s.weeks)
        )
    return "\n".join(lines)
