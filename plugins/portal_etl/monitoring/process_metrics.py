"""Per-source outcomes of an integrate run: what happened to the items of its interval.

Counted from the state the run left (not summed from stage counters), so a retried or re-run
task records the same figures again instead of adding to them.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from portal_etl.db import transaction
from portal_etl.monitoring.logtable import format_metrics

log = logging.getLogger("portal_etl.process.metrics")

COLUMNS = ("processed", "duplicates", "approved", "rejected", "review", "loaded")

_OUTCOMES_SQL = """
WITH items AS (
    SELECT n.item_id, n.source_id, n.published_at, s.story_key
      FROM process.normalized_item n
      JOIN staging.item i USING (item_id)
      LEFT JOIN process.item_story s USING (item_id)
     WHERE i.status = 'staged' AND n.published_at >= %(start)s AND n.published_at < %(end)s
), representative AS (  -- the article's primary, else the story's earliest member
    SELECT DISTINCT ON (s.story_key) s.story_key, COALESCE(a.primary_item_id, s.item_id) AS item_id,
           count(*) OVER (PARTITION BY s.story_key) AS members
      FROM process.item_story s
      JOIN process.normalized_item n USING (item_id)
      LEFT JOIN integration.article a ON a.story_key = s.story_key
     WHERE s.story_key IN (SELECT story_key FROM items)
     ORDER BY s.story_key, n.published_at NULLS LAST, s.item_id
)
SELECT it.source_id,
       count(*),
       count(*) FILTER (WHERE r.members > 1 AND r.item_id <> it.item_id),
       count(*) FILTER (WHERE d.outcome = 'approved'),
       count(*) FILTER (WHERE d.outcome = 'rejected'),
       count(*) FILTER (WHERE d.outcome = 'needs_review'),
       count(*) FILTER (WHERE a.primary_item_id = it.item_id)
  FROM items it
  LEFT JOIN representative r USING (story_key)
  LEFT JOIN process.decision d ON d.item_id = it.item_id
  LEFT JOIN integration.article a ON a.story_key = it.story_key
 GROUP BY it.source_id
"""


def record_process_metrics(
    start: datetime,
    end: datetime,
    *,
    dag_id: str,
    run_id: str,
    started_at: datetime,
    source_ids: list[str],
    dsn: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Upsert one ``process.run_metrics`` row per source (zeros for a source with no items)."""
    with transaction(dsn, "portal-etl-process-metrics") as conn, conn.cursor() as cur:
        cur.execute(_OUTCOMES_SQL, {"start": start, "end": end})
        found = {row[0]: dict(zip(COLUMNS, row[1:], strict=True)) for row in cur.fetchall()}
        result = {}
        for source_id in sorted(set(source_ids) | set(found)):
            counts = found.get(source_id, dict.fromkeys(COLUMNS, 0))
            cur.execute(
                f"""INSERT INTO process.run_metrics (dag_id, run_id, source_id, interval_start, interval_end,
                           {", ".join(COLUMNS)}, started_at, finished_at)
                    VALUES (%s, %s, %s, %s, %s, {", ".join(["%s"] * len(COLUMNS))}, %s, clock_timestamp())
                    ON CONFLICT (dag_id, run_id, source_id) DO UPDATE SET
                      {", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS)},
                      interval_start = EXCLUDED.interval_start, interval_end = EXCLUDED.interval_end,
                      finished_at = EXCLUDED.finished_at
                    RETURNING finished_at - started_at""",
                (dag_id, run_id, source_id, start, end, *(counts[c] for c in COLUMNS), started_at),
            )
            result[source_id] = {**counts, "duration": cur.fetchone()[0]}
    for source_id, counts in result.items():
        log.info("%s", format_metrics(f"run metrics — {source_id} — processing", counts))
    return {k: {**v, "duration": v["duration"].total_seconds()} for k, v in result.items()}
