"""``integration.month_summary``: per local month, channel and item type, what was published and
what became of it — kept current from the database's own record of changes, so the monthly
report reads one small table.

Why a summary table rather than querying the processing tables at report time: the report must
read only the integration store, and a month's figures cost a few rows instead of a scan of
history.

How it is kept (one path). Each staged item and each integrated story has one narrow "fact" row
(``integration.month_summary_item`` / ``_story``, sql/016): what the count needs of it (month,
channel, type, publish time, decision, merged or not; the story's month, primary channel, type
and English origin). Statement-level triggers on every table a fact comes from queue the keys
whose inputs changed. :func:`refresh_month_summary` first recomputes the queued keys' facts
(look-ups by key, so the cost follows the batch of changes), then aggregates the months whose
facts changed, and any months asked for, from the facts alone (one index range of narrow rows
per month). No writer has to say which months it touched: the load and the translate step call
it with no months; the report asks for the months it reads, whose ``published_before_window``
depends on the registry rather than on the database. Why not add and subtract the changes in the
summary rows themselves: a month rebuilt from facts cannot drift from a recount
(tests/test_month_summary_facts.py).

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

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from portal_etl import dates
from portal_etl.months import LOCAL_TZ
from portal_etl.registry import Registry, load_usable_registry
from portal_etl.registry.schema import Approval

log = logging.getLogger("portal_etl.reporting.summary")


# The facts (sql/016): table, key, the other columns, the view that derives them, the queue.
_FACTS = {
    "item": ("integration.month_summary_item", "item_id",
             ("month", "source_id", "item_type", "published_at", "outcome", "reason", "merged"),
             "integration.month_summary_item_derived", "integration.month_summary_dirty_item"),
    "story": ("integration.month_summary_story", "story_key",
              ("month", "source_id", "item_type", "english_origin"),
              "integration.month_summary_story_derived", "integration.month_summary_dirty_story"),
}  # fmt: skip

# Recompute the facts of some keys, writing only rows that differ; returns the months of every
# fact removed, added or changed (old and new month). ``gone`` and ``put`` touch disjoint keys, so
# their order does not matter; the main query's read of the fact table sees it as it was before
# the statement (the old months). Every join is driven by the keys and looked up by index: the
# key list is joined to the view (a key without a row there has lost its fact), the changed rows
# to the table by primary key.
_RECOMPUTE_KEYS = """
WITH fresh AS MATERIALIZED (
    SELECT k.wanted, v.{key}, {v_cols}
      FROM unnest(%(keys)s::{key_type}[]) AS k(wanted) LEFT JOIN {view} v ON v.{key} = k.wanted
), gone AS (
    DELETE FROM {table} f USING fresh x WHERE x.{key} IS NULL AND f.{key} = x.wanted
    RETURNING f.month
), put AS (
    INSERT INTO {table} AS f ({key}, {cols}) SELECT {key}, {cols} FROM fresh WHERE {key} IS NOT NULL
    ON CONFLICT ({key}) DO UPDATE SET {assign}
     WHERE ({old}) IS DISTINCT FROM ({new})
    RETURNING f.{key}, f.month
)
SELECT month FROM gone
UNION SELECT month FROM put
UNION SELECT o.month FROM put p JOIN {table} o ON o.{key} = p.{key}
"""
# The same for every key (after a TRUNCATE of a source table): one pass over each table, hashed.
_RECOMPUTE_ALL = """
WITH fresh AS MATERIALIZED (
    SELECT {key}, {cols} FROM {view}
), gone AS (
    DELETE FROM {table} f WHERE NOT EXISTS (SELECT 1 FROM fresh x WHERE x.{key} = f.{key})
    RETURNING f.month
), put AS (
    INSERT INTO {table} AS f ({key}, {cols}) SELECT {key}, {cols} FROM fresh ORDER BY month
    ON CONFLICT ({key}) DO UPDATE SET {assign}
     WHERE ({old}) IS DISTINCT FROM ({new})
    RETURNING f.{key}, f.month
)
SELECT month FROM gone
UNION SELECT month FROM put
UNION SELECT o.month FROM put p JOIN {table} o ON o.{key} = p.{key}
"""

# One pass over the months' item facts grouped into a few cells (channel, type, decision, before
# the window or not), then rolled up; the story facts give ``integrated`` and the English columns.
_INSERT = """
WITH windows AS (
    SELECT * FROM unnest(%(sources)s::text[], %(windows)s::timestamptz[]) AS w(source_id, window_start)
), cells AS (
    SELECT f.month, f.source_id, f.item_type,
           f.published_at < coalesce(w.window_start, %(default_window)s::timestamptz) AS before_window,
           f.outcome, f.reason, f.merged, count(*) AS n
      FROM integration.month_summary_item f
      LEFT JOIN windows w ON w.source_id = f.source_id
     WHERE f.month = ANY(%(months)s)
     GROUP BY 1, 2, 3, 4, 5, 6, 7
), item_counts AS (
    SELECT month, source_id, item_type,
           sum(n)::bigint AS published,
           coalesce(sum(n) FILTER (WHERE before_window), 0)::bigint AS published_before_window,
           coalesce(sum(n) FILTER (WHERE merged), 0)::bigint AS duplicates_merged,
           coalesce(sum(n) FILTER (WHERE outcome = 'rejected' AND NOT merged), 0)::bigint AS rejected,
           coalesce(sum(n) FILTER (WHERE outcome = 'needs_review'), 0)::bigint AS waiting_review
      FROM cells GROUP BY 1, 2, 3
), reasons AS (
    SELECT month, source_id, item_type, jsonb_object_agg(reason, n ORDER BY reason) AS by_reason
      FROM (SELECT month, source_id, item_type, reason, sum(n)::bigint AS n FROM cells
             WHERE outcome = 'rejected' AND NOT merged GROUP BY 1, 2, 3, 4) x
     GROUP BY 1, 2, 3
), integrated AS (
    SELECT month, source_id, item_type, count(*) AS integrated,
           count(*) FILTER (WHERE english_origin = 'source') AS english_source,
           count(*) FILTER (WHERE english_origin = 'machine') AS english_machine
      FROM integration.month_summary_story
     WHERE month = ANY(%(months)s) GROUP BY 1, 2, 3
)
INSERT INTO integration.month_summary (month, source_id, item_type, published, published_before_window,
                                       integrated, duplicates_merged, rejected, rejected_by_reason, waiting_review,
                                       english_source, english_machine)
