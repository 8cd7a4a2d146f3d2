"""The review queue: items the policy could not decide, and the editors' decisions.

Every action writes a ``process.review_audit`` row (who, when, what, why, the decision before)
and, in the same transaction, runs the processing chain from dedup on for the affected story, so
the integration store reflects the decision at once. A reviewer's decision is never overwritten by
later policy runs; ``reopen`` removes it (and the reviewer's merges of the item) and hands the
item back to the policy.
"""

from __future__ import annotations

from typing import Any

from psycopg2.extras import Json

from portal_etl.db import transaction
from portal_etl.dedup import deserialize, jaccard_estimate
from portal_etl.dedup.details import Profile, compare_profiles
from portal_etl.normalize.text import nfc
from portal_etl.pipeline.process.chain import StageContext, run_chain, stages_from
from portal_etl.pipeline.process.common import (
    fetch_dicts,
    find_section,
    get_registry,
    lock,
    source_or_none,
)
from portal_etl.registry import Registry
from portal_etl.vocabulary import POLICY, REASONS

REVIEW_DAG_ID = "review"
EVIDENCE_SHINGLES = 8  # shared 5-word shingles shown per candidate: enough to see what is shared


def _signed_text(title: str | None, sapo: str | None, body: str | None) -> str:
    """The text dedup compares: title, lead and body, as normalisation signs it."""
    return "\n".join(p for p in (title, sapo, body) if p)


class ReviewError(ValueError):
    """The review action is not possible (unknown item, bad reviewer name, …)."""


def _reviewer(name: str) -> str:
    name = nfc((name or "").strip())
    if not name or name == POLICY:
        raise ReviewError("a reviewer name is required (and 'policy' is reserved)")
    return name


def list_queue(dsn: str | None = None) -> list[dict[str, Any]]:
    """Items waiting for a reviewer, oldest publication first."""
    with transaction(dsn, "portal-etl-review") as conn, conn.cursor() as cur:
        return fetch_dicts(
            cur,
            """SELECT d.item_id, n.source_id, n.title_clean AS title, n.published_at, n.section,
                      n.canonical_url AS url, d.reason, d.note, d.decided_at, s.story_key
                 FROM process.decision d
                 JOIN process.normalized_item n USING (item_id)
                 LEFT JOIN process.item_story s USING (item_id)
                WHERE d.outcome = 'needs_review'
                ORDER BY n.published_at NULLS LAST, d.item_id""",
        )


def show(item_id: int, dsn: str | None = None) -> dict[str, Any]:
    """One item with its decision, story, candidate duplicates (with similarity and the evidence:
    shared shingles, dates/numbers/places only one side has, headline similarity) and audit trail."""
    with transaction(dsn, "portal-etl-review") as conn, conn.cursor() as cur:
        rows = fetch_dicts(
            cur,
            """SELECT n.item_id, n.source_id, n.page_url, n.canonical_url, n.title_clean AS title,
                      n.sapo_clean AS sapo, n.dateline, n.body_text_clean AS body_text, n.published_at,
                      n.section, n.item_type, n.author, n.language, n.word_count, n.playable_video,
                      n.signature, s.story_key, d.outcome, d.reason, d.decided_by, d.decided_at, d.note
                 FROM process.normalized_item n
                 LEFT JOIN process.item_story s USING (item_id)
                 LEFT JOIN process.decision d USING (item_id)
                WHERE n.item_id = %s""",
            (item_id,),
        )
        if not rows:
            raise ReviewError(f"item {item_id} has not been processed")
        item = rows[0]
        sig = deserialize(item.pop("signature"))
        candidates = fetch_dicts(
            cur,
            """SELECT CASE WHEN e.item_a = %(i)s THEN e.item_b ELSE e.item_a END AS item_id,
                      e.reason, e.similarity, e.created_by, n.source_id, n.title_clean AS title,
                      n.canonical_url AS url, n.published_at, n.signature, s.story_key, d.outcome,
                      n.sapo_clean, n.body_text_clean
                 FROM process.dup_edge e
                 JOIN process.normalized_item n
                   ON n.item_id = CASE WHEN e.item_a = %(i)s THEN e.item_b ELSE e.item_a END
                 LEFT JOIN process.item_story s ON s.item_id = n.item_id
                 LEFT JOIN process.decision d ON d.item_id = n.item_id
                WHERE e.item_a = %(i)s OR e.item_b = %(i)s""",
            {"i": item_id},
        )
        mine = Profile(item["title"], _signed_text(item["title"], item["sapo"], item["body_text"]))
        for c in candidates:
            c["similarity"] = round(jaccard_estimate(sig, deserialize(c.pop("signature"))), 4)
            # what a reviewer weighs: shared shingles, differing dates/numbers/places, headlines
            theirs = Profile(c["title"], _signed_text(c["title"], c.pop("sapo_clean"), c.pop("body_text_clean")))
            c["evidence"] = compare_profiles(mine, theirs, sample=EVIDENCE_SHINGLES).as_json()
        candidates.sort(key=lambda c: (-c["similarity"], c["item_id"]))
        members = fetch_dicts(
            cur,
            """SELECT s.item_id, n.source_id, n.canonical_url AS url, n.published_at, d.outcome
                 FROM process.item_story s JOIN process.normalized_item n USING (item_id)
                 LEFT JOIN process.decision d USING (item_id)
                WHERE s.story_key = %s ORDER BY n.published_at, s.item_id""",
            (item["story_key"],),
        )
        cur.execute("SELECT 1 FROM integration.article WHERE story_key = %s", (item["story_key"],))
        integrated = cur.fetchone() is not None
        audit = fetch_dicts(
            cur,
            """SELECT audit_id, action, reviewer, note, detail, at FROM process.review_audit
                WHERE item_id = %s ORDER BY audit_id""",
            (item_id,),
        )
    return {
        "item": item,
        "candidates": candidates,
        "story": {"story_key": item["story_key"], "integrated": integrated, "members": members},
        "audit": audit,
    }


