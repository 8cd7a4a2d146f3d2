"""What every adapter shares: the factory, text helpers, the item-type rule and throughput."""

import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from portal_etl.adapters import ADAPTERS, BaoDongNaiAdapter, NukeVietAdapter, get_adapter
from portal_etl.adapters.html import block_texts, fold, fold_nfc, is_editor_caption, text_folds_to
from portal_etl.models import ListEntry
from portal_etl.registry import load_registry

REPO = Path(__file__).resolve().parents[1]
PAGES = Path(__file__).resolve().parent / "pages"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def registry():
    return load_registry(REPO / "config" / "sources.yaml")


def test_get_adapter_picks_the_registry_adapter() -> None:
    reg = registry()
    assert isinstance(get_adapter(reg.get("dongnai_gov")), NukeVietAdapter)
    assert isinstance(get_adapter(reg.get("dongnai_party")), NukeVietAdapter)
    assert isinstance(get_adapter(reg.get("baodongnai")), BaoDongNaiAdapter)
    assert set(ADAPTERS) == {"nukeviet", "baodongnai", "generic"}
    bogus = reg.get("baodongnai").model_copy(update={"adapter": "wordpress"})
    with pytest.raises(ValueError, match="wordpress"):
        get_adapter(bogus)


def test_default_clock_is_aware_and_local() -> None:
    adapter = get_adapter(registry().get("baodongnai"))
    now = adapter.now()
    assert now.tzinfo is not None
    naive = get_adapter(registry().get("baodongnai"), now=lambda: datetime(2024, 1, 1))
    assert naive.now() == datetime(2024, 1, 1, tzinfo=VN)


def test_fold_and_fold_nfc() -> None:
    assert fold("  a\u00a0\u00a0b\n\tc\u200b ") == "a b c"
    assert fold(None) == ""
    decomposed = "Đo\u0300ng Nai"  # "ò" as o + combining grave
    assert fold_nfc(decomposed) == "Đòng Nai"
    assert fold_nfc("People&#x2019;s Council &#40;7th Term&#41;&#x3A; 20", unescape=True) == (
        "People\u2019s Council (7th Term): 20"
    )
    assert fold_nfc("\u00d0ồng Nai") == "\u00d0ồng Nai"  # U+00D0 is the normaliser's business


def test_block_texts_paragraphs_breaks_and_skips() -> None:
    root = lxml.html.fragment_fromstring(
        "<div>lead text<p>One <b>bold</b> line<br>continues</p><p>Two<br><br>Three</p>"
        "<!-- a comment --><table><tr><td><img src='x'></td></tr><tr><td>Cap</td></tr></table>"
        "<ul><li>item 1</li><li>item 2</li></ul><script>var x = 1;</script>tail</div>"
    )
    table = root.find(".//table")
    assert block_texts(root, {table}) == [
        "lead text",
        "One bold line continues",
        "Two",
        "Three",
        "item 1",
        "item 2",
        "tail",
    ]


def test_block_texts_leave_an_unclosed_svg_like_a_browser() -> None:
    """libxml2 nests the rest of the body inside an unclosed ``<svg>``; a browser leaves foreign
    content at the next HTML block, so that text is still the article's (issue 6)."""
    root = lxml.html.fragment_fromstring(
        "<div><p>a</p><svg><script>x()</script><text>label</text></svg><p>b</p>"
        "<svg/onload=alert(1)><p>c</p>tail<math><mi>m</mi></math><div>d <b>e</b></div></div>"
    )
    assert block_texts(root) == ["a", "b", "c", "tail", "d e"]


def test_block_texts_stop_once_the_test_is_met() -> None:
    root = lxml.html.fragment_fromstring("<div><p>one two</p><p>three</p><div><p>four</p></div><p>five</p></div>")
    seen: list[str] = []

    def third(text: str) -> bool:
        seen.append(text)
        return len(seen) == 3

    assert block_texts(root, until=third) == ["one two", "three", "four"]
    assert seen == ["one two", "three", "four"]
    assert block_texts(root, until=lambda text: False) == block_texts(root)