SELECT month, source_id, item_type, coalesce(c.published, 0), coalesce(c.published_before_window, 0),
       coalesce(g.integrated, 0), coalesce(c.duplicates_merged, 0), coalesce(c.rejected, 0),
       coalesce(r.by_reason, '{}'::jsonb), coalesce(c.waiting_review, 0),
       coalesce(g.english_source, 0), coalesce(g.english_machine, 0)
  FROM item_counts c
  FULL JOIN integrated g USING (month, source_id, item_type)
  LEFT JOIN reasons r USING (month, source_id, item_type)
 ORDER BY 1, 2, 3
"""
# Months: below this many, one statement each (the planner reads each month through the facts'
# month index); from it, one statement over all of them (the planner may scan the facts once).
# Both write the same rows (tests/test_report.py compares them).
ONE_STATEMENT_FROM = 6


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
    cur.execute(
        "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names), [v for n in names for v in (n, settings[n])]
    )
    yield
    cur.execute(
        "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names), [v for n in names for v in (n, previous[n])]
    )


def _recompute(cur, kind: str, keys: list | None) -> set[str]:
    """Recompute the ``kind`` facts of ``keys`` (None: of every key); the months that changed."""
    table, key, cols, view, _queue = _FACTS[kind]
    by_key = keys is not None
    statement = (_RECOMPUTE_KEYS if by_key else _RECOMPUTE_ALL).format(
        key=key,
        key_type="bigint" if key == "item_id" else "text",
        cols=", ".join(cols),
        v_cols=", ".join(f"v.{c}" for c in cols),
        view=view,
        table=table,
        assign=", ".join(f"{c} = EXCLUDED.{c}" for c in cols),
        old=", ".join(f"f.{c}" for c in cols),
        new=", ".join(f"EXCLUDED.{c}" for c in cols),
    )
    # by key: a batch is small next to the tables, so each key is looked up by index (cost-based
    # hash joins read every decision and article_source row for a month's items: 22 s instead of
    # 1.1 s at 10M articles before sql/016); all keys: one pass over each table, hashed
    settings = {"jit": "off", "enable_hashjoin": "off", "enable_mergejoin": "off"} if by_key else {"jit": "off"}
    with local_settings(cur, settings):
        cur.execute(statement, {"keys": keys})
        return {row[0] for row in cur.fetchall()}


def update_facts(cur) -> set[str]:
    """Empty the queues of changed keys and recompute their facts; returns the months whose facts
    changed (before or after). A queued NULL (a TRUNCATE of a source table) recomputes every key.

    Keys queued by transactions not yet committed are not seen, and stay queued for a later
    refresh: their facts are recomputed after they commit."""
    changed: set[str] = set()
    for kind, (_table, key, _cols, _view, queue) in _FACTS.items():
        cur.execute(f"DELETE FROM {queue} RETURNING {key}")
        queued = {row[0] for row in cur.fetchall()}
        if not queued:
            continue
        changed |= _recompute(cur, kind, None if None in queued else sorted(queued))
    return changed


def refresh_month_summary(cur, months: Iterable[str], registry: Registry | None = None) -> int:
    """Recompute the summary rows of ``months`` ('YYYY-MM', local) in the caller's transaction,
    after bringing the facts of changed items and stories up to date; every month whose facts
    changed is recomputed too (so no month is left stale, whoever asks).

    Rows of other months are not touched; returns the number of rows written."""
    changed = update_facts(cur)
    wanted = sorted(set(months) | changed)
    if not wanted:
        return 0
    reg = registry if registry is not None else load_usable_registry()
    sources, windows = _windows(reg)
    cur.execute("DELETE FROM integration.month_summary WHERE month = ANY(%s)", (wanted,))
    written = 0
    together = len(wanted) >= ONE_STATEMENT_FROM
    with local_settings(cur, {"jit": "off"}):  # compiling costs more than these statements take
        for span in [wanted] if together else [[m] for m in wanted]:
            cur.execute(
                _INSERT,
                {
                    "months": span,
                    "sources": sources,
                    "windows": windows,
                    "default_window": dates.local_midnight(Approval().window_start, LOCAL_TZ),
                },
            )
            written += cur.rowcount
    return written