def _current_decision(cur, item_id: int) -> dict[str, Any] | None:
    cur.execute(
        """SELECT n.item_id FROM process.normalized_item n JOIN staging.item i USING (item_id)
            WHERE n.item_id = %s AND i.status = 'staged'""",
        (item_id,),
    )
    if cur.fetchone() is None:
        raise ReviewError(f"item {item_id} is not a processed staged item")
    rows = fetch_dicts(
        cur,
        "SELECT outcome, reason, decided_by, decided_at::text, note FROM process.decision WHERE item_id = %s",
        (item_id,),
    )
    return rows[0] if rows else None


def _is_translation(cur, item_id: int, registry: Registry) -> bool:
    """Whether the item comes from a section in another language than its channel's."""
    cur.execute("SELECT source_id, section FROM process.normalized_item WHERE item_id = %s", (item_id,))
    row = cur.fetchone()
    source = source_or_none(registry, row[0]) if row else None
    section = find_section(source, row[1]) if source is not None else None
    return bool(section is not None and section.language and section.language != source.language)


def _audit(cur, item_id: int, action: str, reviewer: str, note: str, detail: dict, previous) -> int:
    cur.execute(
        """INSERT INTO process.review_audit (item_id, action, reviewer, note, detail, previous)
           VALUES (%s, %s, %s, %s, %s, %s) RETURNING audit_id""",
        (item_id, action, reviewer, note, Json(detail), Json(previous) if previous else None),
    )
    return cur.fetchone()[0]


def _refresh(cur, items: set[int], registry: Registry, audit_id: int) -> dict[str, Any]:
    """The processing chain from dedup on for the affected items, inside the review transaction:
    a merge an editor made relinks a translation, and its own English version is stored at once."""
    ctx = StageContext(registry, REVIEW_DAG_ID, f"review-{audit_id}", items=frozenset(items))
    return run_chain(cur, ctx, stages_from("dedup"))


