"""Article pages of a replica (any theme: the items and truth are the same, only the markup
differs), decoded as the pipeline decodes them, with their truth.

Shared by the extraction and accuracy sections so both read exactly the same inputs. The manifest
is ground truth for benchmarks and tests only; pipeline code never sees it.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

CHANNELS = ("baodongnai", "dongnai_gov", "dongnai_party")
BASE = "https://replica.invalid"  # extraction must not depend on the host the page was served from


@dataclass
class Page:
    source_id: str
    url: str
    html: str  # decoded text (NFC), what adapter and trafilatura both receive
    truth: dict  # the manifest item


def load_manifest(replica: Path) -> dict:
    return json.loads((replica / "manifest.json").read_text(encoding="utf-8"))


def load_pages(replica: Path, per_channel: int | None = None, seed: int = 5) -> list[Page]:
    """Every Vietnamese article page (or a seeded random sample of ``per_channel`` per channel), in
    manifest order."""
    from portal_etl.fetch import decode_html
    from portal_replica.common import as_served
    from portal_replica.manifest import vietnamese_items

    # the contract's items: the English section's translations have no truth of their own here
    items = vietnamese_items(load_manifest(replica))
    chosen: list[dict] = []
    for channel in CHANNELS:
        mine = [i for i in items if i["source_id"] == channel]
        if per_channel is not None and per_channel < len(mine):
            keep = set(random.Random(f"{seed}-{channel}").sample(range(len(mine)), per_channel))
            mine = [it for n, it in enumerate(mine) if n in keep]
        chosen += mine
    pages = []
    for item in chosen:
        raw = as_served((replica / "sites" / item["source_id"] / item["path"].lstrip("/")).read_bytes(), BASE)
        # the replica serves these sections as windows-1258 in the Content-Type header only
        content_type = "text/html; charset=windows-1258" if "legacy_encoding" in item["quirks"] else None
        text, _ = decode_html(raw, content_type)
        pages.append(Page(item["source_id"], BASE + item["path"], text, item))
    return pages


def adapters() -> dict:
    """One adapter per channel, from the registry in config/ (no overrides)."""
    from portal_etl.adapters import get_adapter
    from portal_etl.registry import load_registry

    registry = load_registry(overrides=None)
    return {channel: get_adapter(registry.get(channel)) for channel in CHANNELS}


def truth_bodies(replica: Path) -> dict[tuple[str, str], dict]:
    """{(source_id, path): {"body": paragraphs, "sapo": sapo}} from the generator's plan.

    The manifest records only the word count of a body, so the text itself comes from
    ``plan(ScenarioParams())`` — the same in-memory items the manifest was written from —
    cached next to the replica (which is rebuilt, cache included, when the generator changes).
    """
    cache = replica / "bench-bodies.json"
    if cache.exists():
        rows = json.loads(cache.read_text(encoding="utf-8"))
    else:
        from portal_replica.generator import ScenarioParams, plan

        scenario = plan(ScenarioParams())
        rows = [[it.source_id, it.path, "\n\n".join(it.paragraphs), it.sapo] for it in scenario.items]
        cache.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return {(sid, path): {"body": body, "sapo": sapo} for sid, path, body, sapo in rows}
