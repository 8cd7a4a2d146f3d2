"""Stage 4 — load integrated stories into the integration store, in one transaction per batch.

A story is integrated when at least one member is approved; its primary is the approved member
published earliest, ties by registry channel order, then canonical URL (then item id). The
article's content is the primary's normalised fields. ``integration.article_source`` lists
*every* member of an integrated story (approved, rejected or waiting for review, with its
outcome), so the portal sees every channel page that carried the story. A story without an
approved member has no article: an existing one is removed (its last version kept in
``article_history``).

Upserts are keyed by story_key and write only what differs: an unchanged article keeps its row
version (xmin), so re-running a batch leaves the store byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import Any

from psycopg2.extras import Json, execute_values

from portal_etl.db import LOADER_ROLE, acting_as
from portal_etl.db.bulk_copy import copy_rows
from portal_etl.faults import failpoint
from portal_etl.pipeline.process.common import (
    channel_ranks,
    fetch_dicts,
    get_registry,
    interval_items,
    rank_of,
    run_in_transaction,
    source_tz,
    take_pending,
)
from portal_etl.registry import Registry
from portal_etl.reporting.summary import refresh_month_summary, touched_months

log = logging.getLogger("portal_etl.process.load")

CONTENT_COLUMNS = (
    "title", "sapo", "dateline", "body_html", "body_text", "published_at", "story_month", "item_type",
    "section", "author", "language", "primary_source_id", "primary_item_id", "primary_url",
)  # fmt: skip
SOURCE_COLUMNS = ("source_id", "url", "story_key", "item_id", "canonical_url", "is_primary", "outcome",
                  "published_at")
_CASTS = {"published_at": "::timestamptz", "primary_item_id": "::bigint"}


def content_hash(article: dict[str, Any]) -> str:
    payload = {c: article[c] for c in CONTENT_COLUMNS}
    payload["published_at"] = article["published_at"].astimezone(UTC).isoformat()
    data = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _primary_order(ranks: dict[str, int]):
    def key(m: dict[str, Any]) -> tuple:
        published = m["published_at"]
        return (published is None, published or datetime.min.replace(tzinfo=UTC),
                rank_of(ranks, m["source_id"]), m["canonical_url"], m["item_id"])

    return key


def _affected_keys(cur, items: set[int]) -> set[str]:
    """Story keys the items belong to now or were loaded under, closed over their members."""
    keys: set[str] = set()
    ids = sorted(items)
    for _ in range(2):
        cur.execute(
            """SELECT story_key FROM process.item_story WHERE item_id = ANY(%(ids)s)
               UNION SELECT story_key FROM integration.article_source WHERE item_id = ANY(%(ids)s)""",
            {"ids": ids},
        )
        keys |= {row[0] for row in cur.fetchall()}
        cur.execute(
            """SELECT item_id FROM process.item_story WHERE story_key = ANY(%(k)s)
               UNION SELECT item_id FROM integration.article_source WHERE story_key = ANY(%(k)s)""",
            {"k": sorted(keys)},
        )
        ids = sorted({row[0] for row in cur.fetchall()} | set(ids))
    return keys


def desired_state(
    members: list[dict[str, Any]], registry: Registry
) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], tuple]]:
    """Articles and article_source rows the given story members call for (pure)."""
    ranks = channel_ranks(registry)
    stories: dict[str, list[dict[str, Any]]] = {}
    for m in members:
        stories.setdefault(m["story_key"], []).append(m)
    articles: dict[str, dict[str, Any]] = {}
    sources: dict[tuple[str, str], tuple] = {}
    for key, its in stories.items():
        approved = [m for m in its if m["outcome"] == "approved" and m["published_at"] is not None]
        if not approved:
            continue
        primary = min(approved, key=_primary_order(ranks))
        tz = source_tz(registry, primary["source_id"])
        article = {
            "story_key": key,
            "title": primary["title_clean"],
            "sapo": primary["sapo_clean"],
            "dateline": primary["dateline"],
            "body_html": primary["body_html_sanitized"],
            "body_text": primary["body_text_clean"],
            "published_at": primary["published_at"],
            "story_month": primary["published_at"].astimezone(tz).strftime("%Y-%m"),
            "item_type": primary["item_type"],
            "section": primary["section"],
            "author": primary["author"],
            "language": primary["language"],
            "primary_source_id": primary["source_id"],
            "primary_item_id": primary["item_id"],
            "primary_url": primary["canonical_url"],
        }
        article["content_hash"] = content_hash(article)
        articles[key] = article
        for m in its:
            sources[(m["source_id"], m["page_url"])] = (
                m["source_id"], m["page_url"], key, m["item_id"], m["canonical_url"],
                m["item_id"] == primary["item_id"], m["outcome"] or "needs_review", m["published_at"],
            )  # fmt: skip
    return articles, sources


def load_items(
    cur,
    items: set[int],
    registry: Registry,
    *,
    dag_id: str,
    run_id: str,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, int]:
    """Bring the articles of every story touching ``items`` up to date; records a load_batch.

    Runs as the loader role: the only one PostgreSQL lets write the integration store.
    """
    with acting_as(cur, LOADER_ROLE):
        return _load_batch(cur, items, registry, dag_id=dag_id, run_id=run_id, start=start, end=end)


def _load_batch(
    cur, items: set[int], registry: Registry, *, dag_id: str, run_id: str, start: datetime | None, end: datetime | None
) -> dict[str, int]:
    cur.execute(
        """INSERT INTO integration.load_batch (dag_id, run_id, interval_start, interval_end)
           VALUES (%s, %s, %s, %s) RETURNING batch_id""",
        (dag_id, run_id, start, end),
    )
    batch_id = cur.fetchone()[0]
    counts = {"stories": 0, "new": 0, "updated": 0, "unchanged": 0, "removed": 0, "duplicates_merged": 0,
              "sources_added": 0, "sources_removed": 0}
    keys = _affected_keys(cur, items) if items else set()
    months = touched_months(cur, items, keys)  # before the load: the months of articles it may remove
    if keys:
        _load_keys(cur, sorted(keys), registry, batch_id, counts)
    counts["stories"] = len(keys)
    refresh_month_summary(cur, months, registry)  # the monthly report's figures, in the same transaction
    failpoint("process.load")  # fault tests: killed with the batch written but not committed
    cur.execute(
        "UPDATE integration.load_batch SET counts = %s, finished_at = clock_timestamp() WHERE batch_id = %s",
        (Json(counts), batch_id),
    )
    log.info("load batch %s: %s", batch_id, counts)
    return {"batch_id": batch_id, **counts}


def _load_keys(cur, keys: list[str], registry: Registry, batch_id: int, counts: dict[str, int]) -> None:
    members = fetch_dicts(
        cur,
        """SELECT s.story_key, n.item_id, n.source_id, n.page_url, n.canonical_url, n.published_at,
                  n.title_clean, n.sapo_clean, n.dateline, n.body_html_sanitized, n.body_text_clean,
                  n.item_type, n.section, n.author, n.language, d.outcome
             FROM process.item_story s
             JOIN process.normalized_item n USING (item_id)
             LEFT JOIN process.decision d USING (item_id)
            WHERE s.story_key = ANY(%s)""",
        (keys,),
    )
    articles, sources = desired_state(members, registry)
    item_ids = sorted({m["item_id"] for m in members})

    cur.execute("SELECT story_key, content_hash FROM integration.article WHERE story_key = ANY(%s)", (keys,))
    existing_articles = dict(cur.fetchall())
    cur.execute(
        f"""SELECT {", ".join(SOURCE_COLUMNS)} FROM integration.article_source
             WHERE story_key = ANY(%(k)s) OR item_id = ANY(%(i)s)""",
        {"k": keys, "i": item_ids},
    )
    existing_sources = {(r[0], r[1]): tuple(r) for r in cur.fetchall()}

    drop_sources = [pk for pk, row in existing_sources.items() if sources.get(pk) != row]
    add_sources = [row for pk, row in sorted(sources.items()) if existing_sources.get(pk) != row]
    removed = sorted(k for k in existing_articles if k not in articles)
    changed = sorted(k for k, a in articles.items() if k in existing_articles
                     and existing_articles[k] != a["content_hash"])
    new = sorted(k for k in articles if k not in existing_articles)
    counts["new"] += len(new)
    counts["updated"] += len(changed)
    counts["removed"] += len(removed)
    counts["unchanged"] += len(articles) - len(new) - len(changed)
    counts["sources_added"] += len(add_sources)
    counts["sources_removed"] += len(drop_sources)
    counts["duplicates_merged"] += sum(1 for row in add_sources if not row[5])

    if drop_sources:
        execute_values(
            cur,
            """DELETE FROM integration.article_source s USING (VALUES %s) AS d(source_id, url)
                WHERE s.source_id = d.source_id AND s.url = d.url""",
            drop_sources,
            page_size=1000,
        )
    if removed or changed:
        cur.execute(
            """INSERT INTO integration.article_history (story_key, batch_id, change, previous)
               SELECT a.story_key, %(b)s,
                      CASE WHEN a.story_key = ANY(%(removed)s) THEN 'removed' ELSE 'updated' END, to_jsonb(a)
                 FROM integration.article a WHERE a.story_key = ANY(%(all)s)
                ORDER BY a.story_key""",
            {"b": batch_id, "removed": removed, "all": removed + changed},
        )
    if removed:
        cur.execute("DELETE FROM integration.article WHERE story_key = ANY(%s)", (removed,))
    cols = (*CONTENT_COLUMNS, "content_hash")
    if changed:
        template = "(%s, " + ", ".join(f"%s{_CASTS.get(c, '')}" for c in cols) + ")"
        execute_values(
            cur,
            f"""UPDATE integration.article a SET {", ".join(f"{c} = v.{c}" for c in cols)},
                       last_loaded_batch = {int(batch_id)}, updated_at = now()
                  FROM (VALUES %s) AS v(story_key, {", ".join(cols)})
                 WHERE a.story_key = v.story_key""",
            [(k, *(articles[k][c] for c in cols)) for k in changed],
            template=template,
            page_size=500,
        )
    # new keys and sources were just checked absent under the processing lock: plain COPY
    copy_rows(cur, "integration.article", ("story_key", *cols, "first_loaded_batch", "last_loaded_batch"),
              ((k, *(articles[k][c] for c in cols), batch_id, batch_id) for k in new))
    copy_rows(cur, "integration.article_source", SOURCE_COLUMNS, add_sources)


def load_in(
    cur, start: datetime | None, end: datetime | None, registry: Registry, *, dag_id: str, run_id: str
) -> dict[str, int]:
    items = take_pending(cur, "load") | interval_items(cur, start, end)
    return load_items(cur, items, registry, dag_id=dag_id, run_id=run_id, start=start, end=end)


def load_articles(
    start: datetime,
    end: datetime,
    *,
    dag_id: str,
    run_id: str,
    dsn: str | None = None,
    registry: Registry | None = None,
) -> dict[str, int]:
    """Stage 4 in its own transaction: the stories of the interval and of every queued item."""
    reg = get_registry(registry)
    return run_in_transaction(dsn, load_in, start, end, reg, dag_id=dag_id, run_id=run_id)
