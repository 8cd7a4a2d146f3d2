"""NukeViet adapter on hand-written pages that follow shared/sources.md §1 and the replica
contract: every field, the noise blocks, the date chain, list pages, RSS and parse errors."""

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from portal_etl.adapters import NukeVietAdapter, get_adapter
from portal_etl.models import FeedEntry, ListEntry, ParseError
from portal_etl.registry import load_registry

REPO = Path(__file__).resolve().parents[1]
PAGES = Path(__file__).resolve().parent / "pages"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
GOV_URL = (
    "https://dongnai.gov.vn/vi/news/thoi-su-chinh-tri/"
    "dhong-nai-co-them-3-khu-cong-nghiep-moi-giai-doan-2024-1-200-ha-379.html"
)
PARTY_BASE = "http://127.0.0.1:8702"
PARTY_URL = f"{PARTY_BASE}/news/xay-dung-dang/hoi-nghi-ban-chap-hanh-dang-bo-tinh-lan-thu-12-1234.html"


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


def clock() -> datetime:
    return vn(2024, 6, 30, 12, 0)


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def gov_source(**update):
    return load_registry(REPO / "config" / "sources.yaml").get("dongnai_gov").model_copy(update=update)


def party_source(**update):
    base = {"base_url": PARTY_BASE, "allowed_domains": ["127.0.0.1:8702"]}
    return load_registry(REPO / "config" / "sources.yaml").get("dongnai_party").model_copy(update={**base, **update})


@pytest.fixture
def gov() -> NukeVietAdapter:
    adapter = get_adapter(gov_source(), now=clock)
    assert isinstance(adapter, NukeVietAdapter)
    return adapter


@pytest.fixture
def party() -> NukeVietAdapter:
    return get_adapter(party_source(), now=clock)


# --- article: every field ------------------------------------------------------------------------


def test_gov_article_every_field(gov) -> None:
    item = gov.parse_article(page("nukeviet_gov_article.html"), GOV_URL)
    assert item.source_id == "dongnai_gov"
    assert item.url == GOV_URL
    assert item.canonical_url == GOV_URL
    assert item.native_id == "379"
    # U+00D0 (Ð) kept as served; entities (&#40; &#41;) decoded
    assert item.title == "\u00d0ồng Nai có thêm 3 khu công nghiệp mới (giai đoạn 2024): 1.200 ha"
    assert item.title[0] == "\u00d0"
    assert item.sapo == (
        "(ĐN) - UBND tỉnh vừa phê duyệt chủ trương đầu tư 3 khu công nghiệp "
        "mới với tổng diện tích khoảng 1.200 ha: Long Đức 3, Bàu Cạn và Xuân Quế."
    )
    assert item.body_text.split("\n\n") == [
        "Theo quyết định, khu công nghiệp Long Đức 3 có diện tích 282 ha, thuộc huyện Long "
        "Thành; khu công nghiệp Bàu Cạn rộng 500 ha và khu công nghiệp Xuân Quế rộng khoảng "
        "418 ha.",
        "Tổng vốn đầu tư hạ tầng của 3 dự án hơn 9.000 tỷ đồng. Các dự án dự kiến thu hút "
        "khoảng 60.000 lao động khi đi vào hoạt động ổn định.",
        "Phó Chủ tịch UBND tỉnh đề nghị các sở, ngành liên quan phối hợp chặt chẽ với chủ đầu "
        "tư trong công tác bồi thường, giải phóng mặt bằng và bố trí tái định cư cho người dân "
        "bị ảnh hưởng.",
    ]
    # captions stay in the HTML, not in the text
    assert "Lãnh đạo tỉnh trao quyết định" in item.body_html
    assert "<figcaption>Vị trí 3 khu công nghiệp mới" in item.body_html
    assert "Lãnh đạo tỉnh trao" not in item.body_text and "Vị trí 3" not in item.body_text
    assert item.body_html.startswith("<p>Theo quyết định")
    assert item.published_at == vn(2024, 5, 28, 20, 13)
    assert item.published_at.tzinfo is not None
    assert item.author == "Minh Anh"  # "Nguồn tin" is the source, not the author
    assert item.section == "thoi-su-chinh-tri"
    assert item.item_type == "tin"  # < 500 words, no video
    assert item.language == "vi"
    assert item.tags == ["khu công nghiệp", "đầu tư"]
    assert [(i.src, i.caption) for i in item.images] == [
        (
            "https://dongnai.gov.vn/uploads/binhphuoc/news/2024_05/kcn-long-duc.jpg",
            "Khu công nghiệp Long Đức 3 nhìn từ trên cao",
        ),
        (
            "https://dongnai.gov.vn/uploads/binhphuoc/news/2024_05/le-cong-bo.jpg",
            "Lãnh đạo tỉnh trao quyết định chủ trương đầu tư cho các nhà đầu tư",
        ),
        (
            "https://cdn.dongnai.gov.vn/uploads/binhphuoc/news/2024_05/ban-do.png",
            "Vị trí 3 khu công nghiệp mới (Ảnh: Sở Kế hoạch và Đầu tư)",
        ),
    ]
    assert item.video_url is None
    assert item.field_sources == {
        "title": "h1",
        "published_at": "visible_date",
        "body": "body_xpath",
        "author": "byline",
        "sapo": "hometext",
        "canonical_url": "canonical_link",
        "native_id": "url",
        "section": "url",
        "item_type": "length",
    }
    assert item.hint_misses == [] and set(item.field_confidence) == set(item.field_sources)


