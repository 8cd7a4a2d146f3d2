"""Report: latency of the monthly report payload and the cost of refreshing one month's summary,
over synthetic stores of 10⁵–10⁶ integrated rows.

The store is generated in SQL (``generate_series``) in a scratch database: staged items, their
normalised rows, decisions, articles (85 % of items), article sources (primaries and merged
duplicates, 5 %), rejections (5 %) and items waiting for review (5 %), over the 120 months
2015-01 … 2024-12 of the registry's three channels, with short bodies. Foreign-key triggers are
off while generating (the rows are consistent by construction); CHECK constraints and indexes
stay. The figures do not follow the policy (an item before the integration window may be
"approved"): they exist to be timed, not read.

The generated rows bypass every trigger (``session_replication_role = replica``), so the
summary's facts (sql/016) start empty, as in a database that had data before they existed; they
are built as sql/016 builds them on such a database (one INSERT … SELECT from each derived view),
then every month is aggregated by ``refresh_month_summary`` (timed together, reported as
``build_facts_and_120_months_s``), then ``VACUUM ANALYZE`` of the fact tables (untimed:
autovacuum's work, off on this server).

Measured, with the registry's three channels:

* ``reporting.summary.refresh_month_summary`` for one month (2024-11), committed, after a batch of
  changes written untimed with the triggers on: the items published on one local day of the
  month rejected by an editor, and an English machine translation stored for that day's articles
  (the triggers queue ~1/30 of the month's items and stories: what a daily load or translate run
  changes). Timed: recomputing the queued items' and stories' facts from the processing tables,
  then aggregating the month from the facts, then COMMIT. Median of several runs, a different day
  each;
* the same refresh with nothing queued (the aggregation alone), and after a batch of ten days'
  changes: the two give the cost per item in the month and per changed key;
* ``reporting.payload.build_payload`` for that month — what the report DAG and
  ``portal-etl report`` do; median of several runs.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
from datetime import timedelta

from bench.common import BenchContext, Result

SECTION = "report"
TARGET_REPORT_MS = 20.0
TARGET_REFRESH_S = 0.1
SIZES = {"quick": (100_000,), "full": (1_000_000, 10_000_000)}  # 10M: ~30 min and ~20 GB to generate here
MONTH = "2024-11"
FIRST, LAST = "2015-01", "2024-12"
ARTICLE_SHARE = 0.85
BYTES_PER_ROW = 2_000  # measured ~1.75 kB per generated item (all tables and indexes); with margin
REPEAT = {"quick": (3, 10), "full": (3, 20)}  # (refresh runs, payload runs)

_GEN = """CREATE TEMP TABLE gen AS SELECT g AS item_id,
  (ARRAY['dongnai_party', 'dongnai_gov', 'baodongnai'])[1 + g %% 3] AS source_id,
  (ARRAY['tin', 'bai', 'tin', 'video', 'bai', 'tin'])[1 + (g / 3) %% 6] AS item_type,
  (g * 7919) %% 20 AS role,  -- 0 rejected, 1 merged duplicate of item g-1 (role 2), 3 waiting review
  %(lo)s::timestamptz + ((g - 1)::float8 / %(n)s) * (%(hi)s::timestamptz - %(lo)s::timestamptz) AS published_at,
  md5(g::text) AS h
  FROM generate_series(1::bigint, %(n)s) g"""
_STEPS = (
    """INSERT INTO staging.item (item_id, source_id, page_url, status, canonical_url, title, published_at, item_type,
                                content_hash, section)
       SELECT item_id, source_id, 'https://s.vn/a/' || item_id, 'staged', 'https://s.vn/a/' || item_id,
              'Tin số ' || item_id, published_at, item_type, h, 'tin-tuc' FROM gen""",
    """INSERT INTO process.normalized_item (item_id, source_id, source_content_hash, page_url, canonical_url,
              member_key, title_clean, title_key, sapo_clean, body_text_clean, body_html_sanitized, item_type,
              section, url_key, word_count, playable_video, signature, published_at, published_day_local)
       SELECT item_id, source_id, h, 'https://s.vn/a/' || item_id, 'https://s.vn/a/' || item_id, substr(h, 1, 16),
              'Tin số ' || item_id, 'tin so ' || item_id, '', 'Nội dung ngắn.', '', item_type, 'tin-tuc', h, 400,
              false, '\\x'::bytea, published_at, (published_at AT TIME ZONE integration.local_zone())::date FROM gen""",
    """INSERT INTO process.decision (item_id, outcome, reason, decided_by)
       SELECT item_id, CASE role WHEN 0 THEN 'rejected' WHEN 3 THEN 'needs_review' ELSE 'approved' END,
              CASE role WHEN 0 THEN (ARRAY['too_short', 'section_not_integrated'])[1 + item_id %% 2]
                        WHEN 3 THEN 'possible_duplicate' END, 'policy' FROM gen""",
    "INSERT INTO integration.load_batch (batch_id, dag_id, run_id) VALUES (1, 'bench', 'report')",
    """INSERT INTO integration.article (story_key, title, sapo, body_html, body_text, published_at, story_month,
              item_type, section, primary_source_id, primary_item_id, primary_url, content_hash,
              first_loaded_batch, last_loaded_batch)
       SELECT substr(h, 1, 16), 'Tin số ' || item_id, '', '<p>Nội dung ngắn.</p>', 'Nội dung ngắn.', published_at,
              integration.local_month(published_at), item_type, 'tin-tuc', source_id,
              item_id, 'https://s.vn/a/' || item_id, h || h, 1, 1
         FROM gen WHERE role NOT IN (0, 1, 3)""",
    """INSERT INTO integration.article_source (source_id, url, story_key, item_id, canonical_url, is_primary,
              outcome, published_at)
       SELECT source_id, 'https://s.vn/a/' || item_id,
              substr(CASE role WHEN 1 THEN md5((item_id - 1)::text) ELSE h END, 1, 16), item_id,
              'https://s.vn/a/' || item_id, role <> 1, 'approved', published_at
         FROM gen WHERE role NOT IN (0, 3)""",
    "DROP TABLE gen",
)


def generate(conn, items: int, registry) -> dict:
    """Fill the scratch store with ``items`` items; returns row counts, bytes and seconds."""
    from portal_etl.db.staging import sync_sources
    from portal_etl.months import Month

    conn.autocommit = True
    started = time.perf_counter()
    with conn.cursor() as cur:
        sync_sources(cur, registry)
        cur.execute("SET session_replication_role = replica")  # no FK triggers: consistent by construction
        params = {"n": items, "lo": Month.parse(FIRST).start, "hi": Month.parse(LAST).end}
        cur.execute(_GEN, params)
        for sql in _STEPS:
            cur.execute(sql, params)
        cur.execute("SET session_replication_role = DEFAULT")
        cur.execute("ANALYZE")
        cur.execute("SELECT (SELECT count(*) FROM integration.article), pg_database_size(current_database())")
        articles, size = cur.fetchone()
    conn.autocommit = False
    return {
        "items": items,
        "articles": articles,
        "db_bytes": size,
        "generate_s": round(time.perf_counter() - started, 1),
    }


def _change_days(cur, days: range) -> dict:
    """Untimed: an editor rejects the approved items published on these local days of MONTH, and
    their articles get an English machine translation (each write queues keys through sql/016's
    triggers). Returns the queued counts."""
    from portal_etl.months import Month

    start = Month.parse(MONTH).start
    lo, hi = start + timedelta(days=days.start - 1), start + timedelta(days=days.stop - 1)
    cur.execute(
        """UPDATE process.decision d SET outcome = 'rejected', reason = 'editor', decided_by = 'bench'
                     FROM process.normalized_item n
                    WHERE n.item_id = d.item_id AND n.published_at >= %s AND n.published_at < %s
                      AND d.outcome = 'approved'""",
        (lo, hi),
    )
    cur.execute(
        """INSERT INTO integration.article_translation (story_key, language, origin, title, sapo, body_html,
                          engine, model, translated_at, article_content_hash, content_hash)
                   SELECT story_key, 'en', 'machine', 'News ' || primary_item_id, '', '<p>News.</p>', 'bench',
                          'bench', now(), content_hash, content_hash
                     FROM integration.article WHERE published_at >= %s AND published_at < %s
                   ON CONFLICT DO NOTHING""",
        (lo, hi),
    )
    cur.execute(
        "SELECT (SELECT count(DISTINCT item_id) FROM integration.month_summary_dirty_item), "
        "(SELECT count(DISTINCT story_key) FROM integration.month_summary_dirty_story)"
    )
    items, stories = cur.fetchone()
    return {"queued_items": items, "queued_stories": stories}


def measure(ctx: BenchContext, dsn: str, items: int, registry) -> dict:
    import psycopg2

    from portal_etl.reporting.payload import build_payload, months_between, read_summary
    from portal_etl.reporting.summary import refresh_month_summary

    conn = psycopg2.connect(dsn, options="-c timezone=UTC")
    try:
        info = generate(conn, items, registry)
        with conn.cursor() as cur:
            with ctx.timer() as t_all:  # every fact built from its sources (as sql/016 does), every month
                for kind in ("item", "story"):
                    cur.execute(
                        f"INSERT INTO integration.month_summary_{kind} "
                        f"SELECT * FROM integration.month_summary_{kind}_derived ORDER BY month"
                    )
                refresh_month_summary(cur, months_between(FIRST, LAST), registry)
                conn.commit()
            conn.autocommit = True
            cur.execute("VACUUM ANALYZE integration.month_summary_item, integration.month_summary_story")
            conn.autocommit = False
            refresh_runs, payload_runs = REPEAT[ctx.mode]
            refresh, batches = [], []
            for run in range(refresh_runs):  # one day's changes each, a different day each run
                batches.append(_change_days(cur, range(run + 1, run + 2)))
                conn.commit()
                with ctx.timer() as t:
                    refresh_month_summary(cur, [MONTH], registry)
                    conn.commit()
                refresh.append(t.wall)
            aggregate_only = []
            for _ in range(refresh_runs):  # nothing queued: the month's aggregation alone
                with ctx.timer() as t:
                    refresh_month_summary(cur, [MONTH], registry)
                    conn.commit()
                aggregate_only.append(t.wall)
            ten_days, ten_day_batches = [], []
            for first in (11, 21):  # ten days' changes at once (days 11-20, then 21-30)
                ten_day_batches.append(_change_days(cur, range(first, first + 10)))
                conn.commit()
                with ctx.timer() as t:
                    refresh_month_summary(cur, [MONTH], registry)
                    conn.commit()
                ten_days.append(t.wall)
            payload = []
            for _ in range(payload_runs):
                with ctx.timer() as t:
                    built = build_payload(cur, MONTH, registry)
                    conn.commit()
                payload.append(t.wall)
            summary_read = []
            for _ in range(payload_runs):  # the summary read alone: what the payload costs beyond it is the rest
                with ctx.timer() as t:
                    read_summary(cur, FIRST, MONTH)
                    conn.commit()
                summary_read.append(t.wall)
            cur.execute("SELECT count(*) FROM integration.month_summary WHERE month <= %s", (MONTH,))
            summary_rows = cur.fetchone()[0]
            cur.execute(
                "SELECT count(*) FROM process.normalized_item WHERE published_at >= %s AND published_at < %s",
                (built["period"]["start"], built["period"]["end"]),
            )
            month_items = cur.fetchone()[0]
            cur.execute(
                "SELECT pg_total_relation_size('integration.month_summary_item'), "
                "pg_total_relation_size('integration.month_summary_story')"
            )
            fact_bytes = sum(cur.fetchone())
    finally:
        conn.close()
    return {
        **info,
        "build_all_months_s": round(t_all.wall, 3),
        "refresh_runs_s": [round(x, 4) for x in refresh],
        "refresh_batches": batches,
        "aggregate_only_runs_s": [round(x, 4) for x in aggregate_only],
        "ten_day_runs_s": [round(x, 4) for x in ten_days],
        "ten_day_batches": ten_day_batches,
        "fact_tables_mb": round(fact_bytes / 1e6, 1),
        "payload_runs_ms": [round(1000 * x, 2) for x in payload],
        "summary_rows_read": summary_rows,
        "read_summary_median_ms": round(1000 * statistics.median(summary_read), 2),
        "items_in_month": month_items,
        "month_integrated": built["month"]["total"]["integrated"],
    }


def _label(n: int) -> str:
    return f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n // 1000}k"


def run(ctx: BenchContext) -> list[Result]:
    from portal_etl.registry import load_registry

    registry = load_registry()
    results: list[Result] = []
    sizes = SIZES[ctx.mode]
    if os.environ.get("BENCH_REPORT_SIZES"):  # e.g. 1000000 alone: 10M takes most of an hour to generate
        sizes = tuple(int(x) for x in os.environ["BENCH_REPORT_SIZES"].split(","))
    for articles in sizes:
        items = int(articles / ARTICLE_SHARE)
        free = shutil.disk_usage(ctx.work_dir).free
        note = None
        if items * BYTES_PER_ROW * 3 > free:  # keep two thirds of the free space free
            items = int(free / 3 / BYTES_PER_ROW)
            note = f"scaled down to {items:,} items: {free / 1e9:.0f} GB free"
        dsn = ctx.scratch_db("report")
        m = measure(ctx, dsn, items, registry)
        label = _label(m["articles"])
        refresh = statistics.median(m["refresh_runs_s"])
        report_ms = statistics.median(m["payload_runs_ms"])
        detail = {
            **m,
            "months": f"{FIRST}..{LAST}",
            "channels": len(registry.sources),
            "db_mb": round(m["db_bytes"] / 1e6),
        }
        if note:
            detail["note"] = note
        results.append(
            Result(
                SECTION,
                f"monthly report payload latency, {label} integrated rows",
                report_ms,
                "ms",
                target=f"<= {TARGET_REPORT_MS:g} ms",
                met=report_ms <= TARGET_REPORT_MS,
                detail=detail,
            )
        )
        aggregate = statistics.median(m["aggregate_only_runs_s"])
        day_keys = statistics.median(b["queued_items"] + b["queued_stories"] for b in m["refresh_batches"])
        ten_keys = statistics.median(b["queued_items"] + b["queued_stories"] for b in m["ten_day_batches"])
        ten = statistics.median(m["ten_day_runs_s"])
        refresh_detail = {
            "timed": "refresh_month_summary(month) + COMMIT after one local day's changes written untimed "
            "(that day's approved items rejected by an editor, its articles given a machine "
            "translation): recomputing the queued items' and stories' facts, then the month's "
            "aggregation from the facts",
            "items_in_month": m["items_in_month"],
            "refresh_runs_s": m["refresh_runs_s"],
            "refresh_batches": m["refresh_batches"],
            "aggregate_only_runs_s": m["aggregate_only_runs_s"],
            "ten_day_runs_s": m["ten_day_runs_s"],
            "ten_day_batches": m["ten_day_batches"],
            "build_facts_and_120_months_s": m["build_all_months_s"],
            "fact_tables_mb": m["fact_tables_mb"],
            # the aggregation follows the month's size; the facts' recomputation follows the batch
            "us_per_item_in_month": round(1e6 * aggregate / max(m["items_in_month"], 1), 2),
            "us_per_changed_key": round(1e6 * (ten - aggregate) / max(ten_keys, 1), 1),
            "day_batch_keys": day_keys,
            "ten_day_batch_keys": ten_keys,
        }
        results.append(
            Result(
                SECTION,
                f"one month's summary refresh, {label} integrated rows",
                refresh,
                "s",
                target=f"<= {TARGET_REFRESH_S:g} s",
                met=refresh <= TARGET_REFRESH_S,
                detail=refresh_detail,
            )
        )
    return results
