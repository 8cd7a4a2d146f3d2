"""The truth of a planned scenario: each item's derived fields (type, words, verdict, quirks),
the primary item of each story by the contract's rule, and an item's manifest record.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from portal_etl.registry import Source
from portal_replica.common import CHANNEL_ORDER, has_old_tone, iso_local
from portal_replica.scenario import QUIRK_ORDER, Item, ScenarioParams


def derive(item: Item, source: Source, window0: datetime) -> None:
    section = source.section(item.section)
    item.word_count = item.content.word_count
    if section.item_type:
        item.item_type = section.item_type
    elif item.alias.startswith("infographic-"):
        item.item_type = "infographic"
    elif item.word_count >= source.article_min_words:
        item.item_type = "bai"
    else:
        item.item_type = "tin"
    playable = item.item_type == "video" and item.video is not None
    if not section.integrate:
        item.reject_reason = "section_not_integrated"
    elif item.published < window0:
        item.reject_reason = "before_window"
    elif not playable and item.word_count < source.approval.min_words:
        item.reject_reason = "too_short"
    else:
        item.reject_reason = None
    item.approvable = item.reject_reason is None
    q = []
    if item.eth:
        q.append("eth_title")
    if item.tone_old and (
        has_old_tone(item.content.title)
        or has_old_tone(item.content.sapo_core)
        or any(has_old_tone(p) for p in item.content.paragraphs)
    ):
        q.append("tone_old")
    if item.nfd_body:
        q.append("nfd_body")
    if item.nfd_title:
        q.append("nfd_title")
    if source.id == "baodongnai" and section.item_type == "podcast":
        q.append("legacy_encoding")
    if item.published.day == 1 and item.published.hour < 2:
        q.append("month_boundary")
    if item.also_listed_in:
        q.append("multi_category")
    if item.reject_reason == "too_short":
        q.append("short_body")
    if source.id == "baodongnai" and item.published.year < 2024:
        q.append("sapo_repeated")
    item.quirks = q


def compute_truth(items: list[Item], params: ScenarioParams) -> dict:
    """Primary items by the contract's rule; returns the manifest's ``expected`` block."""
    order = {sid: i for i, sid in enumerate(CHANNEL_ORDER)}
    stories: dict[str, list[Item]] = {}
    for item in items:
        item.primary = False
        stories.setdefault(item.story_id, []).append(item)
    by_month: dict[str, int] = {}
    by_source: dict[str, int] = {}
    by_type: dict[str, int] = {}
    end = datetime.combine(params.target_end + timedelta(days=1), time(0, 0))
    start = datetime.combine(params.window_start, time(0, 0))
    total = 0
    for its in stories.values():
        ok = [it for it in its if it.approvable]
        if not ok:
            continue
        prim = min(ok, key=lambda it: (it.published, order.get(it.source_id, 99), it.path))
        prim.primary = True
        month = prim.published.strftime("%Y-%m")
        by_month[month] = by_month.get(month, 0) + 1
        if start <= prim.published < end:
            total += 1
            by_source[prim.source_id] = by_source.get(prim.source_id, 0) + 1
            by_type[prim.item_type] = by_type.get(prim.item_type, 0) + 1
    return {
        "integrated_by_month": dict(sorted(by_month.items())),
        "integrated_total_to_target_end": total,
        "integrated_by_source_to_target_end": {s: by_source.get(s, 0) for s in CHANNEL_ORDER},
        "integrated_by_type_to_target_end": dict(sorted(by_type.items())),
        "integrated_total": sum(by_month.values()),
        "stories_total": len(stories),
        "items_total": len(items),
    }


def manifest_item(item: Item) -> dict:
    out = {
        "source_id": item.source_id,
        "path": item.path,
        "native_id": item.native_id,
        "story_id": item.story_id,
        "item_type": item.item_type,
        "section": item.section,
        "title": item.title,
        "author": item.author,
        "published_at_local": iso_local(item.published),
        "word_count": item.word_count,
        "approvable": item.approvable,
        "reject_reason": item.reject_reason,
        "primary": item.primary,
        "also_listed_in": list(item.also_listed_in),
        "quirks": [q for q in QUIRK_ORDER if q in item.quirks],
    }
    if item.legacy_path:
        out["legacy_path"] = item.legacy_path
    return out