@pytest.mark.parametrize(
    "noise",
    [
        "Những tin mới hơn",
        "Những tin cũ hơn",
        "Họp báo định kỳ",
        "Khai mạc kỳ họp",
        "Tổng số điểm",
        "Click để đánh giá",
        "Thích Chia sẻ",
        "Chia sẻ Zalo",
        "Ý kiến bạn đọc",
        "Trang nhất",
        "Gửi bài viết",
        "Lưu bài viết",
        "Tác giả",
        "Nguồn tin",
        "Tags",
        "savefile",
        "DongNai",
        "Thứ ba",
    ],
)
def test_gov_noise_blocks_are_not_in_the_body(gov, noise: str) -> None:
    item = gov.parse_article(page("nukeviet_gov_article.html"), GOV_URL)
    assert noise not in item.body_text
    assert noise not in item.body_html


def test_party_single_language_article(party) -> None:
    item = party.parse_article(page("nukeviet_party_article.html"), PARTY_URL)
    assert item.canonical_url == PARTY_URL  # relative canonical made absolute
    assert item.native_id == "1234"
    assert item.section == "xay-dung-dang"
    assert item.title == "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 12"
    assert item.published_at == vn(2023, 11, 29, 7, 30)
    # the trailing right-aligned byline paragraph is the author, not body text
    assert item.author == "Thanh Hải"
    assert item.field_sources["author"] == "body_byline"
    assert "Thanh Hải" not in item.body_text
    assert item.body_text.endswith("kiểm tra, giám sát.")
    assert len(item.body_text.split("\n\n")) == 3
    assert "Theo dòng sự kiện" not in item.body_text
    assert item.images[0].caption == "Quang cảnh hội nghị"
    assert item.images[0].src == f"{PARTY_BASE}/uploads/news/2023_11/hoi-nghi-12.jpg"
    assert item.item_type == "tin"


def test_item_type_bai_when_long_enough() -> None:
    adapter = get_adapter(party_source(article_min_words=50), now=clock)
    item = adapter.parse_article(page("nukeviet_party_article.html"), PARTY_URL)
    assert len(item.body_text.split()) >= 50
    assert item.item_type == "bai"


YOUTUBE = '<p><iframe src="https://www.youtube.com/embed/abc123" allowfullscreen></iframe></p>'


def test_video_in_forced_video_section(party) -> None:
    html = page("nukeviet_party_article.html").replace("/xay-dung-dang/", "/video/")
    html = html.replace("<p>Đồng chí Bí thư", YOUTUBE + "<p>Đồng chí Bí thư")
    item = party.parse_article(html, PARTY_URL.replace("/xay-dung-dang/", "/video/"))
    assert item.section == "video"
    assert item.item_type == "video"
    assert item.video_url == "https://www.youtube.com/embed/abc123"


def test_video_only_body_is_not_no_body(party) -> None:
    html = page("nukeviet_party_article.html").replace("/xay-dung-dang/", "/video/")
    start = html.index('<div id="news-bodyhtml"')
    end = html.index("</div>", start)
    html = (
        html[:start] + '<div id="news-bodyhtml" class="bodytext margin-bottom-lg">'
        '<video controls><source src="/uploads/video/clip.mp4" type="video/mp4"></video>' + html[end:]
    )
    item = party.parse_article(html, PARTY_URL.replace("/xay-dung-dang/", "/video/"))
    assert item.body_text == ""
    assert item.video_url == f"{PARTY_BASE}/uploads/video/clip.mp4"
    assert item.item_type == "video"


