"""What keeps a channel's items out of the national portal: every item of a month that was not
integrated, with its reason, grouped by who can change it.

Why a list and not only counts: an editor cannot act on "12 too short"; they can on the titles
and links. The items are exactly the month's ``rejected`` and ``waiting_review`` of the summary
(reporting/summary.py): an item whose story is on the portal through another channel's page is a
merged duplicate, not a gap. Groups:

* ``channel`` — the channel can fix it: too short, no date found, unknown section, language,
  possible duplicate, and anything waiting for an editor;
* ``policy`` — the integration policy keeps it out: before the integration window, a section not
  integrated (the what-if, reporting/whatif.py, shows what changing that would do);
* ``editor`` — an editor rejected it (reason ``editor``).

``publish_rate_if_fixed``: the month's rate had the channel fixed its ``channel`` items — each
story of theirs not on the portal yet would add one integrated story (an estimate: it assumes a
fixed item passes every other rule; the what-if answers exactly for a policy change).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from portal_etl.db import connect
from portal_etl.months import LOCAL_TZ, Month
from portal_etl.registry import Registry, load_usable_registry
from portal_etl.vocabulary import CHANNEL_REASONS, POLICY_REASONS

GROUPS = ("channel", "policy", "editor")

# the month's items the summary counts as rejected (not merged) or waiting for review
_GAP_ITEMS = """
SELECT n.item_id, n.source_id, n.title_clean AS title, n.canonical_url AS url, n.published_at, n.section,
       coalesce(n.item_type, 'unknown') AS item_type, d.outcome, d.reason, d.decided_by, s.story_key,
       EXISTS (SELECT 1 FROM integration.article a WHERE a.story_key = s.story_key) AS story_integrated
  FROM process.normalized_item n
  JOIN staging.item i ON i.item_id = n.item_id AND i.status = 'staged'
  JOIN process.decision d ON d.item_id = n.item_id
  LEFT JOIN process.item_story s ON s.item_id = n.item_id
 WHERE n.published_at >= %(start)s AND n.published_at < %(end)s
   AND (%(sources)s::text[] IS NULL OR n.source_id = ANY(%(sources)s))
   AND (d.outcome = 'needs_review'
        OR (d.outcome = 'rejected'
            AND NOT EXISTS (SELECT 1 FROM integration.article_source a WHERE a.item_id = n.item_id)))
 ORDER BY n.published_at, n.source_id, n.canonical_url, n.item_id
"""


def group_of(outcome: str, reason: str | None) -> str:
    """Who can change what keeps the item out (see the module docstring)."""
    if outcome == "needs_review" or reason in CHANNEL_REASONS:
        return "channel"
    if reason in POLICY_REASONS:
        return "policy"
    return "editor"


def read_gap_items(cur, month: str, source_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """The items of ``month`` ('YYYY-MM', local) that were not integrated, oldest first."""
    start, end = Month.parse(month).bounds()
    cur.execute(_GAP_ITEMS, {"start": start, "end": end, "sources": source_ids})
    names = [d[0] for d in cur.description]
    items = []
    for row in cur.fetchall():
        r = dict(zip(names, row, strict=True))
        items.append({
            "item_id": r["item_id"], "source_id": r["source_id"], "title": r["title"], "url": r["url"],
            "published_date": r["published_at"].astimezone(LOCAL_TZ).date().isoformat(),
            "section": r["section"], "item_type": r["item_type"], "reason": r["reason"],
            "waiting_review": r["outcome"] == "needs_review", "decided_by": r["decided_by"],
            "group": group_of(r["outcome"], r["reason"]),
            "_story_key": r["story_key"], "_story_integrated": r["story_integrated"],
        })  # fmt: skip
    return items


def _rate(integrated: int, in_window: int) -> float | None:
    return round(integrated / in_window, 4) if in_window > 0 else None


def channel_gaps(items: list[dict[str, Any]], figures: dict[str, Any]) -> dict[str, Any]:
    """One channel's gaps and rates; ``figures``: its month figures from the payload."""
    in_window = figures["published"] - figures["published_before_window"]
    fixable_stories = {
        it["_story_key"] or f"item-{it['item_id']}"
        for it in items
        if it["group"] == "channel" and not it["_story_integrated"]
    }
    would_enter = len(fixable_stories)
    return {
        "items": [{k: v for k, v in it.items() if not k.startswith("_") and k != "source_id"} for it in items],
        "counts": {g: sum(1 for it in items if it["group"] == g) for g in GROUPS},
        "by_reason": dict(sorted(Counter(it["reason"] for it in items).items())),
        "waiting_review": sum(1 for it in items if it["waiting_review"]),
        "integrated": figures["integrated"],
        "published_in_window": in_window,
        "would_enter_if_fixed": would_enter,
        "publish_rate": _rate(figures["integrated"], in_window),
        "publish_rate_if_fixed": _rate(figures["integrated"] + would_enter, in_window),
    }


def gaps_section(cur, month: str, month_figures: dict[str, Any], channels: list[str]) -> dict[str, Any]:
    """The report's "what keeps items out" block: per channel (payload order), its gaps."""
    items = read_gap_items(cur, month)
    by_channel: dict[str, list[dict[str, Any]]] = {c: [] for c in channels}
    for it in items:
        by_channel.setdefault(it["source_id"], []).append(it)
    return {
        "groups": {
            "channel": list(CHANNEL_REASONS) + ["waiting_review"],
            "policy": list(POLICY_REASONS),
            "editor": ["editor"],
        },
        "channels": {
            c: channel_gaps(its, month_figures["channels"][c])
            for c, its in by_channel.items()
            if c in month_figures["channels"]
        },
    }


def month_gaps(
    month: str, source_ids: list[str] | None = None, dsn: str | None = None, *, registry: Registry | None = None
) -> dict[str, Any]:
    """The month's report payload, its gaps limited to ``source_ids``, read in a read-only
    transaction (``portal-etl report --gaps``: nothing is written, no report file either)."""
    from portal_etl.reporting.payload import build_payload  # the payload builds its gaps with this module

    reg = registry if registry is not None else load_usable_registry()
    unknown = sorted(set(source_ids or ()) - set(reg.ids))
    if unknown:
        raise KeyError(f"no channel {', '.join(unknown)} in the registry (known: {', '.join(reg.ids)})")
    conn = connect(dsn, "portal-etl-gaps")
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn, conn.cursor() as cur:
            payload = build_payload(cur, month, reg)
    finally:
        conn.close()
    if source_ids:
        payload["gaps"]["channels"] = {c: g for c, g in payload["gaps"]["channels"].items() if c in source_ids}
    return payload
