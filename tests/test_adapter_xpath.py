"""The adapters' default selectors compiled with descendant steps select what they say."""

from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from portal_etl.adapters import get_adapter
from portal_etl.adapters.xpath import compile_selector, descendant_steps
from portal_etl.registry import load_registry

REPO = Path(__file__).resolve().parents[1]
PAGES = Path(__file__).resolve().parent / "pages"
CAPTURE = REPO.parent / "shared" / "fixtures" / "nukeviet-4.5.05"


@pytest.mark.parametrize(
    ("expr", "rewritten"),
    [
        ("//a", "/descendant::a"),
        (".//*[@id='x']//p", "./descendant::*[@id='x']/descendant::p"),
        ("//a/@href | //link[@rel='next']/@href", "/descendant::a/@href | /descendant::link[@rel='next']/@href"),
        ("//a[contains(@href, '//x')]", "/descendant::a[contains(@href, '//x')]"),  # not inside a literal
        ("//@href", "//@href"),  # attributes are no descendants
        ("//text()", "//text()"),  # a node test, not a name
        ("//self::p", "//self::p"),  # an axis
        ("//li[1]", "//li[1]"),  # positional: the first of its siblings, not of all matches
        ("//li[last()]", "//li[last()]"),
        ("//li[position() < 3]", "//li[position() < 3]"),
        ("//li[count(a)]", "//li[count(a)]"),  # a number-valued predicate is positional too
        ("//li[$n]", "//li[$n]"),
        ("//div[@x]//li[2]", "//div[@x]//li[2]"),  # one positional predicate keeps the whole expression
    ],
)
def test_descendant_steps(expr: str, rewritten: str) -> None:
    assert descendant_steps(expr) == rewritten


def test_a_positional_step_would_select_otherwise() -> None:
    """Why positional predicates are left alone: the two forms differ on them."""
    doc = lxml.html.fromstring("<div><ul><li>a</li><li>b</li></ul><ul><li>c</li></ul></div>")
    assert [li.text for li in doc.xpath("//li[1]")] == ["a", "c"]
    assert [li.text for li in doc.xpath("/descendant::li[1]")] == ["a"]


def test_an_invalid_selector_is_refused_as_written() -> None:
    with pytest.raises(etree.XPathSyntaxError):
        compile_selector("//a[")


def _documents() -> list:
    files = sorted(PAGES.glob("*.html"))
    if CAPTURE.is_dir():
        files += sorted(CAPTURE.rglob("*.html"))[:60]
    return [lxml.html.document_fromstring(f.read_bytes()) for f in files]


@pytest.mark.parametrize("channel", ["baodongnai", "dongnai_gov", "dongnai_party"])
def test_every_default_selector_selects_the_same_rewritten(channel: str) -> None:
    adapter = get_adapter(load_registry(REPO / "config" / "sources.yaml").get(channel))
    docs = _documents()
    checked = 0
    for key, expr in adapter._xpath_sources.items():
        written, compiled = etree.XPath(expr), adapter.xp[key]
        for doc in docs:
            for node in [doc, *list(doc.iter("article", "div"))[:20]]:
                assert compiled(node) == written(node), (key, expr)
                checked += 1
    assert checked > 1000
    assert sum(adapter.xp[key].path != expr for key, expr in adapter._xpath_sources.items()) >= 10


def test_a_registry_override_is_compiled_as_written() -> None:
    source = load_registry(REPO / "config" / "sources.yaml").get("dongnai_gov")
    source = source.model_copy(update={"adapter_options": {**source.adapter_options, "tags_xpath": "//a[@rel='tag']"}})
    adapter = get_adapter(source)
    assert adapter.xp["tags_xpath"].path == "//a[@rel='tag']"
    assert adapter.xp["og_title_xpath"].path.startswith("/descendant::")