def test_playable_video_in_unforced_section_is_video(party) -> None:
    html = page("nukeviet_party_article.html").replace("<p>Đồng chí Bí thư", YOUTUBE + "<p>Đồng chí Bí thư")
    item = party.parse_article(html, PARTY_URL)
    assert item.section == "xay-dung-dang" and item.item_type == "video"


def test_iframe_not_on_the_allowlist_is_not_a_video(party) -> None:
    html = page("nukeviet_party_article.html").replace(
        "<p>Đồng chí Bí thư", '<p><iframe src="https://www.google.com/maps/embed?pb=1"></iframe></p><p>Đồng chí Bí thư'
    )
    item = party.parse_article(html, PARTY_URL)
    assert item.video_url is None and item.item_type == "tin"


def test_english_page_language_and_date() -> None:
    adapter = get_adapter(gov_source(), now=clock)
    html = (
        page("nukeviet_gov_article.html")
        .replace('lang="vi"', 'lang="en"', 1)
        .replace("Thứ ba - 28/05/2024 20:13", "Tuesday - 28/05/2024 20:13")
    )
    url = "https://dongnai.gov.vn/en/news/Socio-Economic-information/many-options-4043.html"
    html = html.replace(GOV_URL, url)
    item = adapter.parse_article(html, url)
    assert item.language == "en"
    assert item.published_at == vn(2024, 5, 28, 20, 13)
    assert item.section == "Socio-Economic-information"  # mixed-case alias kept
    assert item.native_id == "4043"


def test_multi_category_section_comes_from_the_canonical_url(gov) -> None:
    # fetched under the non-primary category (after redirects the URL may still differ)
    other = GOV_URL.replace("/thoi-su-chinh-tri/", "/kinh-te/")
    item = gov.parse_article(page("nukeviet_gov_article.html"), other)
    assert item.url == other
    assert item.section == "thoi-su-chinh-tri"
    assert item.canonical_url == GOV_URL


# --- the date chain ------------------------------------------------------------------------------


def _without_visible_date(html: str) -> str:
    return html.replace('<span class="h5">Thứ ba - 28/05/2024 20:13</span>', "")


def test_visible_date_wins_over_meta_and_itemprop(gov) -> None:
    html = page("nukeviet_gov_article.html").replace("2024-05-28+0720:13:00", "2024-05-27+0709:00:00")
    item = gov.parse_article(html, GOV_URL)
    assert item.published_at == vn(2024, 5, 28, 20, 13)
    assert item.field_sources["published_at"] == "visible_date"


def test_malformed_meta_used_when_visible_date_missing(gov) -> None:
    html = _without_visible_date(page("nukeviet_gov_article.html"))
    item = gov.parse_article(html, GOV_URL)
    assert item.published_at == vn(2024, 5, 28, 20, 13)
    assert item.field_sources["published_at"] == "meta_published_time"


def test_itemprop_date_published_is_never_used(gov) -> None:
    html = _without_visible_date(page("nukeviet_gov_article.html")).replace(
        '<meta property="article:published_time" content="2024-05-28+0720:13:00" />', ""
    )
    assert 'itemprop="datePublished">2024-06-02T08:00:00+07:00' in html
    with pytest.raises(ParseError) as exc:
        gov.parse_article(html, GOV_URL)
    assert exc.value.reason == "no_date"
    # the list-page time is the next link of the chain, then the feed hour
    entry = ListEntry(url=GOV_URL, title="x", published_at=vn(2024, 5, 28, 20, 13, 5))
    item = gov.parse_article(html, GOV_URL, list_entry=entry)
    assert item.published_at == vn(2024, 5, 28, 20, 13, 5)
    assert item.field_sources["published_at"] == "list_page"
    feed = FeedEntry(url=GOV_URL, title="x", guid="news_379", published_hour_utc=datetime(2024, 5, 28, 13, tzinfo=UTC))
    item = gov.parse_article(html, GOV_URL, feed_entry=feed)
    assert item.published_at == vn(2024, 5, 28, 20, 0)
    assert item.field_sources["published_at"] == "feed"
    item = gov.parse_article(html, GOV_URL, list_entry=entry, feed_entry=feed)
    assert item.field_sources["published_at"] == "list_page"


