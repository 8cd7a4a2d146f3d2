"""Báo Đồng Nai adapter on hand-written pages in the replica layout (docs/replica-contract.md)
with the text-level quirks of shared/sources.md §2."""

import unicodedata
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from portal_etl.adapters import BaoDongNaiAdapter, get_adapter
from portal_etl.models import ListEntry, ParseError
from portal_etl.registry import load_registry

REPO = Path(__file__).resolve().parents[1]
PAGES = Path(__file__).resolve().parent / "pages"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
BASE = "https://baodongnai.com.vn"
ART_URL = f"{BASE}/chinh-tri/202404/doan-cong-tac-tinh-uy-thai-nguyen-trao-doi-kinh-nghiem-tai-dong-nai-3f1391d"
VIDEO_URL = f"{BASE}/video/202405/le-hoi-trai-cay-long-khanh-2024-3f2a0b9"
PODCAST_URL = (
    f"{BASE}/podcast/202405/tin-nhanh-audio-ngay-2-5-2024-dong-nai-day-nhanh-tien-do-"
    "du-an-san-bay-long-thanh-va-cac-tuyen-duong-ket-noi-bi--3165435"
)


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


def clock() -> datetime:
    return vn(2024, 6, 30, 12, 0)


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def source(**update):
    return load_registry(REPO / "config" / "sources.yaml").get("baodongnai").model_copy(update=update)


@pytest.fixture
def bdn() -> BaoDongNaiAdapter:
    adapter = get_adapter(source(), now=clock)
    assert isinstance(adapter, BaoDongNaiAdapter)
    return adapter


SAPO = (
    "(ĐN)- Ngày 30-4, đoàn công tác Tỉnh ủy Thái Nguyên do đồng chí Phó bí thư Tỉnh ủy làm "
    "trưởng đoàn đã đến thăm, trao đổi kinh nghiệm tại Đồng Nai."
)


def test_article_every_field(bdn) -> None:
    item = bdn.parse_article(page("baodongnai_article.html"), ART_URL)
    assert item.source_id == "baodongnai"
    assert item.url == ART_URL and item.canonical_url == ART_URL
    assert item.native_id == "3f1391d"
    assert item.title == "Đoàn công tác Tỉnh ủy Thái Nguyên trao đổi kinh nghiệm tại Đồng Nai"
    assert item.sapo == SAPO
    # the sapo repeated as first paragraph (old layout) is dropped; byline and caption are out
    assert item.body_text.split("\n\n") == [
        "Tiếp đoàn có đồng chí Phó bí thư Thường trực Tỉnh ủy Đồng Nai cùng lãnh đạo một số sở, ngành.",
        "Tại buổi làm việc, hai bên đã trao đổi kinh nghiệm trong công tác xây dựng Đảng, phát "
        "triển kinh tế - xã hội, thu hút đầu tư và chuyển đổi số.",
        "Đồng chí Phó bí thư Thường trực Tỉnh ủy Đồng Nai mong muốn hai tỉnh tiếp tục tăng "
        "cường hợp tác trong thời gian tới.",
    ]
    assert item.body_html.startswith("<p>Tiếp đoàn")
    assert '<table class="image-caption">' in item.body_html  # captions stay in the HTML
    assert "Các đại biểu chụp ảnh lưu niệm" not in item.body_text
    assert "article-byline" not in item.body_html and "Hải Yến" not in item.body_text
    assert item.published_at == vn(2024, 4, 30, 23, 50)  # visible wins over JSON-LD (1 May)
    assert item.author == "Phương Hằng"
    assert item.section == "chinh-tri"
    assert item.item_type == "tin"
    assert item.language == "vi"
    assert item.tags == ["xây dựng Đảng", "Thái Nguyên"]
    assert [(i.src, i.caption) for i in item.images] == [
        (
            f"{BASE}/file/e7837c02876411cd0187645a2551379f/042024/doan-cong-tac_20240430235000.jpg",
            "Các đại biểu chụp ảnh lưu niệm. Ảnh: Phương Hằng",
        )
    ]
    assert item.video_url is None
    assert item.field_sources == {
        "title": "h1",
        "published_at": "visible_date",
        "body": "body_xpath",
        "author": "article_meta",
        "sapo": "article_sapo",
        "canonical_url": "canonical_link",
        "native_id": "url",
        "section": "url",
        "item_type": "length",
    }
    assert item.hint_misses == [] and set(item.field_confidence) == set(item.field_sources)


