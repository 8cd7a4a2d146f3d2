"""Linking stage: the newspaper's English items to the Vietnamese originals they translate.

A stage of the processing chain (``pipeline/process/chain.py``), run before the policy because
the policy reads each English item's link: a link corrected in a run is decided and loaded in
that same run. Evidence and confidence are in ``process.translation_link``; the scoring is
``linking``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from psycopg2.extras import Json, execute_values

from portal_etl.months import LOCAL_TZ
from portal_etl.pipeline.process.common import fetch_dicts, find_section, mark_pending, source_or_none
from portal_etl.registry import Registry, Source
from portal_etl.translation import linking
from portal_etl.vocabulary import POLICY

AUTO = "auto"  # decided_by of automatic links


def translation_sections(registry: Registry) -> list[tuple[Source, str, str]]:
    """(channel, section path, language) of every section in a language other than its channel's."""
    return [
        (s, sec.path, sec.language)
        for s in registry.sources
        for sec in s.sections
        if sec.language and sec.language != s.language
    ]


def _sides(cur, where: str, params: dict, registry: Registry, with_captions: bool) -> list[dict[str, Any]]:
    rows = fetch_dicts(
        cur,
        f"""SELECT n.item_id, n.source_id, n.section, n.language, n.published_at, n.title_clean, n.sapo_clean,
                   n.body_text_clean, n.canonical_url, i.images
              FROM process.normalized_item n JOIN staging.item i USING (item_id)
             WHERE n.published_at IS NOT NULL AND {where}""",
        params,
    )
    for r in rows:
        texts = [r["title_clean"], r["sapo_clean"], r["body_text_clean"]]
        if with_captions:
            texts += [img.get("caption") or "" for img in r["images"] or []]
        source = source_or_none(registry, r["source_id"])
        r["side"] = linking.Side(
            r["item_id"],
            r["published_at"],
            "\n".join(texts),
            [img["src"] for img in r["images"] or [] if img.get("src")],
            source.tz if source else LOCAL_TZ,
        )
    return rows


def _editor_links(cur, en_ids: list[int]) -> dict[int, tuple[str, int | None, str]]:
    """A reviewer's word on English items: approved with a merge ⇒ linked to that item; rejected ⇒
    no original."""
    out: dict[int, tuple[str, int | None, str]] = {}
    cur.execute(
        """SELECT d.item_id, d.outcome, d.decided_by,
                  (SELECT CASE WHEN e.item_a = d.item_id THEN e.item_b ELSE e.item_a END
                     FROM process.dup_edge e
                    WHERE e.reason = 'editor_merge' AND (e.item_a = d.item_id OR e.item_b = d.item_id)
                    ORDER BY e.created_at DESC LIMIT 1)
             FROM process.decision d WHERE d.item_id = ANY(%s) AND d.decided_by <> %s""",
        (en_ids, POLICY),
    )
    for item_id, outcome, by, merged_with in cur.fetchall():
        if outcome == "approved" and merged_with is not None:
            out[item_id] = ("linked", merged_with, by)
        elif outcome == "rejected":
            out[item_id] = ("unlinked", None, by)
    return out