@pytest.mark.parametrize(
    "markup",
    [
        "<p>Đồng Nai mở rộng</p>",
        "<p>  Đồng\u00a0 <b>Nai</b>\n mở rộng </p>",
        "<p>Đo\u0302\u0300ng Nai mở rộng</p>",  # decomposed first word
        "<p><i>Đ</i>ồng Nai mở <!-- x --> rộng</p>",  # the first word split over elements
        "<p>\u200b Đồng Nai mở rộng</p>",  # a first "word" of a zero-width space only
        "<p>Đồng Nai mở rộng thêm</p>",
        "<p>Đồng Nai</p>",
        "<p>Nai mở rộng</p>",
        "<p>Đồng</p>",
        "<p></p>",
    ],
)
def test_text_folds_to_is_fold_nfc_equality(markup: str) -> None:
    el = lxml.html.fragment_fromstring(markup)
    for target in ("Đồng Nai mở rộng", "Đồng", ""):
        assert text_folds_to(el, target) == (fold_nfc(el.text_content()) == target)
    assert text_folds_to(el, fold_nfc(el.text_content()))


def test_editor_caption_detection() -> None:
    root = lxml.html.fragment_fromstring(
        '<div><p style="text-align: center;"><img src="a.jpg"></p>'
        '<p style="text-align:center"><em>Caption under the photo</em></p>'
        '<p style="text-align:center"><em>Centred quote</em> not a caption</p>'
        "<p><em>Italic paragraph</em></p></div>"
    )
    paragraphs = root.findall("p")
    assert [is_editor_caption(p) for p in paragraphs] == [False, True, False, False]


def test_naive_list_entry_time_is_taken_as_local() -> None:
    adapter = get_adapter(registry().get("baodongnai"), now=lambda: datetime(2024, 6, 30, tzinfo=VN))
    html = (PAGES / "baodongnai_article.html").read_text(encoding="utf-8")
    html = html.replace('<span class="article-time">23:50, 30/04/2024</span>', "").replace(
        '"datePublished": "2024-05-01T08:00:00+07:00",', ""
    )
    url = "https://baodongnai.com.vn/chinh-tri/202404/x-3f1391d"
    entry = ListEntry(url=url, title="x", published_at=datetime(2024, 4, 30, 23, 50))
    item = adapter.parse_article(html, url, list_entry=entry)
    assert item.published_at == datetime(2024, 4, 30, 23, 50, tzinfo=VN)


def test_throughput_is_far_above_a_generic_extractor() -> None:
    """A loose floor (the benchmark proper measures it): parsing is a few ms at most."""
    adapter = get_adapter(registry().get("dongnai_gov"), now=lambda: datetime(2024, 6, 30, tzinfo=VN))
    html = (PAGES / "nukeviet_gov_article.html").read_text(encoding="utf-8")
    url = "https://dongnai.gov.vn/vi/news/thoi-su-chinh-tri/x-379.html"
    runs = 200
    started = time.perf_counter()
    for _ in range(runs):
        adapter.parse_article(html, url)
    assert runs / (time.perf_counter() - started) > 50


def _renamed(html: str) -> str:
    """Every class and id of a page renamed, ``rel`` attributes kept: a theme nobody wrote selectors for."""
    import re

    return re.sub(
        r'(\s(?:class|id)=")([^"]*)(")',
        lambda m: m.group(1) + " ".join("zz-" + t for t in m.group(2).split()) + m.group(3),
        html,
    )


@pytest.mark.parametrize(
    ("source_id", "page_name", "page_url", "section"),
    [
        (
            "dongnai_gov",
            "nukeviet_gov_list.html",
            "https://dongnai.gov.vn/vi/news/thoi-su-chinh-tri/page-2/",
            "thoi-su-chinh-tri",
        ),
        ("baodongnai", "baodongnai_list.html", "https://baodongnai.com.vn/chinh-tri?page=2", "chinh-tri"),
    ],
)
def test_list_page_of_an_unknown_theme_reads_the_same_entries(source_id, page_name, page_url, section) -> None:
    """Teasers found by their article links and repeated structure, dated from their text; the
    related-news block beside the list left out; the pager still followed."""
    source = load_registry(REPO / "config" / "sources.yaml").get(source_id)
    adapter = get_adapter(source)
    html = (REPO / "tests" / "pages" / page_name).read_text(encoding="utf-8")
    known = adapter.parse_list(html, page_url, source.section(section))
    generic = adapter.parse_list(_renamed(html), page_url, source.section(section))
    entries = [(e.url, e.published_at, e.native_id, e.date_only) for e in generic.entries]
    assert entries == [(e.url, e.published_at, e.native_id, e.date_only) for e in known.entries]
    assert generic.next_url == known.next_url and generic.next_url
    assert known.methods["entries"] == "hint" and known.hint_misses == []
    assert generic.methods["entries"] == "article_links" and "list_item_xpath" in generic.hint_misses