@pytest.mark.parametrize(
    "noise",
    [
        "Báo Đồng Nai điện tử",
        "Hotline",
        "0915.73.44.73",
        "Quảng cáo",
        "Trang chủ",
        "Thông tin bạn đọc",
        "Đóng Lưu thông tin",
        "[Infographic]",
        "Hôm nay có gì",
        "Tỉnh ủy họp phiên thường kỳ",
        "Hải Yến - Khánh Lộc",
        "xây dựng Đảng</a>",
    ],
)
def test_noise_is_not_in_the_body(bdn, noise: str) -> None:
    item = bdn.parse_article(page("baodongnai_article.html"), ART_URL)
    assert noise not in item.body_text
    assert noise not in item.body_html


def test_sapo_is_kept_in_the_body_when_it_differs(bdn) -> None:
    html = page("baodongnai_article.html").replace("(ĐN)-  Ngày 30-4, đoàn công tác", "Ngày 30-4, đoàn công tác")
    item = bdn.parse_article(html, ART_URL)
    assert item.body_text.startswith("Ngày 30-4, đoàn công tác")


NO_LD_AUTHOR = ('"author": {"@type": "Person", "name": "Phương Hằng"}', '"author": null')


def test_json_ld_author_when_the_author_element_is_missing(bdn) -> None:
    html = page("baodongnai_article.html").replace('<span class="article-author">Phương Hằng</span>', "")
    item = bdn.parse_article(html, ART_URL)
    assert item.author == "Phương Hằng"
    assert item.field_sources["author"] == "json_ld"
    assert "Hải Yến" not in item.body_text  # the byline paragraph is still not body text


def test_byline_becomes_the_author_when_no_structured_author(bdn) -> None:
    html = (
        page("baodongnai_article.html")
        .replace('<span class="article-author">Phương Hằng</span>', "")
        .replace(*NO_LD_AUTHOR)
    )
    item = bdn.parse_article(html, ART_URL)
    assert item.author == "Hải Yến - Khánh Lộc"
    assert item.field_sources["author"] == "byline"
    assert "Hải Yến" not in item.body_text


def test_unclassed_trailing_byline_paragraph(bdn) -> None:
    html = (
        page("baodongnai_article.html")
        .replace('<span class="article-author">Phương Hằng</span>', "")
        .replace('<p class="article-byline">Hải Yến - Khánh Lộc</p>', "<p>Hải Yến- Khánh Lộc</p>")
        .replace(*NO_LD_AUTHOR)
    )
    item = bdn.parse_article(html, ART_URL)
    assert item.author == "Hải Yến- Khánh Lộc"
    assert item.body_text.endswith("trong thời gian tới.")


def test_date_chain(bdn) -> None:
    html = page("baodongnai_article.html")
    no_visible = html.replace('<span class="article-time">23:50, 30/04/2024</span>', "")
    item = bdn.parse_article(no_visible, ART_URL)
    assert item.published_at == vn(2024, 5, 1, 8, 0)
    assert item.field_sources["published_at"] == "json_ld"

    no_structured = no_visible.replace('"datePublished": "2024-05-01T08:00:00+07:00",', "")
    with pytest.raises(ParseError) as exc:
        bdn.parse_article(no_structured, ART_URL)
    assert exc.value.reason == "no_date"
    entry = ListEntry(url=ART_URL, title="x", published_at=vn(2024, 4, 30, 23, 50))
    item = bdn.parse_article(no_structured, ART_URL, list_entry=entry)
    assert item.published_at == vn(2024, 4, 30, 23, 50)
    assert item.field_sources["published_at"] == "list_page"

    future = html.replace("23:50, 30/04/2024", "23:50, 30/04/2034")
    item = bdn.parse_article(future, ART_URL)
    assert item.field_sources["published_at"] == "json_ld"

    both_out = future.replace("2024-05-01T08:00:00+07:00", "2006-05-01T08:00:00+07:00")
    with pytest.raises(ParseError) as exc:
        bdn.parse_article(both_out, ART_URL)
    assert exc.value.reason == "date_out_of_window"