def test_out_of_window_visible_date_falls_through(gov) -> None:
    html = page("nukeviet_gov_article.html").replace("Thứ ba - 28/05/2024 20:13", "Thứ hai - 01/01/2035 10:00")
    item = gov.parse_article(html, GOV_URL)
    assert item.published_at == vn(2024, 5, 28, 20, 13)
    assert item.field_sources["published_at"] == "meta_published_time"


def test_impossible_visible_date_is_unparseable(gov) -> None:
    html = page("nukeviet_gov_article.html").replace("Thứ ba - 28/05/2024 20:13", "Thứ ba - 31/02/2024 20:13")
    item = gov.parse_article(html, GOV_URL)
    assert item.field_sources["published_at"] == "meta_published_time"


def test_date_before_live_since_is_out_of_window(party) -> None:
    # the Party portal went live on 2023-10-09: a May 2023 date cannot be its publish time
    html = (
        page("nukeviet_party_article.html")
        .replace("Thứ tư - 29/11/2023 07:30", "Thứ hai - 01/05/2023 07:30")
        .replace("2023-11-29+0707:30:00", "2023-05-01+0707:30:00")
    )
    with pytest.raises(ParseError) as exc:
        party.parse_article(html, PARTY_URL)
    assert exc.value.reason == "date_out_of_window"
    entry = ListEntry(url=PARTY_URL, title="x", published_at=vn(2023, 11, 29, 7, 30))
    item = party.parse_article(html, PARTY_URL, list_entry=entry)
    assert item.published_at == vn(2023, 11, 29, 7, 30)
    assert item.field_sources["published_at"] == "list_page"


def test_future_dates_beyond_one_day_are_out_of_window() -> None:
    adapter = get_adapter(gov_source(), now=lambda: vn(2024, 5, 27, 20, 0))
    with pytest.raises(ParseError) as exc:
        adapter.parse_article(page("nukeviet_gov_article.html"), GOV_URL)
    assert exc.value.reason == "date_out_of_window"
    # within now + 1 day is accepted
    adapter = get_adapter(gov_source(), now=lambda: vn(2024, 5, 27, 20, 30))
    assert adapter.parse_article(page("nukeviet_gov_article.html"), GOV_URL).published_at


# --- parse errors --------------------------------------------------------------------------------


def _reason(adapter, html: str, url: str = GOV_URL) -> str:
    with pytest.raises(ParseError) as exc:
        adapter.parse_article(html, url)
    return exc.value.reason


def test_parse_error_reasons(gov) -> None:
    original = page("nukeviet_gov_article.html")
    assert _reason(gov, "") == "empty_page"
    assert _reason(gov, "  \n\t ") == "empty_page"
    assert _reason(gov, "<html><body>  </body></html>") == "empty_page"
    assert _reason(gov, "%PDF-1.4\n%âãÏÓ\n1 0 obj") == "not_html"
    assert _reason(gov, '{"status": "ok"}') == "not_html"
    # a list page is not an article
    assert _reason(gov, page("nukeviet_gov_list.html")) == "layout_unknown"
    # no headline anywhere (h1 and og:title gone)
    no_title = original.replace('<h1 class="title margin-bottom-lg" itemprop="headline">', '<div class="x">').replace(
        "1.200 ha</h1>", "1.200 ha</div>"
    )
    no_title = "\n".join(line for line in no_title.splitlines() if "og:title" not in line)
    assert gov.parse_article(no_title, GOV_URL).field_sources["title"] == "title_tag"  # <title> minus site
    no_title = "\n".join(line for line in no_title.splitlines() if "<title>" not in line)
    assert _reason(gov, no_title) == "no_title"
    # the body container is there but empty, and there is no video
    start = original.index('<div id="news-bodyhtml"')
    end = original.index('<div class="margin-bottom-lg">', start)
    no_body = original[:start] + '<div id="news-bodyhtml" class="bodytext"><p>&nbsp;</p></div></div>' + original[end:]
    assert _reason(gov, no_body) == "no_body"


def test_title_falls_back_to_og_title(gov) -> None:
    html = (
        page("nukeviet_gov_article.html")
        .replace('<h1 class="title margin-bottom-lg" itemprop="headline">', '<div class="x">')
        .replace("1.200 ha</h1>", "1.200 ha</div>")
    )
    item = gov.parse_article(html, GOV_URL)
    assert item.field_sources["title"] == "og_title"
    assert item.title == "\u00d0ồng Nai có thêm 3 khu công nghiệp mới (giai đoạn 2024): 1.200 ha"


