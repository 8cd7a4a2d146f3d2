"""Every article page of the default replica, parsed by its channel's adapter from disk.

Field accuracy against the generator's ground truth, and each quirk of the replica handled.
(The manifest is read only here, in tests: pipeline code never sees it.)
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path

import pytest

from portal_etl.adapters import get_adapter
from portal_etl.fetch import decode_html
from portal_etl.normalize.text import fix_eth
from portal_etl.registry import load_registry

SOURCES = ("dongnai_party", "dongnai_gov", "baodongnai")


@pytest.fixture(scope="module")
def parsed(replica_dir: Path, manifest: dict) -> dict[tuple[str, str], tuple[dict, object]]:
    registry = load_registry(overrides=None)
    base = "https://replica.invalid"  # extraction must not depend on the host it was served from
    out = {}
    for item in manifest["items"]:
        source = registry.get(item["source_id"])
        adapter = get_adapter(source)
        rel = item["path"].lstrip("/")
        raw = (replica_dir / "sites" / item["source_id"] / rel).read_bytes()
        content_type = "text/html; charset=windows-1258" if "legacy_encoding" in item["quirks"] else None
        text, _ = decode_html(raw, content_type)
        out[(item["source_id"], item["path"])] = (item, adapter.parse_article(text, base + item["path"]))
    return out


def test_every_page_parses_with_every_field_right(parsed) -> None:
    wrong: list[str] = []
    for (source_id, path), (truth, got) in parsed.items():
        checks = {
            "title": fix_eth(got.title) == truth["title"],
            "published_at": got.published_at == datetime.fromisoformat(truth["published_at_local"]),
            "item_type": got.item_type == truth["item_type"],
            "section": got.section == truth["section"],
            "native_id": got.native_id == truth["native_id"],
            "author": not truth.get("author") or got.author == truth["author"],
            "word_count": got.item_type in ("video", "photo", "infographic", "podcast")
            or len(got.body_text.split()) == truth["word_count"],
        }
        wrong += [f"{source_id}{path}: {name}" for name, ok in checks.items() if not ok]
    assert wrong == [], f"{len(wrong)} wrong fields, e.g. {wrong[:5]}"
    assert {s for s, _ in parsed} == set(SOURCES)


@pytest.mark.parametrize(
    "quirk", ["eth_title", "nfd_title", "nfd_body", "legacy_encoding", "tone_old", "sapo_repeated"]
)
def test_quirky_pages_come_out_clean(parsed, quirk: str) -> None:
    cases = [(truth, got) for truth, got in parsed.values() if quirk in truth["quirks"]]
    assert cases, f"the replica has no {quirk} item"
    for _truth, got in cases:
        for text in (got.title, got.sapo, got.body_text):
            assert unicodedata.is_normalized("NFC", text)
        assert "\ufffd" not in got.title + got.body_text  # no decoding damage
        if quirk == "eth_title":
            assert got.title.startswith("\u00d0")  # kept as the site wrote it; normalised later
        if quirk == "sapo_repeated":
            first = got.body_text.split("\n\n")[0]
            assert " ".join(first.split()) != " ".join(got.sapo.split())


def test_noise_blocks_never_reach_the_body(parsed) -> None:
    noise = ("Những tin mới hơn", "Những tin cũ hơn", "Thông tin bạn đọc", "Hotline", "Đóng Lưu thông tin")
    for truth, got in parsed.values():
        assert not any(n in got.body_text for n in noise), truth["path"]
