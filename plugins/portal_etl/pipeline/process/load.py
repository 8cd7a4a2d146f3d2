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

Only the members' metadata comes to Python (to choose each primary and the article_source rows).
The articles themselves are written with INSERT … SELECT from the primaries' normalised rows, and
hashed by PostgreSQL (``integration.article_content_hash``, sql/015), so the bodies never travel.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from psycopg2.extras import Json, execute_values

from portal_etl.db import LOADER_ROLE, acting_as
from portal_etl.db.bulk_copy import copy_rows
from portal_etl.faults import failpoint
from portal_etl.months import Month
from portal_etl.pipeline.process.common import (
    channel_ranks,
    fetch_dicts,
    rank_of,
)
from portal_etl.registry import Registry
from portal_etl.reporting.summary import local_settings, refresh_month_summary

log = logging.getLogger("portal_etl.process.load")

CONTENT_COLUMNS = (
    "title", "sapo", "dateline", "body_html", "body_text", "published_at", "story_month", "item_type",
    "section", "author", "language", "primary_source_id", "primary_item_id", "primary_url",
)  # fmt: skip
SOURCE_COLUMNS = ("source_id", "url", "story_key", "item_id", "canonical_url", "is_primary", "outcome", "published_at")
# Where each content column comes from, in the statements below: ``n`` is the primary's
# process.normalized_item row, ``p`` the article's plan (story_key, item_id, story_month).
CONTENT_SOURCES = {
    "title": "n.title_clean", "sapo": "n.sapo_clean", "dateline": "n.dateline", "body_html": "n.body_html_sanitized",
    "body_text": "n.body_text_clean", "published_at": "n.published_at", "story_month": "p.story_month",
    "item_type": "n.item_type", "section": "n.section", "author": "n.author", "language": "n.language",
    "primary_source_id": "n.source_id", "primary_item_id": "n.item_id", "primary_url": "n.canonical_url",
}  # fmt: skip


# sql/015: the article's content hash, computed where the content is (named arguments, so the
# order of CONTENT_COLUMNS does not matter)
_HASH = "integration.article_content_hash(" + ", ".join(f"{c} => {CONTENT_SOURCES[c]}" for c in CONTENT_COLUMNS) + ")"


def _primary_order(ranks: dict[str, int]):
    def key(m: dict[str, Any]) -> tuple:
        published = m["published_at"]
        return (
            published is None,
            published or datetime.min.replace(tzinfo=UTC),
            rank_of(ranks, m["source_id"]),
            m["canonical_url"],
            m["item_id"],
        )

    return key


def _affected_keys(cur, items: set[int]) -> set[str]:
    """Story keys the items belong to now or were loaded under, closed over their members (two
    steps: the keys of the items, then the keys of those keys' other members)."""

    def keys_of(ids: list[int]) -> set[str]:
        cur.execute(
            """SELECT story_key FROM process.item_story WHERE item_id = ANY(%(ids)s)
               UNION SELECT story_key FROM integration.article_source WHERE item_id = ANY(%(ids)s)""",
            {"ids": ids},
        )
        return {row[0] for row in cur.fetchall()}

    keys = keys_of(sorted(items))
    cur.execute(
        """SELECT item_id FROM process.item_story WHERE story_key = ANY(%(k)s)
           UNION SELECT item_id FROM integration.article_source WHERE story_key = ANY(%(k)s)""",
        {"k": sorted(keys)},
    )
    others = {row[0] for row in cur.fetchall()} - items  # the items' own keys are known already
    return keys | keys_of(sorted(others)) if others else keys


def desired_state(
    members: list[dict[str, Any]], registry: Registry
) -> tuple[dict[str, tuple[int, str]], dict[tuple[str, str], tuple]]:
    """Articles and article_source rows the given story members call for (pure).

    Only the members' metadata is needed: an article is planned as its primary's item id and
    story month, and its content is read from that item's normalised row in the server."""
    ranks = channel_ranks(registry)
    stories: dict[str, list[dict[str, Any]]] = {}
    for m in members:
        stories.setdefault(m["story_key"], []).append(m)
    articles: dict[str, tuple[int, str]] = {}
    sources: dict[tuple[str, str], tuple] = {}
    for key, its in stories.items():
        approved = [m for m in its if m["outcome"] == "approved" and m["published_at"] is not None]
        if not approved:
            continue
        primary = min(approved, key=_primary_order(ranks))
        articles[key] = (primary["item_id"], str(Month.of(primary["published_at"])))  # the report's month
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
    counts = {
        "stories": 0,
        "new": 0,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
        "duplicates_merged": 0,
        "sources_added": 0,
        "sources_removed": 0,
    }
    keys = _affected_keys(cur, items) if items else set()
    if keys:
        # JIT compiling costs more than these statements take: the key arrays make the planner's
        # estimates large enough to trigger it (up to about 0.1 s per statement here)
        with local_settings(cur, {"jit": "off"}):
            _load_keys(cur, sorted(keys), registry, batch_id, counts)
    counts["stories"] = len(keys)
    # the monthly report's figures, in the same transaction: the summary's triggers (sql/016)
    # queued every item and story this batch changed, so the refresh finds their months itself
    refresh_month_summary(cur, [], registry)
    failpoint("process.load")  # fault tests: killed with the batch written but not committed
    cur.execute(
        "UPDATE integration.load_batch SET counts = %s, finished_at = clock_timestamp() WHERE batch_id = %s",
        (Json(counts), batch_id),
    )
    log.info("load batch %s: %s", batch_id, counts)
    return {"batch_id": batch_id, **counts}