def _decide(
    item_id: int,
    reviewer: str,
    note: str,
    action: str,
    outcome: str | None,
    reason: str | None,
    *,
    as_duplicate_of: int | None,
    dsn: str | None,
    registry: Registry | None,
) -> dict[str, Any]:
    reviewer = _reviewer(reviewer)
    note = nfc((note or "").strip())
    reg = get_registry(registry)
    with transaction(dsn, "portal-etl-review") as conn, conn.cursor() as cur:
        lock(cur)
        previous = _current_decision(cur, item_id)
        if action == "approve" and as_duplicate_of is None and _is_translation(cur, item_id, reg):
            raise ReviewError(
                f"item {item_id} is a translation: approve it with --duplicate-of its original, "
                "or reject it when it has none (it is never a story of its own)"
            )
        affected = {item_id}
        detail: dict[str, Any] = {}
        if action == "reopen":
            if previous is None or previous["decided_by"] == POLICY:
                raise ReviewError(f"item {item_id} has no reviewer decision to reopen")
            cur.execute("DELETE FROM process.decision WHERE item_id = %s", (item_id,))
            cur.execute(
                """DELETE FROM process.dup_edge WHERE reason = 'editor_merge' AND (item_a = %(i)s OR item_b = %(i)s)
                   RETURNING item_a, item_b""",
                {"i": item_id},
            )
            unmerged = sorted({x for pair in cur.fetchall() for x in pair} - {item_id})
            affected.update(unmerged)
            detail["unmerged"] = unmerged
        else:
            cur.execute(
                """INSERT INTO process.decision (item_id, outcome, reason, decided_by, note) VALUES (%s, %s, %s, %s, %s)
                   ON CONFLICT (item_id) DO UPDATE SET outcome = EXCLUDED.outcome, reason = EXCLUDED.reason,
                     decided_by = EXCLUDED.decided_by, note = EXCLUDED.note, decided_at = now()""",
                (item_id, outcome, reason, reviewer, note or None),
            )
            if reason:
                detail["reason"] = reason
            if as_duplicate_of is not None:
                if as_duplicate_of == item_id:
                    raise ReviewError("an item cannot be a duplicate of itself")
                _current_decision(cur, as_duplicate_of)  # must be a processed item too
                a, b = sorted((item_id, as_duplicate_of))
                cur.execute(
                    "SELECT signature FROM process.normalized_item WHERE item_id = ANY(%s) ORDER BY item_id", ([a, b],)
                )
                sa, sb = (deserialize(r[0]) for r in cur.fetchall())
                cur.execute(
                    """INSERT INTO process.dup_edge (item_a, item_b, reason, similarity, created_by)
                       VALUES (%s, %s, 'editor_merge', %s, %s)
                       ON CONFLICT (item_a, item_b) DO UPDATE SET reason = 'editor_merge',
                         created_by = EXCLUDED.created_by, created_at = now()""",
                    (a, b, jaccard_estimate(sa, sb), reviewer),
                )
                affected.add(as_duplicate_of)
                detail["as_duplicate_of"] = as_duplicate_of
        audit_id = _audit(cur, item_id, action, reviewer, note, detail, previous)
        counts = _refresh(cur, affected, reg, audit_id)
        cur.execute(
            """SELECT d.outcome, d.reason, d.decided_by, s.story_key,
                      EXISTS (SELECT 1 FROM integration.article a WHERE a.story_key = s.story_key)
                 FROM process.item_story s LEFT JOIN process.decision d USING (item_id) WHERE s.item_id = %s""",
            (item_id,),
        )
        outcome_now, reason_now, by_now, story_key, integrated = cur.fetchone()
    return {
        "audit_id": audit_id,
        "item_id": item_id,
        "outcome": outcome_now,
        "reason": reason_now,
        "decided_by": by_now,
        "story_key": story_key,
        "integrated": integrated,
        "counts": counts,
    }


def approve(
    item_id: int,
    reviewer: str,
    note: str,
    *,
    as_duplicate_of: int | None = None,
    dsn: str | None = None,
    registry: Registry | None = None,
) -> dict[str, Any]:
    """Approve an item; with ``as_duplicate_of`` also merge it into that item's story."""
    return _decide(
        item_id,
        reviewer,
        note,
        "approve",
        "approved",
        None,
        as_duplicate_of=as_duplicate_of,
        dsn=dsn,
        registry=registry,
    )


def reject(
    item_id: int,
    reviewer: str,
    note: str,
    reason: str = "editor",
    dsn: str | None = None,
    *,
    registry: Registry | None = None,
) -> dict[str, Any]:
    """Reject an item (``reason`` from the closed vocabulary, default 'editor')."""
    if reason not in REASONS:
        raise ReviewError(f"unknown reason {reason!r} (one of {', '.join(REASONS)})")
    return _decide(
        item_id, reviewer, note, "reject", "rejected", reason, as_duplicate_of=None, dsn=dsn, registry=registry
    )


def reopen(
    item_id: int,
    reviewer: str,
    note: str,
    dsn: str | None = None,
    *,
    registry: Registry | None = None,
) -> dict[str, Any]:
    """Withdraw the reviewer decision (and reviewer merges) of an item: the policy decides again."""
    return _decide(item_id, reviewer, note, "reopen", None, None, as_duplicate_of=None, dsn=dsn, registry=registry)