def test_video_page(bdn) -> None:
    item = bdn.parse_article(page("baodongnai_video.html"), VIDEO_URL)
    assert item.item_type == "video"
    assert item.section == "video"
    assert item.native_id == "3f2a0b9"
    assert item.canonical_url == VIDEO_URL
    assert item.video_url == (f"{BASE}/file/e7837c02876411cd0187645a2551379f/052024/le-hoi-trai-cay.mp4")
    assert item.body_text == ""  # only the byline was in the body: a video needs no text
    assert item.author == "Đắc Nhân - Ngọc Thành"  # "Thực hiện:" role label removed
    assert item.published_at == vn(2024, 5, 12, 18, 30)
    assert item.sapo.startswith("(ĐN) – Lễ hội")
    assert "Hotline" not in item.body_html


def test_youtube_iframe_in_a_text_section_is_a_video(bdn) -> None:
    html = page("baodongnai_article.html").replace(
        '<div class="article-body">',
        '<div class="article-video"><iframe src="https://www.youtube.com/embed/XyZ"></iframe>'
        '</div><div class="article-body">',
    )
    item = bdn.parse_article(html, ART_URL)
    assert item.item_type == "video" and item.video_url == "https://www.youtube.com/embed/XyZ"


def test_infographic_slug_and_image_only_body(bdn) -> None:
    url = f"{BASE}/tintuc/202208/infographic-hom-nay-co-gi-ngay-1-8-2022-3128022"
    html = page("baodongnai_article.html")
    start = html.index('<div class="article-body">')
    end = html.index('<div class="article-tags">')
    html = (
        html[:start] + '<div class="article-body"><table class="image-caption"><tr><td>'
        '<img src="/dataimages/202208/original/images2394760_info.jpg"></td></tr>'
        "<tr><td>Đồ họa: Hải Quân</td></tr></table></div>" + html[end:]
    )
    html = html.replace("23:50, 30/04/2024", "07:00, 01/08/2022").replace(ART_URL, url)
    item = bdn.parse_article(html, url)
    assert item.item_type == "infographic"
    assert item.section == "tintuc"
    assert item.native_id == "3128022"
    assert item.body_text == ""
    assert item.images[0].src == f"{BASE}/dataimages/202208/original/images2394760_info.jpg"


def test_podcast_page_decoded_from_windows_1258(bdn) -> None:
    text = (PAGES / "baodongnai_podcast_cp1258.html").read_bytes().decode("cp1258")
    assert not unicodedata.is_normalized("NFC", text)  # tones arrive as combining marks
    item = bdn.parse_article(text, PODCAST_URL)
    assert item.title == ("Tin nhanh audio ngày 2-5-2024: Đồng Nai đẩy nhanh tiến độ dự án sân bay Long Thành")
    assert unicodedata.is_normalized("NFC", item.title)
    assert unicodedata.is_normalized("NFC", item.body_text)
    assert item.item_type == "podcast"
    assert item.section == "podcast"
    assert item.native_id == "3165435"  # after the double dash of a truncated slug
    assert item.author == "Thu Hà"
    assert "tổng hợp" not in item.body_text
    assert item.body_text.startswith("Tỉnh đẩy nhanh tiến độ")
    assert item.published_at == vn(2024, 5, 2, 6, 0)


