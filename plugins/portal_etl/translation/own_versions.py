"""The sources' own English versions in the integration store: one row of origin 'source' per
confirmed link whose original is in an integrated story.

The last stage of the processing chain (``pipeline/process/chain.py``), after the load: the rows
attach to loaded articles, and a link corrected earlier in the run reaches the store in that run.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from psycopg2.extras import Json, execute_values

from portal_etl.db import LOADER_ROLE, acting_as
from portal_etl.pipeline.process.common import fetch_dicts
from portal_etl.registry import Registry
from portal_etl.reporting.summary import refresh_month_summary


def refresh_story_months(cur, story_keys: list[str], registry: Registry | None) -> None:
    """The monthly report's summary (its English-version columns) after these stories'
    translations changed; in the caller's transaction, acting as the loader. The summary's
    triggers queued the stories, so the refresh finds their months itself."""
    if not story_keys:
        return
    refresh_month_summary(cur, [], registry)


def translation_hash(row: dict[str, Any]) -> str:
    keys = (
        "origin",
        "title",
        "sapo",
        "body_html",
        "source_id",
        "source_item_id",
        "source_url",
        "link_confidence",
        "engine",
        "model",
    )
    data = json.dumps({k: row.get(k) for k in keys}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def sync_own_translations(cur, registry: Registry | None = None) -> dict[str, int]:
    """integration.article_translation rows of origin 'source' = the confirmed links whose original
    is in an integrated story (the most confident link of a story wins). Replaces a machine row.
    The report summary of the months whose translations changed is refreshed with them."""
    desired = fetch_dicts(
        cur,
        """SELECT DISTINCT ON (s.story_key, en.language)
                  s.story_key, en.language, en.title_clean AS title, en.sapo_clean AS sapo,
                  en.body_html_sanitized AS body_html, en.source_id, en.item_id AS source_item_id,
                  en.canonical_url AS source_url, l.confidence AS link_confidence, l.evidence AS link_evidence,
                  a.content_hash AS article_content_hash
             FROM process.translation_link l
             JOIN process.normalized_item en ON en.item_id = l.en_item_id
             JOIN process.item_story s ON s.item_id = l.vi_item_id
             JOIN integration.article a ON a.story_key = s.story_key
            WHERE l.status = 'linked' AND en.language ~ '^[a-z]{2}$'
            ORDER BY s.story_key, en.language, l.confidence DESC, en.item_id""",
    )
    cur.execute(
        "SELECT story_key, language, origin, content_hash, article_content_hash FROM integration.article_translation"
    )
    existing = {(r[0], r[1]): r[2:] for r in cur.fetchall()}
    want = {}
    for row in desired:
        row["origin"] = "source"
        row["link_confidence"] = round(float(row["link_confidence"]), 4)
        row["content_hash"] = translation_hash(row)
        want[(row["story_key"], row["language"])] = row
    stale = [k for k, v in existing.items() if v[0] == "source" and k not in want]
    upserts = [
        r for k, r in want.items() if existing.get(k) != ("source", r["content_hash"], r["article_content_hash"])
    ]
    with acting_as(cur, LOADER_ROLE):
        if stale:
            execute_values(
                cur,
                """DELETE FROM integration.article_translation t USING (VALUES %s) AS d(k, l)
                                    WHERE t.story_key = d.k AND t.language = d.l""",
                stale,
            )
        if upserts:
            execute_values(
                cur,
                """INSERT INTO integration.article_translation (story_key, language, origin, title, sapo, body_html,
                          source_id, source_item_id, source_url, link_confidence, link_evidence,
                          engine, model, translated_at, article_content_hash, content_hash)
                   VALUES %s
                   ON CONFLICT (story_key, language) DO UPDATE SET origin = 'source', title = EXCLUDED.title,
                          sapo = EXCLUDED.sapo, body_html = EXCLUDED.body_html, source_id = EXCLUDED.source_id,
                          source_item_id = EXCLUDED.source_item_id, source_url = EXCLUDED.source_url,
                          link_confidence = EXCLUDED.link_confidence, link_evidence = EXCLUDED.link_evidence,
                          engine = NULL, model = NULL, translated_at = NULL,
                          article_content_hash = EXCLUDED.article_content_hash,
                          content_hash = EXCLUDED.content_hash, updated_at = now()""",
                [
                    (
                        r["story_key"],
                        r["language"],
                        "source",
                        r["title"],
                        r["sapo"],
                        r["body_html"],
                        r["source_id"],
                        r["source_item_id"],
                        r["source_url"],
                        r["link_confidence"],
                        Json(r["link_evidence"]),
                        None,
                        None,
                        None,
                        r["article_content_hash"],
                        r["content_hash"],
                    )
                    for r in upserts
                ],
            )
        refresh_story_months(cur, [k for k, _ in stale] + [r["story_key"] for r in upserts], registry)
    return {"own_stored": len(want), "own_written": len(upserts), "own_removed": len(stale)}