def test_control_character_test_agrees_with_the_regex_it_stands_in_for() -> None:
    from portal_etl.adapters.base import _CONTROL, _has_control

    for code in [*range(0x21), 0x7F, 0x85, 0xA0, 0x2028, 0xD800, 0x1F600]:
        text = f"Đồng Nai {chr(code)} ệ"
        assert _has_control(text) == (_CONTROL.search(text) is not None), hex(code)


@pytest.mark.parametrize(
    "markup",
    [
        "<div>short</div>",
        "<div>" + "word " * 30 + "</div>",
        "<div>" + " " * 300 + "a b c</div>",  # a prefix of whitespace only
        "<div>" + "<p>x</p>\n\n" * 40 + "</div>",
        "<div>" + "<b>Đồng</b> Nai " * 12 + "</div>",
    ],
)
def test_longer_than_is_the_folded_length_test(markup: str) -> None:
    from portal_etl.adapters import signals

    el = lxml.html.fragment_fromstring(markup)
    for limit in (0, 5, 40, 59, 60, 61, 120, 600):
        assert signals.longer_than(el, limit) == (len(signals.fold(el.text_content())) > limit), limit


@pytest.mark.parametrize(
    "base", ["https://replica.invalid/x/y.html", "HTTPS://Replica.invalid:8080/x?q=1", "file:///x"]
)
@pytest.mark.parametrize(
    "href",
    ["/vi/news/a-1.html", "/a/../b", "/./x", "//host/x", "/a?b", "/a#", "/a;p", "/a b", "/a\tb", "/", "/a//b"]
    + ["/%2e%2e/x", "/ä", "/a/.", "/a:b", "/A%20B", "/..", "/a/b.c/d-3f1391d", "rel/x.html", "../x"],
)
def test_joining_a_rooted_path_is_what_urljoin_returns(base: str, href: str) -> None:
    from urllib.parse import urljoin

    adapter = get_adapter(registry().get("dongnai_gov"))
    assert adapter._abs(base, href) == urljoin(base, href.strip())


def test_item_type_by_length_counts_words_up_to_the_threshold() -> None:
    adapter = get_adapter(registry().get("dongnai_gov"))
    least = adapter.source.article_min_words
    for words, expected in ((least - 1, "tin"), (least, "bai"), (least + 1, "bai"), (0, "tin")):
        text = "  ".join(["từ"] * words) + " \n"
        assert adapter._item_type_found(None, "slug", None, text) == (expected, "length"), words


def test_a_reread_selector_sees_what_was_cut_out_of_the_page_since() -> None:
    adapter = get_adapter(registry().get("dongnai_gov"))
    doc = adapter.load(
        "<html><head><meta property='og:title' content='Head title'></head><body>"
        "<div id='box'><meta property='og:title' content='Box title'></div><p>text</p></body></html>"
    )
    assert adapter._all(doc, "og_title_xpath") == ["Head title", "Box title"]
    assert adapter._all(doc, "og_title_xpath") == ["Head title", "Box title"]
    doc.get_element_by_id("box").drop_tree()
    assert adapter._all(doc, "og_title_xpath") == ["Head title"]
    other = adapter.load("<html><head><meta property='og:title' content='Other'></head><body><p>x</p></body></html>")
    assert adapter._all(other, "og_title_xpath") == ["Other"]


def test_the_invisible_character_test_agrees_with_the_pattern() -> None:
    from portal_etl.adapters.html import _INVISIBLE, _has_invisible

    for code in [0x200A, 0x200B, 0x200C, 0x200D, 0x200E, 0x2060, 0xFEFF, 0x00AD, 0x00A0, 0x0301]:
        text = f"Đồng{chr(code)}Nai"
        assert _has_invisible(text) == (_INVISIBLE.search(text) is not None), hex(code)