def test_english_page() -> None:
    url = f"{BASE}/english/politics/202507/standing-deputy-secretary-works-5d52c77"
    html = (
        page("baodongnai_article.html")
        .replace('<html lang="vi">', "<html>")
        .replace("23:50, 30/04/2024", "10:00, 16/07/2025")
    )
    item = get_adapter(source(), now=lambda: vn(2025, 8, 1)).parse_article(html, url)
    assert item.language == "en"
    assert item.section == "english/politics"
    assert item.native_id == "5d52c77"
    assert item.canonical_url == ART_URL  # the page's own canonical


@pytest.mark.parametrize(
    ("byline", "author"),
    [
        ("By Cong Nghia - Translated by Hai Quan", "Cong Nghia"),  # the English edition's (sources.md)
        ("By T.H (tong hop) - Translated by Hai Yen", "T.H (tong hop)"),  # "T.H (tổng hợp)" without marks
    ],
)
def test_english_byline_gives_the_reporter_and_leaves_the_body(byline: str, author: str) -> None:
    """A page that names its author nowhere else: the unmarked last paragraph is the byline."""
    url = f"{BASE}/english/politics/202507/standing-deputy-secretary-works-5d52c77"
    html = (
        page("baodongnai_article.html")
        .replace('<html lang="vi">', "<html>")
        .replace('"author": {"@type": "Person", "name": "Phương Hằng"},', "")
        .replace('<span class="article-author">Phương Hằng</span>', "")
        .replace('<meta name="author" content="Báo Đồng Nai">', "")
        .replace('<p class="article-byline">Hải Yến - Khánh Lộc</p>', f"<p>{byline}</p>")
    )
    item = get_adapter(source(), now=lambda: vn(2025, 8, 1)).parse_article(html, url)
    assert item.author == author
    assert item.field_sources["author"].startswith("byline")
    assert "Translated by" not in item.body_text
    assert item.body_text.rstrip().endswith("trong thời gian tới.")


def test_parse_errors(bdn) -> None:
    def reason(html: str) -> str:
        with pytest.raises(ParseError) as exc:
            bdn.parse_article(html, ART_URL)
        return exc.value.reason

    html = page("baodongnai_article.html")
    assert reason("") == "empty_page"
    assert reason("\ufeff  ") == "empty_page"
    assert reason("\x89PNG\r\n\x1a\n") == "not_html"
    # a list page is not an article: no method finds the publish time of "its" body of teasers
    assert reason(page("baodongnai_list.html")) in ("layout_unknown", "no_date")
    no_title = (
        html.replace('<h1 class="article-title">', '<h1 class="x">')
        .replace('<meta property="og:title"', '<meta property="og:x"')
        .replace('"headline"', '"x"')
    )
    assert (
        reason(
            no_title.replace("<title>", "<x-title>")
            .replace("</title>", "</x-title>")
            .replace("<h1", "<h2")
            .replace("</h1>", "</h2>")
        )
        == "no_title"
    )
    start = html.index('<div class="article-body">')
    end = html.index('<div class="article-tags">')
    no_body = html[:start] + '<div class="article-body"> </div>' + html[end:]
    assert reason(no_body) == "no_body"
    # a page is never half-filled: an image-only body is not enough for a text section
    image_only = html[:start] + '<div class="article-body"><img src="/a.jpg"></div>' + html[end:]
    assert reason(image_only) == "no_body"


def test_redesigned_layout_extracts_the_same_fields(bdn) -> None:
    """Class names renamed and the pager gone: every field still comes out, by methods that do
    not depend on class names, and the stale selectors are named as hint misses."""
    original = bdn.parse_article(page("baodongnai_article.html"), ART_URL)
    html = page("baodongnai_article.html")
    for name in (
        "article-detail",
        "article-body",
        "article-title",
        "article-time",
        "article-sapo",
        "article-author",
        "article-byline",
        "article-tags",
        "article-meta",
        "reader-comments",
        "related-news",
        "site-header",
        "breadcrumb",
    ):
        html = html.replace(name, f"x{abs(hash(name)) % 997}")
    item = bdn.parse_article(html, ART_URL)
    for name in ("title", "published_at", "sapo", "body_text", "author", "section", "native_id", "item_type"):
        assert getattr(item, name) == getattr(original, name), name
    assert item.field_sources["body"] != "body_xpath" and item.field_confidence["body"] > 0.5
    assert {"body_xpath", "article_title_xpath", "date_xpath"} <= set(item.hint_misses)
    assert original.hint_misses == []


