"""Reading the replica's ground truth (``<out>/manifest.json``) for tests and benchmarks.

Adapters never read it. The helpers recompute the truth from the items alone, with the
contract's rule, so tests can check the generator against an independent computation.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from portal_replica.common import CHANNEL_ORDER

MANIFEST_NAME = "manifest.json"


def load_manifest(out_dir: Path | str) -> dict[str, Any]:
    path = Path(out_dir)
    if path.is_dir():
        path = path / MANIFEST_NAME
    return json.loads(path.read_text(encoding="utf-8"))


def published(item: dict) -> datetime:
    """The item's local publish time (timezone-aware, +07:00)."""
    return datetime.fromisoformat(item["published_at_local"])


def month_of(item: dict) -> str:
    return item["published_at_local"][:7]


def items_of(manifest: dict, source_id: str) -> list[dict]:
    return [it for it in manifest["items"] if it["source_id"] == source_id]


def items_with_quirk(manifest: dict, quirk: str) -> list[dict]:
    return [it for it in manifest["items"] if quirk in it["quirks"]]


def item_by_path(manifest: dict, source_id: str, path: str) -> dict | None:
    for it in manifest["items"]:
        if it["source_id"] == source_id and it["path"] == path:
            return it
    return None


def stories(manifest: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for it in manifest["items"]:
        out.setdefault(it["story_id"], []).append(it)
    return out


def primary_items(manifest: dict) -> list[dict]:
    """Items flagged primary by the generator (one per integrated story)."""
    return [it for it in manifest["items"] if it["primary"]]


def recompute_primaries(manifest: dict) -> dict[str, dict]:
    """story_id → primary item, by the contract's rule applied to the approvable flags."""
    order = {sid: i for i, sid in enumerate(CHANNEL_ORDER)}
    out = {}
    for story_id, its in stories(manifest).items():
        ok = [it for it in its if it["approvable"]]
        if ok:
            out[story_id] = min(ok, key=lambda it: (published(it), order.get(it["source_id"], 99), it["path"]))
    return out


def integrated_by_month(manifest: dict) -> dict[str, int]:
    """Integrated stories per local month of their primary item, recomputed from the items."""
    counts = Counter(month_of(it) for it in recompute_primaries(manifest).values())
    return dict(sorted(counts.items()))


def integrated_total(manifest: dict, start: date | str | None = None, end: date | str | None = None) -> int:
    """Integrated stories whose primary local day is in [start, end] (defaults: the scenario's
    window_start and target_end)."""
    scenario = manifest["scenario"]
    start = date.fromisoformat(str(start or scenario["window_start"]))
    end = date.fromisoformat(str(end or scenario["target_end"]))
    lo = datetime.combine(start, datetime.min.time())
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time())
    return sum(1 for it in recompute_primaries(manifest).values() if lo <= published(it).replace(tzinfo=None) < hi)


def integrated_by_source(
    manifest: dict, start: date | str | None = None, end: date | str | None = None
) -> dict[str, int]:
    scenario = manifest["scenario"]
    start = date.fromisoformat(str(start or scenario["window_start"]))
    end = date.fromisoformat(str(end or scenario["target_end"]))
    counts: Counter[str] = Counter()
    for it in recompute_primaries(manifest).values():
        day = published(it).date()
        if start <= day <= end:
            counts[it["source_id"]] += 1
    return {sid: counts.get(sid, 0) for sid in CHANNEL_ORDER}


def vietnamese_items(manifest: dict) -> list[dict]:
    """The contract's items: every item but the English section's translations."""
    return [it for it in manifest["items"] if it.get("language", "vi") != "en"]


def english_source_versions_by_month(manifest: dict) -> dict[str, dict[str, int]]:
    """month → channel → integrated stories that have the source's own English version,
    recomputed from the English pairs: the story of each translation's original, counted in its
    primary's month and channel (what the report's English table shows)."""
    story_of = {(it["source_id"], it["path"]): it["story_id"] for it in manifest["items"]}
    primaries = recompute_primaries(manifest)
    counts: Counter[tuple[str, str]] = Counter()
    stories_seen = {
        story_of[(p["vi_source_id"], p["vi_path"])]
        for p in manifest.get("english", {}).get("pairs", [])
        if p["kind"] == "translation"
    }
    for story_id in stories_seen:
        primary = primaries[story_id]
        counts[(month_of(primary), primary["source_id"])] += 1
    out: dict[str, dict[str, int]] = {}
    for (month, source_id), n in sorted(counts.items()):
        out.setdefault(month, {})[source_id] = n
    return out


def approvable_items(manifest: dict, source_id: str | None = None) -> list[dict]:
    return [it for it in manifest["items"] if it["approvable"] and (source_id is None or it["source_id"] == source_id)]


def port_offsets(manifest: dict) -> dict[str, int]:
    return {sid: meta["port_offset"] for sid, meta in manifest["sources"].items()}
