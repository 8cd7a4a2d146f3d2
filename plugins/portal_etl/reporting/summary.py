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

Beside ``integrated``, ``english_source`` / ``english_machine`` count those stories whose English
version is the source's own translation / a machine translation (the report's English block).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

from portal_etl import dates
from portal_etl.registry import Registry, load_usable_registry
from portal_etl.registry.schema import Approval

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ENGLISH = "en"  # the language of the English-version columns
MONTH_FORMAT = "YYYY-MM"

# The months' bounds reach the planner as plain values (bounds passed through unnest() were
# estimated at a fraction of the table and planned as scans of all history: 1.9 s for one month
# at 1M articles). A few months are refreshed one statement each: the planner reads the month's
# items through normalized_item_published and looks each one up by key, so the cost follows the
# month, not the history. Many months at once (the report DAG's safety net) go in one statement
# over their whole span, which the planner runs as hash joins: one pass instead of one per month.
_INSERT = f"""
WITH windows AS (
    SELECT * FROM unnest(%(sources)s::text[], %(windows)s::timestamptz[]) AS w(source_id, window_start)
), items AS (
    SELECT to_char(n.published_at AT TIME ZONE 'Asia/Ho_Chi_Minh', '{MONTH_FORMAT}') AS month,
           n.source_id, coalesce(n.item_type, 'unknown') AS item_type,
           n.published_at < coalesce(w.window_start, %(default_window)s::timestamptz) AS before_window,
           d.outcome, d.reason,
           (a.item_id IS NOT NULL AND NOT a.is_primary AND d.outcome IN ('approved', 'rejected')) AS merged
      FROM process.normalized_item n
      JOIN staging.item i ON i.item_id = n.item_id AND i.status = 'staged'
      LEFT JOIN windows w ON w.source_id = n.source_id
      LEFT JOIN process.decision d ON d.item_id = n.item_id
      LEFT JOIN integration.article_source a ON a.item_id = n.item_id
     WHERE n.published_at >= %(lo)s AND n.published_at < %(hi)s
), item_counts AS (
    SELECT month, source_id, item_type,
           count(*) AS published,
           count(*) FILTER (WHERE before_window) AS published_before_window,
           count(*) FILTER (WHERE merged) AS duplicates_merged,
           count(*) FILTER (WHERE outcome = 'rejected' AND NOT merged) AS rejected,
           count(*) FILTER (WHERE outcome = 'needs_review') AS waiting_review
      FROM items WHERE month = ANY(%(months)s) GROUP BY 1, 2, 3
), reasons AS (
    SELECT month, source_id, item_type, jsonb_object_agg(reason, n ORDER BY reason) AS by_reason
      FROM (SELECT month, source_id, item_type, reason, count(*) AS n FROM items
             WHERE month = ANY(%(months)s) AND outcome = 'rejected' AND NOT merged GROUP BY 1, 2, 3, 4) x
     GROUP BY 1, 2, 3
), integrated AS (
    SELECT a.story_month AS month, a.primary_source_id AS source_id, a.item_type, count(*) AS integrated,
           count(*) FILTER (WHERE t.origin = 'source') AS english_source,
           count(*) FILTER (WHERE t.origin = 'machine') AS english_machine
      FROM integration.article a
      LEFT JOIN integration.article_translation t ON t.story_key = a.story_key AND t.language = %(language)s
     WHERE a.story_month = ANY(%(months)s) GROUP BY 1, 2, 3
)
INSERT INTO integration.month_summary (month, source_id, item_type, published, published_before_window,
                                       integrated, duplicates_merged, rejected, rejected_by_reason, waiting_review,
                                       english_source, english_machine)
SELECT month, source_id, item_type, coalesce(c.published, 0), coalesce(c.published_before_window, 0),
       coalesce(g.integrated, 0), coalesce(c.duplicates_merged, 0), coalesce(c.rejected, 0),
       coalesce(r.by_reason, '{{}}'::jsonb), coalesce(c.waiting_review, 0),
       coalesce(g.english_source, 0), coalesce(g.english_machine, 0)
  FROM item_counts c
  FULL JOIN integrated g USING (month, source_id, item_type)
  LEFT JOIN reasons r USING (month, source_id, item_type)
 ORDER BY 1, 2, 3
"""
ONE_STATEMENT_FROM = 6  # months; below this, one index-driven statement per month


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


@contextmanager
def local_settings(cur, settings: dict[str, str]) -> Iterator[None]:
    """Planner settings for the statements inside, the caller's values put back after (in the
    caller's transaction; an error aborts it, and SET LOCAL values die with it)."""
    names = sorted(settings)
    cur.execute("SELECT " + ", ".join("current_setting(%s)" for _ in names), names)
    previous = dict(zip(names, cur.fetchone(), strict=True))
    cur.execute("SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names),
                [v for n in names for v in (n, settings[n])])
    yield
    cur.execute("SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names),
                [v for n in names for v in (n, previous[n])])


def refresh_month_summary(cur, months: Iterable[str], registry: Registry | None = None) -> int:
    """Recompute the summary rows of ``months`` ('YYYY-MM', local) in the caller's transaction.

    Rows of other months are not touched; returns the number of rows written."""
    wanted = sorted(set(months))
    if not wanted:
        return 0
    reg = registry if registry is not None else load_usable_registry()
    sources, windows = _windows(reg)
    cur.execute("DELETE FROM integration.month_summary WHERE month = ANY(%s)", (wanted,))
    written = 0
    together = len(wanted) >= ONE_STATEMENT_FROM
    # JIT compiling costs more than these statements take; one month's items are few next to
    # history, so they are looked up by key: with cost-based hash joins the planner reads every
    # decision and article_source row for a month's 96k items (22 s at 10M articles; 1.1 s by key)
    settings = {"jit": "off"} if together else {"jit": "off", "enable_hashjoin": "off", "enable_mergejoin": "off"}
    with local_settings(cur, settings):
        for span in ([wanted] if together else [[m] for m in wanted]):
            cur.execute(_INSERT, {
                "months": span, "lo": month_bounds(span[0])[0], "hi": month_bounds(span[-1])[1],
                "sources": sources, "windows": windows, "language": ENGLISH,
                "default_window": dates.local_midnight(Approval().window_start, LOCAL_TZ),
            })
            written += cur.rowcount
    return written


def touched_months(cur, items: Iterable[int], story_keys: Iterable[str]) -> set[str]:
    """Local months whose summary a load of these items and stories may change: the items' and
    the stories' members' publish months, and the months of the stories' current articles."""
    ids, keys = sorted(set(items)), sorted(set(story_keys))
    if not ids and not keys:
        return set()
    local = f"to_char(%s AT TIME ZONE 'Asia/Ho_Chi_Minh', '{MONTH_FORMAT}')"
    # one branch per way in, each an index look-up (an OR across them was planned as a scan)
    cur.execute(
        f"""SELECT {local % "n.published_at"} FROM process.normalized_item n
             WHERE n.item_id = ANY(%(ids)s) AND n.published_at IS NOT NULL
            UNION
            SELECT {local % "n.published_at"} FROM process.item_story s
              JOIN process.normalized_item n USING (item_id)
             WHERE s.story_key = ANY(%(keys)s) AND n.published_at IS NOT NULL
            UNION
            SELECT story_month FROM integration.article WHERE story_key = ANY(%(keys)s)
            UNION
            SELECT {local % "published_at"} FROM integration.article_source
             WHERE story_key = ANY(%(keys)s) AND published_at IS NOT NULL""",
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