def link_in(
    cur, start: datetime | None, end: datetime | None, registry: Registry, items: Collection[int] = ()
) -> dict[str, int]:
    """(Re)link the English items published in [start, end) and those among ``items``; items whose
    link changed are queued for the policy, which reads the link."""
    counts = {"en_items": 0, "linked": 0, "review": 0, "unlinked": 0, "links_changed": 0}
    sections = translation_sections(registry)
    if not sections:
        return counts
    changed: list[int] = []
    span, ids = _scope(start, end, items)
    for source, _path, language in sections:
        english = [
            r
            for r in _sides(
                cur,
                f"n.source_id = %(src)s AND n.language = %(lang)s{span}",
                {"src": source.id, "lang": language, "s": start, "e": end, "ids": ids},
                registry,
                False,
            )
            if (sec := find_section(source, r["section"])) is not None and sec.language == language
        ]
        if not english:
            continue
        lo = min(r["published_at"] for r in english)
        hi = max(r["published_at"] for r in english)
        lo_c, _ = linking.candidates_window(linking.Side(0, lo, "", [], source.tz))
        _, hi_c = linking.candidates_window(linking.Side(0, hi, "", [], source.tz))
        originals = [
            r["side"]
            for r in _sides(
                cur,
                "n.source_id = %(src)s AND (n.language IS NULL OR n.language = %(vi)s) "
                "AND n.published_at >= %(lo)s AND n.published_at <= %(hi)s",
                {"src": source.id, "vi": source.language, "lo": lo_c, "hi": hi_c},
                registry,
                True,
            )
        ]
        en_ids = [r["item_id"] for r in english]
        editor = _editor_links(cur, en_ids)
        cur.execute(
            "SELECT en_item_id, vi_item_id, status, confidence, evidence, decided_by "
            "FROM process.translation_link WHERE en_item_id = ANY(%s)",
            (en_ids,),
        )
        existing = {r[0]: r[1:] for r in cur.fetchall()}
        rows = []
        for r in english:
            status, best, confidence, runners = linking.link_one(r["side"], originals)
            vi_id = best["vi_item_id"] if best and status != "unlinked" else None
            evidence = {
                "best": best,
                "runners_up": runners,
                "thresholds": {"link": linking.LINK_AT, "review": linking.REVIEW_AT},
            }
            by = AUTO
            if r["item_id"] in editor:
                status, vi_id, by = editor[r["item_id"]]
                confidence = 1.0 if status == "linked" else 0.0
            counts["en_items"] += 1
            counts[status] += 1
            row = (vi_id, status, float(round(confidence, 4)), evidence, by)
            old = existing.get(r["item_id"])
            if old is None or (old[0], old[1], round(float(old[2]), 4), old[3], old[4]) != row:
                rows.append((r["item_id"], *row[:3], Json(row[3]), row[4]))
                if old is None or old[1] != status or old[0] != vi_id:
                    changed.append(r["item_id"])
        if rows:
            execute_values(
                cur,
                """INSERT INTO process.translation_link (en_item_id, vi_item_id, status, confidence, evidence,
                          decided_by) VALUES %s
                   ON CONFLICT (en_item_id) DO UPDATE SET vi_item_id = EXCLUDED.vi_item_id,
                          status = EXCLUDED.status, confidence = EXCLUDED.confidence,
                          evidence = EXCLUDED.evidence, decided_by = EXCLUDED.decided_by, updated_at = now()""",
                rows,
            )
        counts["links_changed"] += len(rows)
    # the policy reads the link: an ambiguous one sends the item to the review queue
    mark_pending(cur, "policy", changed)
    return counts


def _scope(start: datetime | None, end: datetime | None, items: Collection[int]) -> tuple[str, list[int]]:
    """The SQL condition on ``n`` choosing the interval's items and ``items``."""
    conditions = []
    if start is not None and end is not None:
        conditions.append("(n.published_at >= %(s)s AND n.published_at < %(e)s)")
    if items:
        conditions.append("n.item_id = ANY(%(ids)s)")
    return f" AND ({' OR '.join(conditions) or 'false'})", sorted(items)


def english_items(cur, start: datetime | None, end: datetime | None, registry: Registry) -> set[int]:
    """Items of the translation sections published in [start, end) (every one without an interval)."""
    found: set[int] = set()
    span = "" if start is None or end is None else " AND n.published_at >= %(s)s AND n.published_at < %(e)s"
    for source, _path, language in translation_sections(registry):
        cur.execute(
            f"""SELECT n.item_id, n.section FROM process.normalized_item n
                 WHERE n.published_at IS NOT NULL AND n.source_id = %(src)s AND n.language = %(lang)s{span}""",
            {"src": source.id, "lang": language, "s": start, "e": end},
        )
        found |= {
            item_id
            for item_id, path in cur.fetchall()
            if (sec := find_section(source, path)) is not None and sec.language == language
        }
    return found
