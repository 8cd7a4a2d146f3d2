"""Per-channel counts of staged items for a period: what the ingest command prints at the end."""

from __future__ import annotations

from datetime import date

from portal_etl.db import connect

QUERY = """
SELECT s.source_id, s.display_name,
       count(*) FILTER (WHERE i.status = 'staged')      AS staged,
       count(*) FILTER (WHERE i.status = 'parse_error') AS parse_errors
  FROM staging.source s
  LEFT JOIN staging.item i
    ON i.source_id = s.source_id
   AND (i.published_at AT TIME ZONE integration.local_zone()) >= %(start)s
   AND (i.published_at AT TIME ZONE integration.local_zone()) < %(end)s
 WHERE s.source_id = ANY(%(sources)s)
 GROUP BY s.source_id, s.display_name
 ORDER BY s.source_id
"""

TYPES_QUERY = """
SELECT source_id, item_type, count(*)
  FROM staging.item
 WHERE status = 'staged' AND source_id = ANY(%(sources)s)
   AND (published_at AT TIME ZONE integration.local_zone()) >= %(start)s
   AND (published_at AT TIME ZONE integration.local_zone()) < %(end)s
 GROUP BY source_id, item_type
"""


def staged_counts(source_ids: list[str], start: date, end: date) -> list[dict]:
    """Staged items per channel and type, published in [start, end) local time."""
    params = {"sources": source_ids, "start": start, "end": end}
    conn = connect(application_name="portal-etl-counts")
    try:
        with conn.cursor() as cur:
            cur.execute(QUERY, params)
            rows = [
                {"source_id": r[0], "name": r[1], "staged": r[2], "parse_errors": r[3], "types": {}}
                for r in cur.fetchall()
            ]
            cur.execute(TYPES_QUERY, params)
            by_id = {r["source_id"]: r for r in rows}
            for source_id, item_type, count in cur.fetchall():
                by_id[source_id]["types"][item_type] = count
    finally:
        conn.close()
    return rows


def print_staged_counts(source_ids: list[str], start: date, end: date) -> None:
    rows = staged_counts(source_ids, start, end)
    print(f"\nstaged items published {start:%d-%m-%Y} .. {end:%d-%m-%Y} (exclusive), local time")
    print(f"{'source':<16} {'staged':>7} {'errors':>7}  by type")
    for row in rows:
        types = ", ".join(f"{k} {v}" for k, v in sorted(row["types"].items()))
        print(f"{row['source_id']:<16} {row['staged']:>7} {row['parse_errors']:>7}  {types}")
    total = sum(r["staged"] for r in rows)
    print(f"{'total':<16} {total:>7}")
