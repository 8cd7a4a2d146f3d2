"""Selectors learned during a run (adapters/learned.py): a path is trusted only once the generic
finder has confirmed it, gives the same fields as the whole-page search, and is dropped when a
page no longer fits it."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest

from portal_etl.adapters import get_adapter
from portal_etl.adapters.learned import CONFIRMATIONS, LearnedPath, path_of
from portal_etl.registry import load_registry

REPO = Path(__file__).resolve().parents[1]


def adapter():
    return get_adapter(load_registry(REPO / "config" / "sources.yaml").get("baodongnai"))


def test_path_of_prefers_a_stable_id_then_the_exact_class() -> None:
    doc = lxml.html.fromstring(
        '<div><div id="post-3162385" class="noi-dung chinh"><p>a</p></div><div id="bai"><p>b</p></div>'
        '<section><p class="x">c</p></section></div>'
    )
    first, second, third = doc.findall(".//p")
    assert path_of(first.getparent()) == "//div[@class='noi-dung chinh']"  # the id holds the article's id
    assert path_of(second.getparent()) == "//*[@id='bai']"
    assert path_of(doc.find(".//section")) is None  # nothing that names it on another page
    assert path_of(third) == "//p[@class='x']"


def test_a_path_is_used_only_after_confirmations_and_forgotten_when_it_no_longer_fits() -> None:
    doc = lxml.html.fromstring('<div><div class="body"><p>text</p></div></div>')
    body = doc.find(".//div[@class='body']")
    learned = LearnedPath()
    learned.observe(doc, body, unpruned=False)
    assert learned.path == "//div[@class='body']" and not learned.active
    for _ in range(CONFIRMATIONS):
        learned.observe(doc, body, unpruned=True)
    assert learned.active and learned.element(doc) is body
    two = lxml.html.fromstring('<div><div class="body"><p>a</p></div><div class="body"><p>b</p></div></div>')
    assert learned.element(two) is None  # ambiguous: the caller goes back to the whole page
    learned.observe(doc, doc, unpruned=False)  # the finder chose something else: start again
    assert not learned.active


@pytest.fixture(scope="module")
def restyled(tmp_path_factory) -> tuple[Path, list[dict]]:
    """A small scenario in the restyled theme: Báo Đồng Nai article pages no selector matches."""
    from portal_replica.generator import ScenarioParams, generate

    out = tmp_path_factory.mktemp("learned")
    generate(
        ScenarioParams(
            start="2024-03-01",
            end="2024-03-31",
            window_start="2024-03-01",
            target_end="2024-03-31",
            target_integrated=60,
            theme="restyled",
        ),
        out,
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    items = [i for i in manifest["items"] if i["source_id"] == "baodongnai" and "legacy_encoding" not in i["quirks"]]
    return out, items[:12]


def _page(out: Path, item: dict) -> tuple[str, str]:
    html = (out / "sites" / "baodongnai" / item["path"].lstrip("/")).read_text(encoding="utf-8")
    return html, "https://baodongnai.com.vn" + item["path"]


def test_a_run_switches_to_the_learned_path_and_extracts_the_same_fields(restyled) -> None:
    out, items = restyled
    shared = adapter()
    parsed = [shared.parse_article(*_page(out, item)) for item in items]
    methods = [p.field_sources["body"] for p in parsed]
    assert methods[0] == "density" and methods[-1] == "learned_path", methods
    for item, got in zip(items, parsed, strict=True):
        fresh = adapter().parse_article(*_page(out, item))  # a run that starts at this page
        assert fresh.field_sources["body"] == "density"
        for name in ("title", "sapo", "body_text", "author", "published_at", "item_type", "video_url"):
            assert getattr(got, name) == getattr(fresh, name), (item["path"], name)
        assert len(got.body_text.split()) == item["word_count"] or got.item_type != "tin"


def test_a_page_the_learned_path_does_not_fit_goes_back_to_the_whole_page(restyled) -> None:
    out, items = restyled
    shared = adapter()
    for item in items[:-1]:
        shared.parse_article(*_page(out, item))
    html, url = _page(out, items[-1])
    assert shared.parse_article(html, url).field_sources["body"] == "learned_path"
    changed = html.replace('id="pz-txt" class="pz-txt"', 'class="w-content"')  # the template changed again
    item = shared.parse_article(changed, url)
    assert item.field_sources["body"] == "density"
    assert item.body_text == adapter().parse_article(html, url).body_text