def _plan_rows(articles: dict[str, tuple[int, str]], keys: list[str], hashes: dict[str, str] | None = None) -> dict:
    """The arrays ``_PLAN`` unnests: one element per article, in ``keys`` order."""
    return {
        "keys": keys,
        "items": [articles[k][0] for k in keys],
        "months": [articles[k][1] for k in keys],
        "hashes": [hashes[k] for k in keys] if hashes is not None else None,
    }


# The planned articles joined to their primaries' normalised rows (the content never leaves the server).
_PLAN = """unnest(%(keys)s::text[], %(items)s::bigint[], %(months)s::text[], %(hashes)s::text[])
               AS p(story_key, item_id, story_month, content_hash)
          JOIN process.normalized_item n ON n.item_id = p.item_id"""


def story_members(cur, keys: list[str]) -> list[dict[str, Any]]:
    """The metadata :func:`desired_state` needs of every member of the stories ``keys`` (reads
    only: the what-if, reporting/whatif.py, plans with it too)."""
    return fetch_dicts(
        cur,
        """SELECT s.story_key, n.item_id, n.source_id, n.page_url, n.canonical_url, n.published_at, d.outcome
             FROM process.item_story s
             JOIN process.normalized_item n USING (item_id)
             LEFT JOIN process.decision d USING (item_id)
            WHERE s.story_key = ANY(%s)""",
        (keys,),
    )


def _load_keys(cur, keys: list[str], registry: Registry, batch_id: int, counts: dict[str, int]) -> None:
    members = story_members(cur, keys)
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

    kept = sorted(k for k in articles if k in existing_articles)
    desired_hashes: dict[str, str] = {}
    if kept:  # what the kept articles' content hashes to now, computed where the content is
        cur.execute(f"SELECT p.story_key, {_HASH} FROM {_PLAN}", _plan_rows(articles, kept))
        desired_hashes = dict(cur.fetchall())

    drop_sources = [pk for pk, row in existing_sources.items() if sources.get(pk) != row]
    add_sources = [row for pk, row in sorted(sources.items()) if existing_sources.get(pk) != row]
    removed = sorted(k for k in existing_articles if k not in articles)
    changed = [k for k in kept if existing_articles[k] != desired_hashes[k]]
    new = sorted(k for k in articles if k not in existing_articles)
    counts["new"] += len(new)
    counts["updated"] += len(changed)
    counts["removed"] += len(removed)
    counts["unchanged"] += len(kept) - len(changed)
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
    if changed:
        cur.execute(
            f"""UPDATE integration.article a
                   SET {", ".join(f"{c} = v.{c}" for c in CONTENT_COLUMNS)}, content_hash = v.content_hash,
                       last_loaded_batch = %(batch)s, updated_at = now()
                  FROM (SELECT p.story_key, p.content_hash,
                               {", ".join(f"{CONTENT_SOURCES[c]} AS {c}" for c in CONTENT_COLUMNS)}
                          FROM {_PLAN}) v
                 WHERE a.story_key = v.story_key""",
            {**_plan_rows(articles, changed, desired_hashes), "batch": batch_id},
        )
    if new:  # checked absent just above, under the processing lock: a plain insert
        cur.execute(
            f"""INSERT INTO integration.article (story_key, {", ".join(CONTENT_COLUMNS)}, content_hash,
                                                 first_loaded_batch, last_loaded_batch)
                SELECT p.story_key, {", ".join(CONTENT_SOURCES[c] for c in CONTENT_COLUMNS)}, {_HASH},
                       %(batch)s, %(batch)s
                  FROM {_PLAN}
""",
            {**_plan_rows(articles, new), "batch": batch_id},
        )
    copy_rows(cur, "integration.article_source", SOURCE_COLUMNS, add_sources)