def test_redesigned_layout_extracts_the_same_fields(gov) -> None:
    original = gov.parse_article(page("nukeviet_gov_article.html"), GOV_URL)
    html = (
        page("nukeviet_gov_article.html")
        .replace("news-bodyhtml", "nd-body")
        .replace("bodytext", "nd-text")
        .replace("title margin-bottom-lg", "nd-title")
        .replace("hometext", "nd-lead")
        .replace("margin-bottom-lg", "nd-row")
        .replace("text-right", "nd-right")
    )
    item = gov.parse_article(html, GOV_URL)
    for name in ("title", "published_at", "sapo", "body_text", "author", "section", "native_id", "item_type", "tags"):
        assert getattr(item, name) == getattr(original, name), name
    assert item.field_sources["body"] != "body_xpath"
    assert item.field_sources["author"] == "author_label"
    assert {"body_xpath", "date_xpath"} <= set(item.hint_misses)
    assert "Tác giả" not in item.body_text and "DongNai: Web portal" not in item.body_text


def test_rethemed_site_is_a_configuration_change() -> None:
    html = (
        page("nukeviet_gov_article.html")
        .replace('<div id="news-bodyhtml" class="bodytext margin-bottom-lg">', '<div class="noi-dung">')
        .replace('<h1 class="title margin-bottom-lg" itemprop="headline">', '<h1 class="tieu-de">')
    )
    options = {
        "lang_prefix": "/vi",
        "module": "news",
        "body_xpath": "//div[@class='noi-dung']",
        "article_title_xpath": "//h1[@class='tieu-de']",
    }
    adapter = get_adapter(gov_source(adapter_options=options), now=clock)
    item = adapter.parse_article(html, GOV_URL)
    assert item.title.startswith("\u00d0ồng Nai")
    assert item.body_text.startswith("Theo quyết định")
    with pytest.raises(ValueError, match="body_xpath"):
        get_adapter(gov_source(adapter_options={**options, "body_xpath": "//div[@"}))


# --- list pages ----------------------------------------------------------------------------------

LIST_URL = "https://dongnai.gov.vn/vi/news/thoi-su-chinh-tri/page-2/"


def test_list_page_entries_and_malformed_pager(gov) -> None:
    section = gov_source().section("thoi-su-chinh-tri")
    listing = gov.parse_list(page("nukeviet_gov_list.html"), LIST_URL, section)
    got = [(e.url, e.title, e.published_at, e.native_id, e.date_only) for e in listing.entries]
    base = "https://dongnai.gov.vn/vi/news/thoi-su-chinh-tri/"
    assert got == [
        (
            base + "dhong-nai-co-them-3-khu-cong-nghiep-moi-giai-doan-2024-1-200-ha-379.html",
            "\u00d0ồng Nai có thêm 3 khu công nghiệp mới (giai đoạn 2024)",
            vn(2024, 5, 28, 20, 13),
            "379",
            False,
        ),
        (
            base + "tinh-uy-lam-viec-voi-huyen-long-thanh-378.html",
            "Tỉnh ủy làm việc với huyện Long Thành",
            vn(2024, 5, 28, 9, 5, 41),
            "378",
            False,
        ),
        (
            base + "ky-hop-chuyen-de-hdnd-tinh-01-06-2024-377.html",
            "Kỳ họp chuyên đề HĐND tỉnh",
            vn(2024, 5, 1, 0, 30),
            "377",
            False,
        ),
        (base + "hoi-nghi-so-ket-quy-i-370.html", "Hội nghị sơ kết quý I", vn(2024, 4, 30), "370", True),
        (base + "tiep-xuc-cu-tri-368.html", "Tiếp xúc cử tri", vn(2024, 4, 29), "368", True),
    ]
    # the active <li> closed with <li> does not break the pager
    assert listing.next_url == base + "page-3/"


def test_pager_without_rel_next_uses_the_link_after_the_active_page(gov) -> None:
    html = page("nukeviet_gov_list.html").replace(' rel="next"', "")
    section = gov_source().section("thoi-su-chinh-tri")
    listing = gov.parse_list(html, LIST_URL, section)
    assert listing.next_url == "https://dongnai.gov.vn/vi/news/thoi-su-chinh-tri/page-3/"