def test_title_from_json_ld_when_no_headline_element(bdn) -> None:
    html = (
        page("baodongnai_article.html")
        .replace('<h1 class="article-title">', '<h1 class="x">')
        .replace('<meta property="og:title"', '<meta property="og:x"')
    )
    item = bdn.parse_article(html, ART_URL)
    assert item.field_sources["title"] == "json_ld"
    assert item.title.startswith("Đoàn công tác")


# --- list pages ----------------------------------------------------------------------------------


def test_list_page(bdn) -> None:
    section = source().section("chinh-tri")
    listing = bdn.parse_list(page("baodongnai_list.html"), f"{BASE}/chinh-tri?page=2", section)
    assert [(e.url, e.title, e.published_at, e.native_id, e.date_only) for e in listing.entries] == [
        (
            f"{BASE}/chinh-tri/202405/hoi-nghi-tinh-uy-lan-thu-20-3f2b001",
            "Hội nghị Tỉnh ủy lần thứ 20",
            vn(2024, 5, 2, 8, 15),
            "3f2b001",
            False,
        ),
        (
            ART_URL,
            "Đoàn công tác Tỉnh ủy Thái Nguyên trao đổi kinh nghiệm tại Đồng Nai",
            vn(2024, 4, 30, 23, 50),
            "3f1391d",
            False,
        ),
        (
            f"{BASE}/chinh-tri/202312/ky-niem-ngay-thanh-lap-3150012",
            "Kỷ niệm ngày thành lập Đảng bộ tỉnh",
            vn(2023, 12, 5, 10, 2),
            "3150012",
            False,
        ),
    ]  # the related-news teaser is not an entry
    assert listing.next_url == f"{BASE}/chinh-tri?page=3"


def test_list_page_past_the_last(bdn) -> None:
    html = (
        '<html><body><header class="site-header"><div class="masthead">Báo Đồng Nai điện tử'
        '</div></header><div class="list-news"></div></body></html>'
    )
    listing = bdn.parse_list(html, f"{BASE}/chinh-tri?page=99", source().section("chinh-tri"))
    assert listing.entries == [] and listing.next_url is None


def test_section_start_urls() -> None:
    adapter = get_adapter(source())
    assert [u for _, u in adapter.section_start_urls()] == [f"{BASE}/{s.path}" for s in source().sections]
    assert adapter.section_start_urls()[0][0].path == "chinh-tri"


@pytest.mark.parametrize(
    ("url", "native"),
    [
        (ART_URL, "3f1391d"),
        (f"{BASE}/tintuc/200702/ba-muoi-nam-2015520", "2015520"),
        (PODCAST_URL, "3165435"),
        (f"{BASE}/english/202509/x-ef32440/", "ef32440"),
        (f"{BASE}/chinh-tri/xay-dung-dang", None),
        (f"{BASE}/chinh-tri", None),
    ],
)
def test_native_id(bdn, url: str, native) -> None:
    assert bdn.native_id(url) == native


@pytest.mark.parametrize(
    ("url", "skip"),
    [
        (ART_URL, False),
        ("https://www.baodongnai.com.vn/chinh-tri/202404/x-3f1391d", False),
        ("https://xsdinh.com/media/202403/x-3f1391d", True),
        (f"{BASE}/file/e7837c02876411cd0187645a2551379f/042024/a.jpg", True),
        (f"{BASE}/print/chinh-tri/202404/x-3f1391d", True),
    ],
)
def test_skip_url(bdn, url: str, skip: bool) -> None:
    assert bdn.skip_url(url) is skip
