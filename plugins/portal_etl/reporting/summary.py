"""``integration.month_summary``: per local month, channel and item type, what was published and
what became of it — kept current by the load so the monthly report reads one small table.

Why a summary table rather than querying the processing tables at report time: the report must
read only the integration store, and a month's figures cost a few rows instead of a scan of
history. ``refresh_month_summary`` recomputes exactly the given months (delete + insert) inside
the caller's transaction; the load calls it for the months of the items it touched, the
report DAG calls :func:`refresh_all_months` as a safety net (dates changed by a re-scrape, a
database migrated after data was loaded).

Categories (each published item in exactly one, by its own month, channel and type):

* ``integrated`` — the primary of an integrated story (counted from ``integration.article`` by
  ``story_month``/``primary_source_id``/``item_type``: the same items);
* ``duplicates_merged`` — approved or rejected, a non-primary member of an integrated story;
* ``rejected`` (by reason) — rejected and not a merged duplicate;
* ``waiting_review`` — waiting for an editor.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from portal_etl import dates
from portal_etl.registry import Registry, load_usable_registry
from portal_etl.registry.schema import Approval

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONTH_FORMAT = "YYYY-MM"

_INSERT = """
WITH ranges AS (
    SELECT * FROM unnest(%(months)s::text[], %(lo)s::timestamptz[], %(hi)s::timestamptz[]) AS r(month, lo, hi)
), windows AS (
    SELECT * FROM unnest(%(sources)s::text[], %(windows)s::timestamptz[]) AS w(source_id, window_start)
), items AS (
    SELECT r.month, n.source_id, coalesce(n.item_type, 'unknown') AS item_type,
           n.published_at < coalesce(w.window_start, %(default_window)s::timestamptz) AS before_window,
           d.outcome, d.reason,
           (a.item_id IS NOT NULL AND NOT a.is_primary AND d.outcome IN ('approved', 'rejected')) AS merged
      FROM ranges r
      JOIN process.normalized_item n ON n.published_at >= r.lo AND n.published_at < r.hi
      JOIN staging.item i ON i.item_id = n.item_id AND i.status = 'staged'
      LEFT JOIN windows w ON w.source_id = n.source_id
      LEFT JOIN process.decision d ON d.item_id = n.item_id
      LEFT JOIN integration.article_source a ON a.item_id = n.item_id
), item_counts AS (
    SELECT month, source_id, item_type,
           count(*) AS published,
           count(*) FILTER (WHERE before_window) AS published_before_window,
           count(*) FILTER (WHERE merged) AS duplicates_merged,
           count(*) FILTER (WHERE outcome = 'rejected' AND NOT merged) AS rejected,
           count(*) FILTER (WHERE outcome = 'needs_review') AS waiting_review
      FROM items GROUP BY 1, 2, 3
), reasons AS (
    SELECT month, source_id, item_type, jsonb_object_agg(reason, n ORDER BY reason) AS by_reason
      FROM (SELECT month, source_id, item_type, reason, count(*) AS n FROM items
             WHERE outcome = 'rejected' AND NOT merged GROUP BY 1, 2, 3, 4) x
     GROUP BY 1, 2, 3
), integrated AS (
    SELECT story_month AS month, primary_source_id AS source_id, item_type, count(*) AS integrated
      FROM integration.article WHERE story_month = ANY(%(months)s) GROUP BY 1, 2, 3
)
INSERT INTO integration.month_summary (month, source_id, item_type, published, published_before_window,
                                       integrated, duplicates_merged, rejected, rejected_by_reason, waiting_review)
SELECT month, source_id, item_type, coalesce(c.published, 0), coalesce(c.published_before_window, 0),
       coalesce(g.integrated, 0), coalesce(c.duplicates_merged, 0), coalesce(c.rejected, 0),
       coalesce(r.by_reason, '{}'::jsonb), coalesce(c.waiting_review, 0)
  FROM item_counts c
  FULL JOIN integrated g USING (month, source_id, item_type)
  LEFT JOIN reasons r USING (month, source_id, item_type)
 ORDER BY 1, 2, 3
"""


def month_bounds(month: str, tz: ZoneInfo = LOCAL_TZ) -> tuple[datetime, datetime]:
    """[first day 00:00, next month's first day 00:00) local, as aware datetimes."""
    year, mon = (int(part) for part in month.split("-"))
    start = datetime(year, mon, 1, tzinfo=tz)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=tz)
    return start, end


def month_key(value: date | datetime) -> str:
    """'YYYY-MM' of a date, or of an aware datetime in local time."""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ)
    return f"{value.year:04d}-{value.month:02d}"


def _windows(registry: Registry) -> tuple[list[str], list[datetime]]:
    sources = [s.id for s in registry.sources]
    return sources, [dates.local_midnight(s.approval.window_start, s.tz) for s in registry.sources]


def refresh_month_summary(cur, months: Iterable[str], registry: Registry | None = None) -> int:
    """Recompute the summary rows of ``months`` ('YYYY-MM', local) in the caller's transaction.

    Rows of other months are not touched; returns the number of rows written."""
    wanted = sorted(set(months))
    if not wanted:
        return 0
    reg = registry if registry is not None else load_usable_registry()
    bounds = [month_bounds(m) for m in wanted]
    sources, windows = _windows(reg)
    cur.execute("DELETE FROM integration.month_summary WHERE month = ANY(%s)", (wanted,))
    cur.execute(
        _INSERT,
        {
            "months": wanted,
            "lo": [b[0] for b in bounds],
            "hi": [b[1] for b in bounds],
            "sources": sources,
            "windows": windows,
            "default_window": dates.local_midnight(Approval().window_start, LOCAL_TZ),
        },
    )
    return cur.rowcount


def touched_months(cur, items: Iterable[int], story_keys: Iterable[str]) -> set[str]:
    """Local months whose summary a load of these items and stories may change: the items' and
    the stories' members' publish months, and the months of the stories' current articles."""
    ids, keys = sorted(set(items)), sorted(set(story_keys))
    if not ids and not keys:
        return set()
    cur.execute(
        f"""SELECT to_char(n.published_at AT TIME ZONE 'Asia/Ho_Chi_Minh', '{MONTH_FORMAT}')
              FROM process.normalized_item n
             WHERE n.published_at IS NOT NULL
               AND (n.item_id = ANY(%(ids)s)
                    OR n.item_id IN (SELECT item_id FROM process.item_story WHERE story_key = ANY(%(keys)s)))
            UNION
            SELECT story_month FROM integration.article WHERE story_key = ANY(%(keys)s)
            UNION
            SELECT to_char(published_at AT TIME ZONE 'Asia/Ho_Chi_Minh', '{MONTH_FORMAT}')
              FROM integration.article_source WHERE story_key = ANY(%(keys)s) AND published_at IS NOT NULL""",
        {"ids": ids, "keys": keys},
    )
    return {row[0] for row in cur.fetchall()}


def all_months(cur) -> set[str]:
    """Every local month with a processed item, an article or a summary row."""
    cur.execute(
        f"""SELECT DISTINCT to_char(published_at AT TIME ZONE 'Asia/Ho_Chi_Minh', '{MONTH_FORMAT}')
              FROM process.normalized_item WHERE published_at IS NOT NULL
            UNION SELECT story_month FROM integration.article
            UNION SELECT month FROM integration.month_summary"""
    )
    return {row[0] for row in cur.fetchall()}


def refresh_all_months(cur, registry: Registry | None = None) -> int:
    """Recompute every month (the report DAG's first task and ``portal-etl report --refresh``)."""
    return refresh_month_summary(cur, all_months(cur), registry)
