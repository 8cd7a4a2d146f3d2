"""Reads and writes of the staging schema. Every write is an upsert so re-runs add nothing."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
from datetime import datetime
from typing import Any

from psycopg2.extras import Json, execute_values

from portal_etl.models import ExtractedItem, FeedEntry, ListEntry, ParseError
from portal_etl.normalize.text import nfc
from portal_etl.registry import Registry


def sync_sources(cur, registry: Registry) -> None:
    """Mirror the registry into staging.source so SQL readers see names and live dates."""
    rows = [
        (
            s.id,
            s.name,
            s.base_url,
            s.adapter,
            s.live_since,
            Json(s.model_dump(mode="json")),
        )
        for s in registry.sources
    ]
    execute_values(
        cur,
        """INSERT INTO staging.source (source_id, display_name, base_url, adapter, live_since, config)
           VALUES %s
           ON CONFLICT (source_id) DO UPDATE SET
             display_name = EXCLUDED.display_name, base_url = EXCLUDED.base_url,
             adapter = EXCLUDED.adapter, live_since = EXCLUDED.live_since,
             config = EXCLUDED.config, updated_at = now()
           WHERE (staging.source.display_name, staging.source.base_url, staging.source.adapter,
                  staging.source.live_since, staging.source.config)
             IS DISTINCT FROM (EXCLUDED.display_name, EXCLUDED.base_url, EXCLUDED.adapter,
                  EXCLUDED.live_since, EXCLUDED.config)""",
        rows,
    )


# Raw captures and conditional-GET state ------------------------------------------------------


def save_capture(cur, content: bytes, content_type: str | None) -> str:
    sha = hashlib.sha256(content).hexdigest()
    cur.execute(
        """INSERT INTO staging.raw_capture (sha256, content_gz, size_bytes, content_type)
           VALUES (%s, %s, %s, %s) ON CONFLICT (sha256) DO NOTHING""",
        (sha, gzip.compress(content, compresslevel=6, mtime=0), len(content), content_type),
    )
    return sha


def load_capture(cur, sha256: str) -> tuple[bytes, str | None] | None:
    cur.execute("SELECT content_gz, content_type FROM staging.raw_capture WHERE sha256 = %s", (sha256,))
    row = cur.fetchone()
    if row is None:
        return None
    return gzip.decompress(bytes(row[0])), row[1]


def load_page_state(cur, url: str) -> dict[str, Any] | None:
    cur.execute(
        """SELECT etag, last_modified, content_sha256, last_status, last_fetched_at, final_url
             FROM staging.page_state WHERE url = %s""",
        (url,),
    )
    row = cur.fetchone()
    if row is None:
        return None
    return dict(
        zip(
            ("etag", "last_modified", "content_sha256", "last_status", "last_fetched_at", "final_url"), row, strict=True
        )
    )


def load_stability(cur, urls: list[str]) -> dict[str, dict[str, Any]]:
    """For each URL fetched before: the run of fetches that found the same content (sql/020)."""
    if not urls:
        return {}
    cur.execute(
        """SELECT url, stable_fetches, stable_since, stable_confirmed_at
             FROM staging.page_state WHERE url = ANY(%s)""",
        (urls,),
    )
    return {row[0]: {"fetches": row[1], "since": row[2], "confirmed_at": row[3]} for row in cur.fetchall()}


def record_stability(cur, url: str, *, same_content: bool | None, at: datetime) -> None:
    """After an article fetch: ``True`` the content was as before (the run grows), ``False`` it is
    new or changed (a run starts at 1), ``None`` the page failed or did not parse (no run)."""
    if same_content is None:
        cur.execute(
            """UPDATE staging.page_state SET stable_fetches = 0, stable_since = NULL, stable_confirmed_at = NULL
                WHERE url = %s AND stable_fetches <> 0""",
            (url,),
        )
        return
    cur.execute(
        """UPDATE staging.page_state
              SET stable_fetches = CASE WHEN %(same)s AND stable_since IS NOT NULL THEN stable_fetches + 1 ELSE 1 END,
                  stable_since = CASE WHEN %(same)s AND stable_since IS NOT NULL THEN stable_since ELSE %(at)s END,
                  stable_confirmed_at = %(at)s
            WHERE url = %(url)s""",
        {"same": same_content, "at": at, "url": url},
    )


def save_page_state(
    cur,
    url: str,
    source_id: str,
    *,
    etag: str | None,
    last_modified: str | None,
    content_sha256: str | None,
    status: int | None,
    fetched_at: datetime,
    final_url: str | None = None,
) -> None:
    cur.execute(
        """INSERT INTO staging.page_state
             (url, source_id, etag, last_modified, content_sha256, last_status, last_fetched_at, final_url)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
           ON CONFLICT (url) DO UPDATE SET etag = EXCLUDED.etag,
             last_modified = EXCLUDED.last_modified, content_sha256 = EXCLUDED.content_sha256,
             last_status = EXCLUDED.last_status, last_fetched_at = EXCLUDED.last_fetched_at,
             final_url = EXCLUDED.final_url""",
        (url, source_id, etag, last_modified, content_sha256, status, fetched_at, final_url),
    )


def record_fetch_event(cur, run_id: str, source_id: str, purpose: str, result, outcome: str | None = None) -> None:
    cur.execute(
        """INSERT INTO staging.fetch_event (run_id, source_id, url, final_url, purpose, status,
             outcome, bytes, duration_ms, attempts, content_sha256, error)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
        (
            run_id,
            source_id,
            result.url,
            result.final_url,
            purpose,
            result.status,
            outcome or result.outcome,
            result.bytes_read,
            result.duration_ms,
            result.attempts,
            result.sha256,
            result.error,
        ),
    )


