"""Stage 3 — the default policy: approve, reject or send to review, per item.

Rules, from the registry entry of the item's channel; the first that applies wins
(docs/replica-contract.md §"Items, stories and the default policy", then the review rules):

0. section in another language than its channel's (the newspaper's English section): never a
   story of its own — its items attach to their originals as translations (translation/run.py):
   an ambiguous link (``process.translation_link``)          ⇒ needs_review / possible_duplicate
   otherwise                                                ⇒ rejected / section_not_integrated
1. section not integrated (``integrate: false``)          ⇒ rejected / section_not_integrated
2. published before ``approval.window_start`` 00:00 local ⇒ rejected / before_window
3. fewer than ``approval.min_words`` body words and no playable video ⇒ rejected / too_short
4. section (or channel) not in the registry               ⇒ needs_review / unknown_section
5. no publish date                                        ⇒ needs_review / no_date
6. page language differs from the channel's               ⇒ needs_review / language
7. a grey-zone edge to an earlier item of another story   ⇒ needs_review / possible_duplicate
8. otherwise                                              ⇒ approved

"Earlier" is the primary order: publish time, then registry channel order, then canonical URL.
Decisions of a reviewer (decided_by ≠ 'policy') are never overwritten here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from psycopg2.extras import execute_values

from portal_etl import dates
from portal_etl.pipeline.process.common import (
    channel_ranks,
    fetch_dicts,
    find_section,
    mark_pending,
    rank_of,
    source_or_none,
)
from portal_etl.registry import Registry, Source
from portal_etl.vocabulary import POLICY

log = logging.getLogger("portal_etl.process.policy")


@dataclass(frozen=True)
class Verdict:
    outcome: str
    reason: str | None
    note: str | None


def _lang(code: str | None) -> str:
    return (code or "").strip().lower().replace("_", "-").split("-", 1)[0]


def decide(item: dict, source: Source | None, earlier_grey: list[tuple[int, float]]) -> Verdict:
    """The policy verdict of one normalised item (pure). ``earlier_grey``: (item id, similarity)
    of grey-zone partners that come first in the primary order and are not in its story."""
    if source is None:
        return Verdict("needs_review", "unknown_section", f"channel {item['source_id']!r} is not in the registry")
    section = find_section(source, item["section"])
    if section is not None and section.language and _lang(section.language) != _lang(source.language):
        return translation_verdict(item, section.path)
    if section is not None and not section.integrate:
        return Verdict("rejected", "section_not_integrated", f"section {section.path!r} is not integrated")
    published: datetime | None = item["published_at"]
    window = dates.local_midnight(source.approval.window_start, source.tz)
    if published is not None and published < window:
        return Verdict("rejected", "before_window", f"published before {source.approval.window_start.isoformat()}")
    if item["word_count"] < source.approval.min_words and not item["playable_video"]:
        return Verdict(
            "rejected", "too_short", f"{item['word_count']} words < {source.approval.min_words}, no playable video"
        )
    if section is None:
        return Verdict("needs_review", "unknown_section", f"section {item['section']!r} is not in the registry")
    if published is None:
        return Verdict("needs_review", "no_date", "no publish date")
    if item["language"] and _lang(item["language"]) != _lang(source.language):
        return Verdict("needs_review", "language", f"language {item['language']!r}, channel is {source.language!r}")
    if earlier_grey:
        partner, sim = min(earlier_grey, key=lambda p: (-p[1], p[0]))
        return Verdict("needs_review", "possible_duplicate", f"similar to item {partner} ({sim:.2f})")
    return Verdict("approved", None, None)


def translation_verdict(item: dict, section_path: str) -> Verdict:
    """An item of a translation section: an editor settles an ambiguous link (approve with
    ``--duplicate-of`` the original, or reject: no original); any other is not integrated itself."""
    status, original = item.get("link_status"), item.get("link_vi_item_id")
    if status == "review":
        return Verdict(
            "needs_review",
            "possible_duplicate",
            f"possible translation of item {original} (confidence {item['link_confidence']:.2f}): "
            f"approve with --duplicate-of {original} to confirm, reject if it has no original",
        )
    if status == "linked":
        note = f"translation of item {original}, kept as its English version"
    elif status == "unlinked":
        note = "no original found; not integrated as a story of its own"
    else:
        note = "translation section: waits for the link step"
    return Verdict("rejected", "section_not_integrated", f"section {section_path!r}: {note}")


def policy_inputs(cur, items: set[int], registry: Registry) -> tuple[list[dict], dict[int, list[tuple[int, float]]]]:
    """What the policy reads of ``items`` (reads only): each normalised row with its current
    decision and translation link, and per item its earlier grey-zone partners outside its story.
    The what-if (reporting/whatif.py) calls this and :func:`policy_verdict` on the stored data."""
    ids = sorted(items)
    rows = fetch_dicts(
        cur,
        """SELECT n.item_id, n.source_id, n.section, n.published_at, n.word_count, n.playable_video,
                  n.language, n.canonical_url, s.story_key,
                  d.outcome, d.reason, d.note, d.decided_by,
                  tl.status AS link_status, tl.vi_item_id AS link_vi_item_id, tl.confidence AS link_confidence
             FROM process.normalized_item n
             LEFT JOIN process.item_story s USING (item_id)
             LEFT JOIN process.decision d USING (item_id)
             LEFT JOIN process.translation_link tl ON tl.en_item_id = n.item_id
            WHERE n.item_id = ANY(%s)""",
        (ids,),
    )
    ranks = channel_ranks(registry)
    cur.execute(
        """SELECT e.item_a, e.item_b, e.similarity,
                  na.published_at, na.source_id, na.canonical_url, sa.story_key,
                  nb.published_at, nb.source_id, nb.canonical_url, sb.story_key
             FROM process.dup_edge e
             JOIN process.normalized_item na ON na.item_id = e.item_a
             JOIN process.normalized_item nb ON nb.item_id = e.item_b
             LEFT JOIN process.item_story sa ON sa.item_id = e.item_a
             LEFT JOIN process.item_story sb ON sb.item_id = e.item_b
            WHERE e.reason = 'review_grey_zone' AND (e.item_a = ANY(%(ids)s) OR e.item_b = ANY(%(ids)s))""",
        {"ids": ids},
    )

    def order(published: datetime | None, source_id: str, url: str, item_id: int) -> tuple:
        return (published is None, published or datetime.min, rank_of(ranks, source_id), url, item_id)

    earlier: dict[int, list[tuple[int, float]]] = {}
    for a, b, sim, pa, sa_, ua, ka, pb, sb_, ub, kb in cur.fetchall():
        if ka is not None and ka == kb:
            continue  # merged into one story through another path: nothing to review
        first, later = (a, b) if order(pa, sa_, ua, a) < order(pb, sb_, ub, b) else (b, a)
        earlier.setdefault(later, []).append((first, float(sim)))
    return rows, earlier


def policy_verdict(row: dict, registry: Registry, earlier: dict[int, list[tuple[int, float]]]) -> Verdict | None:
    """The policy's verdict of one row of :func:`policy_inputs`; None when a reviewer decided
    (their decision is never overwritten)."""
    if row["decided_by"] is not None and row["decided_by"] != POLICY:
        return None
    return decide(row, source_or_none(registry, row["source_id"]), earlier.get(row["item_id"], []))


def decide_items(cur, items: set[int], registry: Registry) -> dict[str, int]:
    """(Re)decide ``items`` by policy, writing only decisions that changed; items whose decision
    changed are queued for the load."""
    counts = {
        "policy_items": 0,
        "decisions_changed": 0,
        "approved": 0,
        "rejected": 0,
        "needs_review": 0,
        "editor_kept": 0,
    }
    if not items:
        return counts
    rows, earlier = policy_inputs(cur, items, registry)
    changes: list[tuple] = []
    for row in rows:
        verdict = policy_verdict(row, registry, earlier)
        if verdict is None:
            counts["editor_kept"] += 1
            counts[row["outcome"]] += 1
            continue
        counts[verdict.outcome] += 1
        if (row["outcome"], row["reason"], row["note"], row["decided_by"]) != (
            verdict.outcome,
            verdict.reason,
            verdict.note,
            POLICY,
        ):
            changes.append((row["item_id"], verdict.outcome, verdict.reason, verdict.note))
    counts["policy_items"] = len(rows)
    counts["decisions_changed"] = len(changes)
    if changes:
        execute_values(
            cur,
            """INSERT INTO process.decision (item_id, outcome, reason, note, decided_by) VALUES %s
               ON CONFLICT (item_id) DO UPDATE SET outcome = EXCLUDED.outcome, reason = EXCLUDED.reason,
                 note = EXCLUDED.note, decided_by = EXCLUDED.decided_by, decided_at = now()
               WHERE process.decision.decided_by = 'policy'""",
            [(*c, POLICY) for c in changes],
            page_size=1000,
        )
        mark_pending(cur, "load", [c[0] for c in changes])
    log.info("policy: %s", counts)
    return counts