def test_last_page_has_no_next(gov) -> None:
    html = page("nukeviet_gov_list.html")
    start = html.index('<ul class="pagination">')
    html = html[:start] + html[html.index("</ul>", start) + 5 :]
    section = gov_source().section("thoi-su-chinh-tri")
    assert gov.parse_list(html, LIST_URL, section).next_url is None
    assert gov.parse_list("", LIST_URL, section).entries == []


def test_tag_list_page_time_format(party) -> None:
    html = """<html><body><div class="news_column"><div class="panel panel-default">
      <div class="panel-body"><h3><a href="/news/xay-dung-dang/bai-viet-99.html"
      title="Bài viết">Bài viết</a></h3><div class="text-muted"><ul class="list-unstyled
      list-inline"><li><em class="fa fa-clock-o">&nbsp;</em> 16:03 23/02/2024</li></ul></div>
      </div></div></div></body></html>"""
    section = party_source().section("xay-dung-dang")
    listing = party.parse_list(html, f"{PARTY_BASE}/news/tag/x%C3%A2y-d%E1%BB%B1ng", section)
    assert [(e.url, e.published_at) for e in listing.entries] == [
        (f"{PARTY_BASE}/news/xay-dung-dang/bai-viet-99.html", vn(2024, 2, 23, 16, 3))
    ]


def test_unknown_list_template_falls_back_to_article_shaped_links(gov) -> None:
    html = """<html><body><div class="list-group">
      <a class="show h4" href="/vi/news/kinh-te/xuat-khau-tang-501.html" title="Xuất khẩu tăng">
      <h4 class="list-group-item-heading"><span class="label label-default">1</span>
      Xuất khẩu tăng</h4></a>
      <a href="/vi/news/kinh-te/">Kinh tế</a><a href="/vi/news/savefile/kinh-te/x-501.html">s</a>
      </div></body></html>"""
    listing = gov.parse_list(html, "https://dongnai.gov.vn/vi/news/kinh-te/", gov_source().section("kinh-te"))
    assert [(e.url, e.title, e.published_at) for e in listing.entries] == [
        ("https://dongnai.gov.vn/vi/news/kinh-te/xuat-khau-tang-501.html", "Xuất khẩu tăng", None)
    ]


def test_section_start_urls() -> None:
    gov = get_adapter(gov_source())
    urls = [u for _, u in gov.section_start_urls()]
    assert urls[0] == "https://dongnai.gov.vn/vi/news/thoi-su-chinh-tri/"
    assert len(urls) == len(gov_source().sections)  # not-integrated sections are listed too
    party = get_adapter(party_source())
    assert [u for _, u in party.section_start_urls()][:2] == [
        f"{PARTY_BASE}/news/xay-dung-dang/",
        f"{PARTY_BASE}/news/tin-hoat-dong/",
    ]
    unconfigured = get_adapter(load_registry(REPO / "config" / "sources.yaml").get("dongnai_party"))
    assert unconfigured.section_start_urls() == []


# --- RSS -----------------------------------------------------------------------------------------


def test_rss_feed_with_the_pubdate_bug(gov) -> None:
    raw = (PAGES / "nukeviet_rss.xml").read_bytes()
    feed_url = "https://dongnai.gov.vn/vi/news/rss/thoi-su-chinh-tri/"
    entries = gov.parse_feed(raw, feed_url)
    assert [e.guid for e in entries] == ["news_379", "news_378", "news_370"]
    assert entries[0].url == GOV_URL  # whitespace around the link stripped
    assert entries[1].url == (
        "https://dongnai.gov.vn/vi/news/thoi-su-chinh-tri/tinh-uy-lam-viec-voi-huyen-long-thanh-378.html"
    )
    assert entries[0].title == "\u00d0ồng Nai có thêm 3 khu công nghiệp mới (giai đoạn 2024)"
    # "13:05:00 GMT" in May: the :05 is the month; only date + hour are kept
    assert entries[0].published_hour_utc == datetime(2024, 5, 28, 13, tzinfo=UTC)
    assert entries[2].published_hour_utc == datetime(2024, 5, 6, 23, tzinfo=UTC)
    # the same feed given as text parses the same
    assert gov.parse_feed(raw.decode("utf-8"), feed_url) == entries
    assert gov.parse_feed(b"", feed_url) == []
    assert gov.parse_feed(b"<html>not a feed", feed_url) == []