# List entries ------------------------------------------------------------------------------


def upsert_list_entries(cur, source_id: str, section: str, entries: list[ListEntry]) -> None:
    if not entries:
        return
    rows = {e.url: (source_id, e.url, section, nfc(e.title), e.published_at, e.date_only, e.native_id) for e in entries}
    execute_values(
        cur,
        """INSERT INTO staging.list_entry
             (source_id, url, section, title, listed_at, listed_date_only, native_id)
           VALUES %s
           ON CONFLICT (source_id, url) DO UPDATE SET section = EXCLUDED.section,
             title = EXCLUDED.title, listed_at = EXCLUDED.listed_at,
             listed_date_only = EXCLUDED.listed_date_only, native_id = EXCLUDED.native_id
           WHERE (staging.list_entry.section, staging.list_entry.title,
                  staging.list_entry.listed_at, staging.list_entry.native_id)
             IS DISTINCT FROM (EXCLUDED.section, EXCLUDED.title, EXCLUDED.listed_at,
                  EXCLUDED.native_id)""",
        list(rows.values()),
    )


def list_candidates(cur, source_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Article URLs that list pages dated inside [start, end), oldest first."""
    cur.execute(
        """SELECT url, section, title, listed_at, listed_date_only, native_id
             FROM staging.list_entry
            WHERE source_id = %s AND listed_at >= %s AND listed_at < %s
            ORDER BY listed_at, url""",
        (source_id, start, end),
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# Feed entries ------------------------------------------------------------------------------


def upsert_feed_entries(cur, source_id: str, entries: list[FeedEntry]) -> None:
    if not entries:
        return
    rows = {e.url: (source_id, e.url, e.guid, nfc(e.title), e.published_hour_utc) for e in entries}
    execute_values(
        cur,
        """INSERT INTO staging.feed_entry (source_id, url, guid, title, published_hour_utc)
           VALUES %s
           ON CONFLICT (source_id, url) DO UPDATE SET guid = EXCLUDED.guid, title = EXCLUDED.title,
             published_hour_utc = EXCLUDED.published_hour_utc
           WHERE (staging.feed_entry.guid, staging.feed_entry.title, staging.feed_entry.published_hour_utc)
             IS DISTINCT FROM (EXCLUDED.guid, EXCLUDED.title, EXCLUDED.published_hour_utc)""",
        list(rows.values()),
    )


def feed_entry_for(cur, source_id: str, url: str) -> FeedEntry | None:
    cur.execute(
        "SELECT url, title, guid, published_hour_utc FROM staging.feed_entry WHERE source_id = %s AND url = %s",
        (source_id, url),
    )
    row = cur.fetchone()
    return FeedEntry(url=row[0], title=row[1], guid=row[2], published_hour_utc=row[3]) if row else None


# Staged items ------------------------------------------------------------------------------


def _item_fields(item: ExtractedItem) -> dict[str, Any]:
    return {
        "canonical_url": item.canonical_url,
        "native_id": item.native_id,
        "title": nfc(item.title),
        "sapo": nfc(item.sapo),
        "body_text": nfc(item.body_text),
        "body_html": nfc(item.body_html),
        "published_at": item.published_at,
        "author": nfc(item.author),
        "section": item.section,
        "item_type": item.item_type,
        "language": item.language,
        "tags": [nfc(t) for t in item.tags],
        "images": [{"src": i.src, "caption": nfc(i.caption)} for i in item.images],
        "video_url": item.video_url,
    }


def _provenance(outcome: ExtractedItem | ParseError) -> dict[str, dict]:
    if isinstance(outcome, ParseError):
        return {"field_sources": {}, "field_confidence": {}}
    return {
        "field_sources": dict(sorted(outcome.field_sources.items())),
        "field_confidence": dict(sorted(outcome.field_confidence.items())),
    }


def _content_hash(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def staged_raw_sha(cur, source_id: str, page_url: str) -> str | None:
    cur.execute(
        "SELECT raw_sha256 FROM staging.item WHERE source_id = %s AND page_url = %s",
        (source_id, page_url),
    )
    row = cur.fetchone()
    return row[0] if row else None


def upsert_item(
    cur,
    source_id: str,
    page_url: str,
    outcome: ExtractedItem | ParseError,
    raw_sha256: str | None,
) -> str:
    """Stage one page. Returns 'new', 'updated', 'unchanged' or 'kept'.

    An unchanged page leaves its row untouched (same xmin), which is what makes a re-run of
    an interval a no-op. A page that no longer parses never replaces a staged item ('kept'):
    a site redesign must not erase what was collected; ``record_parse_failure`` keeps the
    evidence and the health check raises the alarm.
    """
    if isinstance(outcome, ParseError):
        fields: dict[str, Any] = {
            "status": "parse_error",
            "parse_error": outcome.reason,
            "parse_error_detail": nfc(outcome.detail)[:2000],
        }
        fields.update(
            {
                k: None
                for k in (
                    "canonical_url",
                    "native_id",
                    "title",
                    "sapo",
                    "body_text",
                    "body_html",
                    "published_at",
                    "author",
                    "section",
                    "item_type",
                    "language",
                    "video_url",
                )
            }
        )
        fields.update({"tags": [], "images": []})
    else:
        fields = {"status": "staged", "parse_error": None, "parse_error_detail": None}
        fields.update(_item_fields(outcome))
    content_hash = _content_hash(fields)
    # how each field was found is provenance, not content: a redesign that changes the methods
    # but not the text must not make every item "updated" (and reprocessed); it is refreshed below
    provenance = _provenance(outcome)
    fields.update(provenance)
    fields["raw_sha256"] = raw_sha256
    fields["content_hash"] = content_hash
    columns = list(fields)
    values = [Json(v) if k in ("images", "field_sources", "field_confidence") else v for k, v in fields.items()]
    assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)
    cur.execute(
        f"""INSERT INTO staging.item (source_id, page_url, {", ".join(columns)})
            VALUES (%s, %s, {", ".join(["%s"] * len(columns))})
            ON CONFLICT (source_id, page_url) DO UPDATE SET {assignments}, updated_at = now()
            WHERE staging.item.content_hash IS DISTINCT FROM EXCLUDED.content_hash
              AND NOT (EXCLUDED.status = 'parse_error' AND staging.item.status = 'staged')
            RETURNING (xmax = 0) AS inserted""",
        [source_id, page_url, *values],
    )
    row = cur.fetchone()
    if row is None and not isinstance(outcome, ParseError):
        cur.execute(
            """UPDATE staging.item SET field_sources = %s, field_confidence = %s
                WHERE source_id = %s AND page_url = %s AND status = 'staged'
                  AND (field_sources IS DISTINCT FROM %s OR field_confidence IS DISTINCT FROM %s)""",
            [
                Json(provenance["field_sources"]),
                Json(provenance["field_confidence"]),
                source_id,
                page_url,
                Json(provenance["field_sources"]),
                Json(provenance["field_confidence"]),
            ],
        )
    if row is None:
        if isinstance(outcome, ParseError):
            cur.execute("SELECT status FROM staging.item WHERE source_id = %s AND page_url = %s", (source_id, page_url))
            if cur.fetchone()[0] == "staged":
                return "kept"
        return "unchanged"
    return "new" if row[0] else "updated"


def record_parse_failure(
    cur, run_id: str, source_id: str, page_url: str, error: ParseError, raw_sha256: str | None
) -> None:
    """One row per page and run that did not parse: what a health alert points the engineer at."""
    cur.execute(
        """INSERT INTO staging.parse_failure (run_id, source_id, page_url, reason, detail, raw_sha256)
           VALUES (%s, %s, %s, %s, %s, %s)
           ON CONFLICT (run_id, source_id, page_url) DO UPDATE SET reason = EXCLUDED.reason,
             detail = EXCLUDED.detail, raw_sha256 = EXCLUDED.raw_sha256, at = now()""",
        (run_id, source_id, page_url, error.reason, nfc(error.detail)[:2000], raw_sha256),
    )


# Run metrics -------------------------------------------------------------------------------

METRIC_COLUMNS = (
    "list_pages",
    "list_pages_reused",
    "listed",
    "fetched",
    "not_modified",
    "unchanged",
    "parsed",
    "parse_errors",
    "fetch_errors",
    "new_items",
    "updated_items",
    "hint_misses",
    "pages_with_hint_misses",
    "list_hint_misses",
    "articles_settled",
    # the list walk's evidence (sql/019): what tells a quiet month from a broken source
    "list_entries",
    "list_entries_before_window",
    "list_entries_after_window",
    "list_fetch_errors",
    "sections_walked",
    "sections_cut_short",
)
# Counters the discover step writes; every other metric column belongs to the fetch step.
DISCOVER_COLUMNS = frozenset(
    {
        "list_pages",
        "list_pages_reused",
        "listed",
        "list_hint_misses",
        "list_entries",
        "list_entries_before_window",
        "list_entries_after_window",
        "list_fetch_errors",
        "sections_walked",
        "sections_cut_short",
    }
)
# Not counters but sizes of a set (the interval's distinct candidates): a retry finds the same set
# again, so the run's figure is the largest try's, not the sum.
LARGEST_OF_TRIES = frozenset({"listed"})


def step_columns(step: str) -> tuple[str, ...]:
    """The metric columns one ingest step counts (``discover`` or ``fetch``)."""
    if step == "discover":
        return tuple(c for c in METRIC_COLUMNS if c in DISCOVER_COLUMNS)
    return tuple(c for c in METRIC_COLUMNS if c not in DISCOVER_COLUMNS)


def record_try_metrics(
    cur,
    *,
    dag_id: str,
    run_id: str,
    source_id: str,
    interval_start: datetime,
    interval_end: datetime,
    step: str,
    try_number: int,
    counts: dict[str, int],
    finished: bool = False,
) -> None:
    """Store what one try of one step has counted so far, then the run's totals over all tries.

    Called in the transaction of each page the counts describe, so a try that dies keeps exactly
    what it committed, and ``staging.run_metrics`` always adds up over the run's tries (sql/019)."""
    unknown = set(counts) - set(step_columns(step))
    if unknown:
        raise ValueError(f"unknown metric columns for step {step}: {sorted(unknown)}")
    now = datetime.now().astimezone()
    cur.execute(
        """INSERT INTO staging.run_metrics_try (dag_id, run_id, source_id, step, try_number, counts, finished_at)
           VALUES (%s, %s, %s, %s, %s, %s, %s)
           ON CONFLICT (dag_id, run_id, source_id, step, try_number) DO UPDATE SET counts = EXCLUDED.counts,
             updated_at = now(),
             finished_at = COALESCE(EXCLUDED.finished_at, staging.run_metrics_try.finished_at)""",
        (dag_id, run_id, source_id, step, try_number, Json(counts), now if finished else None),
    )
    totals = ", ".join(
        f"COALESCE({'max' if c in LARGEST_OF_TRIES else 'sum'}((counts->>'{c}')::integer), 0)" for c in METRIC_COLUMNS
    )
    cur.execute(
        f"""INSERT INTO staging.run_metrics AS m (dag_id, run_id, source_id, interval_start, interval_end, tries,
                   {", ".join(METRIC_COLUMNS)}, finished_at)
            SELECT %(dag_id)s, %(run_id)s, %(source_id)s, %(start)s, %(end)s, max(try_number), {totals},
                   %(finished_at)s
              FROM staging.run_metrics_try
             WHERE dag_id = %(dag_id)s AND run_id = %(run_id)s AND source_id = %(source_id)s
            ON CONFLICT (dag_id, run_id, source_id) DO UPDATE SET interval_end = EXCLUDED.interval_end,
              tries = EXCLUDED.tries, {", ".join(f"{c} = EXCLUDED.{c}" for c in METRIC_COLUMNS)},
              finished_at = COALESCE(EXCLUDED.finished_at, m.finished_at)""",
        {
            "dag_id": dag_id,
            "run_id": run_id,
            "source_id": source_id,
            "start": interval_start,
            "end": interval_end,
            "finished_at": now if finished else None,
        },
    )


def read_try_metrics(cur, dag_id: str, run_id: str, source_id: str) -> list[dict[str, Any]]:
    """Each try of each step of one run, in order: what the run's totals are the sum of."""
    cur.execute(
        """SELECT step, try_number, counts, started_at, finished_at FROM staging.run_metrics_try
            WHERE dag_id = %s AND run_id = %s AND source_id = %s
            ORDER BY try_number, step = 'fetch', started_at""",
        (dag_id, run_id, source_id),
    )
    return [
        dict(zip(("step", "try_number", "counts", "started_at", "finished_at"), r, strict=True)) for r in cur.fetchall()
    ]


def read_metrics(cur, dag_id: str, run_id: str, source_id: str) -> dict[str, Any] | None:
    cur.execute(
        "SELECT * FROM staging.run_metrics WHERE dag_id = %s AND run_id = %s AND source_id = %s",
        (dag_id, run_id, source_id),
    )
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def as_dict(obj: Any) -> dict[str, Any]:
    return dataclasses.asdict(obj)