# --- URLs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "skip"),
    [
        (GOV_URL, False),
        ("https://www.dongnai.gov.vn/vi/news/kinh-te/x-1.html", False),
        ("https://dongnai.gov.vn/vi/news/savefile/thoi-su-chinh-tri/x-379.html", True),
        ("https://dongnai.gov.vn/vi/news/print/thoi-su-chinh-tri/x-379.html", True),
        ("https://dongnai.gov.vn/vi/news/sendmail/thoi-su-chinh-tri/x-379.html", True),
        ("https://dongnai.gov.vn/vi/news/rating/379/", True),
        ("https://dongnai.gov.vn/index.php?language=vi&nv=news&op=print/x-379", True),
        ("https://baodongnai.com.vn/chinh-tri/202404/x-3f1391d", True),  # off-site
        ("https://dongnai.gov.vn.evil.example/vi/news/kinh-te/x-1.html", True),
        ("javascript:void(0)", True),
        ("mailto:ubnd@dongnai.gov.vn", True),
        ("https://dongnai.gov.vn/uploads/binhphuoc/news/2024_05/a.pdf", True),
    ],
)
def test_skip_url(gov, url: str, skip: bool) -> None:
    assert gov.skip_url(url) is skip


def test_skip_url_with_a_port() -> None:
    adapter = get_adapter(gov_source(base_url="http://127.0.0.1:8701", allowed_domains=["127.0.0.1:8701"]))
    assert not adapter.skip_url("http://127.0.0.1:8701/vi/news/kinh-te/x-1.html")
    assert adapter.skip_url("http://127.0.0.1:8702/vi/news/kinh-te/x-1.html")


@pytest.mark.parametrize(
    ("url", "native"),
    [
        (GOV_URL, "379"),
        ("https://dongnai.gov.vn/en/news/savefile/Socio-Economic-information/x-4043.html", "4043"),
        ("https://dongnai.gov.vn/vi/news/kinh-te/", None),
        ("https://dongnai.gov.vn/vi/news/kinh-te/page-2/", None),
        ("https://dongnai.gov.vn/Pages/newsdetail.aspx?NewsId=9678&CatId=21", None),
    ],
)
def test_native_id(gov, url: str, native) -> None:
    assert gov.native_id(url) == native


def test_entities_are_decoded_exactly_once_and_control_characters_dropped(gov) -> None:
    """A headline written ``&amp;lt;script&amp;gt;`` shows as ``&lt;script&gt;`` in a browser, and
    that is what is extracted (a second decode would make a tag the source never had); NUL and
    other C0 controls are dropped, not turned into U+FFFD."""
    html = page("nukeviet_gov_article.html")
    title = "Thoát kép &amp;lt;script&amp;gt; &amp;amp; &amp;#40;1&amp;#41;"
    html = re.sub(r"(<h1[^>]*>).*?(</h1>)", lambda m: m.group(1) + title + m.group(2), html, count=1, flags=re.S)
    html = re.sub(r'(property="og:title" content=")[^"]*', lambda m: m.group(1) + title, html, count=1)
    html = html.replace("Theo quyết định", "Theo\x00 quyết\x01 định\x1f", 1)
    item = gov.parse_article(html, GOV_URL)
    assert item.title == "Thoát kép &lt;script&gt; &amp; &#40;1&#41;"
    assert item.body_text.startswith("Theo quyết định")
    assert not any(c in item.body_text + item.body_html for c in "\x00\x01\x1f\ufffd")


def test_meta_values_escaped_once_read_as_a_browser_shows_them(gov) -> None:
    """NukeViet writes ``(`` ``)`` ``:`` as ``&#40;`` ``&#41;`` ``&#x3A;`` in <title> and the
    description: one decode (the parser's) gives the text."""
    html = (
        page("nukeviet_gov_article.html")
        .replace('<h1 class="title margin-bottom-lg" itemprop="headline">', '<div class="x">')
        .replace("1.200 ha</h1>", "1.200 ha</div>")
    )
    html = "\n".join(line for line in html.splitlines() if "og:title" not in line)
    item = gov.parse_article(html, GOV_URL)
    assert item.field_sources["title"] == "title_tag"
    assert item.title == "\u00d0ồng Nai có thêm 3 khu công nghiệp mới (giai đoạn 2024): 1.200 ha"
