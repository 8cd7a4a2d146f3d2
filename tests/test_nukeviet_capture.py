"""The NukeViet adapter on a real, stock NukeViet 4.5.05 site captured page by page.

``shared/fixtures/nukeviet-4.5.05`` holds what the CMS itself served (articles, category list
pages with a page 2, RSS feeds) and ``truth.json``, the truth of the 64 articles entered through
its admin pages. Every article, list page and feed of the capture goes through the adapter built
from a registry entry, and every field the truth has a counterpart for is compared with it.

Fast and offline: files from disk, no network, no database, no Airflow. The module is skipped
when the capture is not beside the repository (``<repo>/../shared``) nor under
``$PORTAL_ETL_SHARED_DIR``.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import pytest
import yaml

from portal_etl.adapters import NukeVietAdapter, get_adapter
from portal_etl.fetch import decode_html
from portal_etl.models import ExtractedItem, ListEntry, ListPage, ParseError
from portal_etl.normalize.text import fix_eth
from portal_etl.registry import Source, load_registry

REPO = Path(__file__).resolve().parents[1]
ENV_SHARED = "PORTAL_ETL_SHARED_DIR"
CAPTURE_SUBDIR = Path("fixtures") / "nukeviet-4.5.05"


def _capture_candidates() -> list[Path]:
    found = []
    if os.environ.get(ENV_SHARED):
        found.append(Path(os.environ[ENV_SHARED]).expanduser() / CAPTURE_SUBDIR)
    found.append(REPO.parent / "shared" / CAPTURE_SUBDIR)
    return found


def _locate_capture() -> Path | None:
    for candidate in _capture_candidates():
        if (candidate / "truth.json").is_file() and (candidate / "site").is_dir():
            return candidate
    return None


CAPTURE = _locate_capture()
if CAPTURE is None:
    pytest.skip(
        "NukeViet 4.5.05 capture not found (looked for truth.json and site/ in: "
        + ", ".join(str(p) for p in _capture_candidates())
        + f"; set {ENV_SHARED} to the shared folder)",
        allow_module_level=True,
    )

SITE = CAPTURE / "site"
BASE = "http://nukeviet.test"  # the capture's host (rewritten by the capture itself)
HOST = "nukeviet.test"
MODULE_DIR = SITE / "vi" / "news"
RSS_DIR = MODULE_DIR / "rss"
TZ_NAME = "Asia/Ho_Chi_Minh"
VN = ZoneInfo(TZ_NAME)
# fixed clock: a month after the newest article (2024-05-30), so the window never depends on today
NOW = datetime(2024, 6, 30, 12, 0, tzinfo=VN)
# the site's own sample articles go back to 28/05/2010 (Ra-mat-cong-ty-…-1.html), ours start 2024-03
LIVE_SINCE = date(2010, 1, 1)
# module routes of the news module that are not categories
NOT_CATEGORIES = frozenset({"rss", "search", "content", "tag"})
ARTICLE_FILE = re.compile(r"^[^/]+-(\d+)\.html$")
ARTICLE_PATH = re.compile(r"^/vi/news/([^/]+)/[^/]+-(\d+)\.html$")
WEEKDAYS_VI = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")

TRUTH: dict = json.loads((CAPTURE / "truth.json").read_text(encoding="utf-8"))
ARTICLES: list[dict] = TRUTH["articles"]
BY_ID: dict[int, dict] = {a["id"]: a for a in ARTICLES}
TRUTH_CATEGORIES = sorted({c for a in ARTICLES for c in a["categories"]})

# Article 37 has no "Tác giả" field; its writer is the right-aligned last body paragraph
# `<p style="text-align: right;"><strong>Thanh Tâm</strong></p>`, which the adapter reads as the
# author (field source "body_byline") and keeps out of the body text.
BODY_BYLINES = {37: "Thanh Tâm"}


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def truth_time(article: dict) -> datetime:
    return datetime.fromisoformat(article["published_at"])


def article_url(article: dict) -> str:
    return BASE + article["url_path"]


def read_page(path: Path) -> str:
    """The page decoded the way the pipeline decodes a fetched body (no Content-Type header here)."""
    text, _encoding = decode_html(path.read_bytes(), None)
    return text


def site_file(url: str) -> Path:
    """The capture file serving ``url`` (``…/`` → ``…/index.html``)."""
    path = urlsplit(url).path
    rel = path.lstrip("/")
    return SITE / (rel + "index.html" if path.endswith("/") else rel)


def category_dirs() -> list[str]:
    """Category aliases of the capture: folders of the news module holding article pages."""
    return sorted(
        d.name
        for d in MODULE_DIR.iterdir()
        if d.is_dir() and d.name not in NOT_CATEGORIES and any(ARTICLE_FILE.match(f.name) for f in d.glob("*.html"))
    )


def _category_names() -> dict[str, str]:
    """Display name of each category: truth's titles, else the category feed's channel title."""
    names = {c: t for a in ARTICLES for c, t in zip(a["categories"], a["category_titles"], strict=True)}
    module_feed = (RSS_DIR / "index.html").read_text(encoding="utf-8")
    module_title = re.search(r"<title>\s*(.*?)\s*</title>", module_feed, re.S).group(1)
    for alias in category_dirs():
        feed = RSS_DIR / alias / "index.html"
        if alias in names or not feed.is_file():
            continue
        match = re.search(r"<title>\s*(.*?)\s*</title>", feed.read_text(encoding="utf-8"), re.S)
        if match:
            names[alias] = match.group(1).removeprefix(f"{module_title} - ")
    return names


# --- the registry entry and the adapter ---------------------------------------------------------


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Source:
    """The capture's site as a registry entry, read back through the registry's own loader."""
    names = _category_names()
    entry = {
        "id": "nukeviet_capture",
        "name": "NukeViet 4.5.05 capture",
        "base_url": BASE,
        "allowed_domains": [HOST],
        "adapter": "nukeviet",
        "live_since": LIVE_SINCE.isoformat(),
        "timezone": TZ_NAME,
        "adapter_options": {"lang_prefix": "/vi", "module": "news"},
        "rss": ["/vi/news/rss/"],
        "sections": [
            {"path": alias, "name": names.get(alias, alias), "integrate": alias in TRUTH_CATEGORIES}
            for alias in category_dirs()
        ],
    }
    folder = tmp_path_factory.mktemp("registry")
    registry_file = folder / "sources.yaml"
    registry_file.write_text(
        yaml.safe_dump({"defaults": {"timezone": TZ_NAME, "language": "vi"}, "sources": [entry]}, allow_unicode=True),
        encoding="utf-8",
    )
    no_overrides = folder / "overrides.yaml"  # keeps a $PORTAL_ETL_SOURCES_OVERRIDES of the shell out
    no_overrides.write_text("sources: {}\n", encoding="utf-8")
    return load_registry(registry_file, no_overrides).get("nukeviet_capture")


@pytest.fixture(scope="module")
def adapter(source: Source) -> NukeVietAdapter:
    built = get_adapter(source, now=lambda: NOW)
    assert isinstance(built, NukeVietAdapter)
    return built


@pytest.fixture(scope="module")
def parsed(adapter: NukeVietAdapter) -> dict[int, ExtractedItem | ParseError]:
    """Every truth article parsed from its saved page (a ParseError is kept, to be reported)."""
    out: dict[int, ExtractedItem | ParseError] = {}
    for article in ARTICLES:
        html = read_page(SITE / article["url_path"].lstrip("/"))
        try:
            out[article["id"]] = adapter.parse_article(html, article_url(article))
        except ParseError as exc:
            out[article["id"]] = exc
    return out


def test_capture_and_registry_entry(source: Source, adapter: NukeVietAdapter) -> None:
    assert TRUTH["count"] == len(ARTICLES) == len(BY_ID) == 64
    assert TRUTH["timezone"] == TZ_NAME
    for article in ARTICLES:
        assert (SITE / article["url_path"].lstrip("/")).is_file(), article["url_path"]
    assert set(TRUTH_CATEGORIES) <= {s.path for s in source.sections}
    assert source.tz == VN and source.base_url == BASE
    lower, upper = adapter.date_window()
    assert lower <= min(truth_time(a) for a in ARTICLES) and max(truth_time(a) for a in ARTICLES) <= upper


# --- articles: one test per field family ----------------------------------------------------------


def _body_image_paths(item: ExtractedItem) -> set[str]:
    return {urlsplit(urljoin(item.url, src)).path for src in re.findall(r'<img[^>]*\ssrc="([^"]+)"', item.body_html)}


def _check_native_id(a: dict, got: ExtractedItem) -> list[tuple[str, object, object]]:
    return [
        ("native_id", str(a["id"]), got.native_id),
        ("canonical_url", article_url(a), got.canonical_url),
    ]


def _check_title(a: dict, got: ExtractedItem) -> list[tuple[str, object, object]]:
    # truth holds the title as the site wrote it (U+00D0 included); the pipeline's normaliser
    # fix_eth is applied after extraction, so both sides are compared through it, after NFC
    return [
        ("title", fix_eth(nfc(a["title"])), fix_eth(nfc(got.title))),
        ("title is NFC", True, unicodedata.is_normalized("NFC", got.title)),
    ]


def _check_published_at(a: dict, got: ExtractedItem) -> list[tuple[str, object, object]]:
    expected = truth_time(a)
    value = got.published_at
    return [
        ("published_at tz-aware", True, value.tzinfo is not None),
        ("published_at zone", TZ_NAME, getattr(value.tzinfo, "key", str(value.tzinfo))),
        ("published_at utcoffset", timedelta(hours=7), value.utcoffset()),
        ("published_at (to the minute)", expected.isoformat(), value.replace(second=0, microsecond=0).isoformat()),
        ("published_at epoch", a["publtime_epoch"], int(value.timestamp()) // 60 * 60),
        ("weekday_vi", a["weekday_vi"], WEEKDAYS_VI[value.astimezone(VN).weekday()]),
    ]


def _check_section(a: dict, got: ExtractedItem) -> list[tuple[str, object, object]]:
    return [("section (main category)", a["category"], got.section)]


def _check_author(a: dict, got: ExtractedItem) -> list[tuple[str, object, object]]:
    checks: list[tuple[str, object, object]] = [("author", BODY_BYLINES.get(a["id"], a["author"]), got.author)]
    if a["source"]:  # "Nguồn tin" is the source, never the author
        checks.append(("author is not the source", True, got.author != a["source"]))
    return checks


def _check_sapo(a: dict, got: ExtractedItem) -> list[tuple[str, object, object]]:
    # hometext is the lead; an empty lead must give an empty sapo, never NukeViet's generated
    # "<title> - Detail - <module> - <url>" meta description
    return [("sapo", nfc(a["hometext"]), got.sapo)]


def _check_first_sentence(a: dict, got: ExtractedItem) -> list[tuple[str, object, object]]:
    first = nfc(a["first_sentence"])
    if got.body_text.startswith(first):
        return []
    return [("body text starts with first_sentence", first, got.body_text[: len(first) + 40])]


def _check_lead_image(a: dict, got: ExtractedItem) -> list[tuple[str, object, object]]:
    if a["lead_image"]:
        expected = "/uploads/news/" + a["lead_image"]
        first = urlsplit(got.images[0].src).path if got.images else None
        return [("lead image path", expected, first)]
    # no lead image: every image reported must be one of the body's own
    outside = sorted({urlsplit(i.src).path for i in got.images} - _body_image_paths(got))
    return [("images outside the body (no lead image)", [], outside)]


def _check_item_type(a: dict, got: ExtractedItem) -> list[tuple[str, object, object]]:
    if "video iframe" in a["special"]:
        host = (urlsplit(got.video_url).hostname or "") if got.video_url else ""
        return [("item_type", "video", got.item_type), ("video_url is YouTube", True, host.endswith("youtube.com"))]
    return [
        ("item_type (no video)", "not video", "video" if got.item_type == "video" else "not video"),
        ("video_url", None, got.video_url),
    ]


FAMILIES: dict[str, Callable[[dict, ExtractedItem], list[tuple[str, object, object]]]] = {
    "native_id": _check_native_id,
    "title": _check_title,
    "published_at": _check_published_at,
    "section": _check_section,
    "author": _check_author,
    "sapo": _check_sapo,
    "first_sentence": _check_first_sentence,
    "lead_image": _check_lead_image,
    "item_type": _check_item_type,
}


def _report(wrong: list[str]) -> str:
    return f"{len(wrong)} mismatch(es):\n  " + "\n  ".join(wrong)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_article_fields_match_truth(parsed, family: str) -> None:
    wrong: list[str] = []
    for article in ARTICLES:
        got = parsed[article["id"]]
        if isinstance(got, ParseError):
            wrong.append(f"id {article['id']}: parse_article raised {got}")
            continue
        for field, expected, value in FAMILIES[family](article, got):
            if expected != value:
                wrong.append(f"id {article['id']}: {field}: expected {expected!r}, got {value!r}")
    assert wrong == [], _report(wrong)


# --- articles: every special case of the truth, each asserted -------------------------------------


def _special_eth(a: dict, got: ExtractedItem, adapter: NukeVietAdapter) -> list[str]:
    wrong = []
    if not a["title"].startswith("\u00d0"):
        wrong.append(f"truth title does not start with U+00D0: {a['title']!r}")
    if not got.title.startswith("\u00d0"):  # kept as the site wrote it; the normaliser fixes it
        wrong.append(f"title should keep U+00D0 as served, got {got.title!r}")
    if not fix_eth(got.title).startswith("\u0110"):
        wrong.append(f"fix_eth(title) should start with U+0110 Đ, got {fix_eth(got.title)!r}")
    if "/dhong-" not in a["url_path"]:
        wrong.append(f"slug of a U+00D0 title should start 'dhong-': {a['url_path']}")
    return wrong


def _special_two_categories(a: dict, got: ExtractedItem, adapter: NukeVietAdapter) -> list[str]:
    """The same article served under its second category: same item, main category kept."""
    wrong = []
    if len(a["categories"]) < 2:
        return [f"truth lists one category only: {a['categories']}"]
    alias = a["url_path"].rsplit("/", 1)[1]
    for other in a["categories"][1:]:
        path = f"/vi/news/{other}/{alias}"
        if not (SITE / path.lstrip("/")).is_file():
            wrong.append(f"copy under {other} not captured: {path}")
            continue
        copy = adapter.parse_article(read_page(SITE / path.lstrip("/")), BASE + path)
        for field, expected, value in (
            ("section via the second category's URL", a["category"], copy.section),
            ("canonical_url via the second category's URL", article_url(a), copy.canonical_url),
            ("native_id via the second category's URL", str(a["id"]), copy.native_id),
            ("title via the second category's URL", got.title, copy.title),
            ("published_at via the second category's URL", got.published_at, copy.published_at),
        ):
            if expected != value:
                wrong.append(f"{field}: expected {expected!r}, got {value!r}")
    return wrong


def _special_author_source(a: dict, got: ExtractedItem, adapter: NukeVietAdapter) -> list[str]:
    wrong = []
    if got.author != a["author"]:
        wrong.append(f"author: expected {a['author']!r}, got {got.author!r}")
    if not a["source"]:
        wrong.append("truth has no source ('Nguồn tin') for this case")
    elif got.author and a["source"] in got.author:
        wrong.append(f"source {a['source']!r} taken as (part of) the author {got.author!r}")
    if a["source"] and a["source"] in got.body_text:
        wrong.append(f"source {a['source']!r} leaked into the body text")
    if "Tác giả" in got.body_text or "Nguồn tin" in got.body_text:
        wrong.append("byline labels leaked into the body text")
    return wrong


def _special_lead_image_table(a: dict, got: ExtractedItem, adapter: NukeVietAdapter) -> list[str]:
    wrong = []
    lead = "/uploads/news/" + (a["lead_image"] or "")
    paths = [urlsplit(i.src).path for i in got.images]
    if not paths or paths[0] != lead:
        wrong.append(f"lead image: expected {lead!r} first, got {paths!r}")
    if lead not in _body_image_paths(got):
        wrong.append(f"the in-body image {lead!r} is missing from body_html")
    if "<table" not in got.body_html:
        wrong.append("the data table is missing from body_html")
    for cell in ("Công nghiệp chế biến", "Logistics", "512,4"):
        if cell not in got.body_text:
            wrong.append(f"table cell {cell!r} missing from the body text")
    if "Quang cảnh hội nghị" in got.body_text:
        wrong.append("the in-body photo caption is in the body text")
    if "Theo báo cáo, các chỉ tiêu chủ yếu đều đạt" not in got.body_text:
        wrong.append("the paragraph after the table is missing from the body text")
    return wrong


def _special_quotes(a: dict, got: ExtractedItem, adapter: NukeVietAdapter) -> list[str]:
    wrong = []
    if got.title != nfc(a["title"]):
        wrong.append(f"title: expected {a['title']!r}, got {got.title!r}")
    if "&quot;" in got.title or "&" in got.title:
        wrong.append(f"entity left in the title: {got.title!r}")
    if not all(q in got.title for q in ('"', "\u201c", "\u201d", "\u2013")):
        wrong.append(f"straight/curly quotes or en dash lost: {got.title!r}")
    return wrong


def _special_body_byline(a: dict, got: ExtractedItem, adapter: NukeVietAdapter) -> list[str]:
    byline = BODY_BYLINES.get(a["id"])
    raw = (SITE / a["url_path"].lstrip("/")).read_text(encoding="utf-8")
    wrong = []
    if not byline or f'<p style="text-align: right;"><strong>{byline}</strong></p>' not in raw:
        wrong.append(f"capture has no right-aligned byline paragraph {byline!r}")
    if a["author"] is not None or "Tác giả" in raw.split('id="news-bodyhtml"', 1)[1].split("form3B", 1)[0]:
        wrong.append("this article should have no 'Tác giả' field")
    if got.author != byline:
        wrong.append(f"author from the body byline: expected {byline!r}, got {got.author!r}")
    if byline and byline in got.body_text:
        wrong.append(f"the byline {byline!r} is in the body text")
    return wrong


def _special_video(a: dict, got: ExtractedItem, adapter: NukeVietAdapter) -> list[str]:
    wrong = []
    if got.item_type != "video":
        wrong.append(f"item_type: expected 'video', got {got.item_type!r}")
    if not got.video_url or not (urlsplit(got.video_url).hostname or "").endswith("youtube.com"):
        wrong.append(f"video_url: expected the YouTube iframe, got {got.video_url!r}")
    if "<iframe" not in got.body_html:
        wrong.append("the iframe is missing from body_html")
    return wrong


def _special_stub(a: dict, got: ExtractedItem, adapter: NukeVietAdapter) -> list[str]:
    wrong = []
    if a["hometext"]:
        wrong.append(f"truth stub has a hometext: {a['hometext']!r}")
    if got.sapo != "":
        wrong.append(f"sapo: expected '' (empty lead), got {got.sapo!r}")
    if " - Detail - " in got.sapo or got.sapo.startswith(got.title):
        wrong.append("sapo is NukeViet's generated '<title> - Detail - <module> - <url>' description")
    if got.body_text != nfc(a["first_sentence"]):
        wrong.append(f"body text: expected {a['first_sentence']!r}, got {got.body_text!r}")
    return wrong


SPECIALS: dict[str, Callable[[dict, ExtractedItem, NukeVietAdapter], list[str]]] = {
    "U+00D0 in title": _special_eth,
    "two categories": _special_two_categories,
    "author + source field": _special_author_source,
    "lead image + in-body image + table": _special_lead_image_table,
    "&quot; and curly quotes in title": _special_quotes,
    "right-aligned byline paragraph in body, no author field": _special_body_byline,
    "video iframe": _special_video,
    "very short stub": _special_stub,
}
SPECIAL_CASES = [(a["id"], s) for a in ARTICLES for s in a["special"]]


def test_every_special_case_has_a_check() -> None:
    assert {s for _, s in SPECIAL_CASES} <= set(SPECIALS), "a special case of truth.json has no check here"
    assert set(SPECIALS) <= {s for _, s in SPECIAL_CASES}, "a check here matches no special case of truth.json"


@pytest.mark.parametrize(("article_id", "special"), SPECIAL_CASES, ids=[f"{i}-{s}" for i, s in SPECIAL_CASES])
def test_special_case(parsed, adapter: NukeVietAdapter, article_id: int, special: str) -> None:
    got = parsed[article_id]
    assert not isinstance(got, ParseError), f"id {article_id}: parse_article raised {got}"
    wrong = [f"id {article_id}: {special}: {w}" for w in SPECIALS[special](BY_ID[article_id], got, adapter)]
    assert wrong == [], _report(wrong)


def test_every_captured_article_page_parses(adapter: NukeVietAdapter, source: Source) -> None:
    """All article pages of the capture (the site's own samples and second-category copies too)."""
    sections = {s.path for s in source.sections}
    wrong: list[str] = []
    pages = sorted(
        p for alias in category_dirs() for p in (MODULE_DIR / alias).glob("*.html") if p.name != "index.html"
    )
    assert len(pages) > len(ARTICLES)
    for page in pages:
        url = BASE + "/" + page.relative_to(SITE).as_posix()
        try:
            item = adapter.parse_article(read_page(page), url)
        except ParseError as exc:
            wrong.append(f"{url}: parse_article raised {exc}")
            continue
        file_id = ARTICLE_FILE.match(page.name).group(1)
        if item.native_id != file_id:
            wrong.append(f"{url}: native_id: expected {file_id!r}, got {item.native_id!r}")
        if item.section not in sections:
            wrong.append(f"{url}: section {item.section!r} is not a registered section")
        if not item.title or not item.body_text:
            wrong.append(f"{url}: empty title or body text")
    assert wrong == [], _report(wrong)


# --- category list pages --------------------------------------------------------------------------


def _list_pages(adapter: NukeVietAdapter, source: Source, alias: str) -> list[tuple[str, ListPage]]:
    section = source.section(alias)
    assert section is not None, alias
    first = adapter.section_url(section)
    assert first == f"{BASE}/vi/news/{alias}/"
    urls = [first] + ([first + "page-2/"] if (MODULE_DIR / alias / "page-2" / "index.html").is_file() else [])
    return [(url, adapter.parse_list(read_page(site_file(url)), url, section)) for url in urls]


def _truth_for(entry_url: str) -> dict | None:
    """The truth article an article URL shows (under any of its categories), if any."""
    match = ARTICLE_PATH.match(urlsplit(entry_url).path)
    if not match:
        return None
    article = BY_ID.get(int(match.group(2)))
    if article is None:
        return None
    alias = article["url_path"].rsplit("/", 1)[1]
    allowed = {f"/vi/news/{c}/{alias}" for c in article["categories"]}
    return article if urlsplit(entry_url).path in allowed else None


def _check_list_entry(adapter: NukeVietAdapter, alias: str, entry: ListEntry) -> list[str]:
    wrong = []
    parts = urlsplit(entry.url)
    match = ARTICLE_PATH.match(parts.path)
    if parts.scheme != "http" or parts.netloc != HOST or not match or adapter.skip_url(entry.url):
        return [f"{entry.url}: not an article URL of the site"]
    if entry.native_id != match.group(2):
        wrong.append(f"{entry.url}: native_id: expected {match.group(2)!r}, got {entry.native_id!r}")
    if alias not in TRUTH_CATEGORIES:  # the site's sample categories: no truth to compare with
        return wrong
    article = _truth_for(entry.url)
    if article is None or alias not in article["categories"]:
        return wrong + [f"{entry.url}: not a truth article of category {alias}"]
    if not site_file(entry.url).is_file():
        wrong.append(f"{entry.url}: not a page of the capture")
    if fix_eth(nfc(entry.title)) != fix_eth(nfc(article["title"])):
        wrong.append(f"id {article['id']}: list title: expected {article['title']!r}, got {entry.title!r}")
    expected = truth_time(article)
    got = entry.published_at
    if got is None or got.tzinfo is None:
        wrong.append(f"id {article['id']}: list published_at: expected {expected.isoformat()}, got {got!r}")
    elif entry.date_only:  # `ul.related` items show (dd/mm/YYYY) only
        if got.astimezone(VN).date() != expected.date():
            wrong.append(f"id {article['id']}: list date: expected {expected.date()}, got {got.isoformat()}")
    elif got.astimezone(VN).replace(second=0, microsecond=0) != expected:
        wrong.append(f"id {article['id']}: list published_at: expected {expected.isoformat()}, got {got.isoformat()}")
    return wrong


@pytest.mark.parametrize("alias", category_dirs())
def test_category_list_pages(adapter: NukeVietAdapter, source: Source, alias: str) -> None:
    pages = _list_pages(adapter, source, alias)
    wrong: list[str] = []
    for url, page in pages:
        if not page.entries:
            wrong.append(f"{url}: no entries")
        wrong += [f"{url}: {w}" for e in page.entries for w in _check_list_entry(adapter, alias, e)]
    first_url, first = pages[0]
    if len(pages) == 2:
        second_url, second = pages[1]
        if first.next_url != second_url:
            wrong.append(f"{first_url}: next_url: expected {second_url!r}, got {first.next_url!r}")
        if second.next_url not in (None, first_url, second_url):
            wrong.append(f"{second_url}: next_url: expected None (last page), got {second.next_url!r}")
    elif first.next_url not in (None, first_url):
        wrong.append(f"{first_url}: next_url: expected None (one page), got {first.next_url!r}")
    assert wrong == [], _report(wrong)


def test_every_truth_article_is_on_a_list_page_of_its_categories(adapter: NukeVietAdapter, source: Source) -> None:
    listed: dict[str, set[str]] = {}
    for alias in TRUTH_CATEGORIES:
        for _url, page in _list_pages(adapter, source, alias):
            listed.setdefault(alias, set()).update(e.native_id or "" for e in page.entries)
    missing = [
        f"id {a['id']}: not listed under any of {a['categories']}"
        for a in ARTICLES
        if not any(str(a["id"]) in listed.get(c, set()) for c in a["categories"])
    ]
    assert missing == [], _report(missing)


# --- RSS feeds --------------------------------------------------------------------------------------

FEEDS = sorted(p.relative_to(SITE).as_posix() for p in RSS_DIR.rglob("index.*") if p.suffix in (".html", ".xml"))


@pytest.mark.parametrize("feed_file", FEEDS)
def test_rss_feed(adapter: NukeVietAdapter, feed_file: str) -> None:
    feed_url = BASE + "/" + feed_file.rsplit("/", 1)[0] + "/"
    alias = feed_url.removeprefix(f"{BASE}/vi/news/rss/").strip("/") or None
    entries = adapter.parse_feed((SITE / feed_file).read_bytes(), feed_url)
    assert entries, f"{feed_file}: no entries"
    wrong: list[str] = []
    for entry in entries:
        parts = urlsplit(entry.url)
        match = ARTICLE_PATH.match(parts.path)
        if parts.scheme != "http" or parts.netloc != HOST or not match or adapter.skip_url(entry.url):
            wrong.append(f"{entry.url}: not an article URL of the site")
            continue
        native_id = adapter.native_id(entry.url)
        if entry.guid != f"news_{native_id}":
            wrong.append(f"{entry.url}: guid: expected 'news_{native_id}', got {entry.guid!r}")
        hour = entry.published_hour_utc
        if (
            hour is None
            or hour.utcoffset() != timedelta(0)
            or (hour.minute, hour.second, hour.microsecond) != (0, 0, 0)
        ):
            wrong.append(f"{entry.url}: published_hour_utc should be a whole UTC hour, got {hour!r}")
            continue
        article = _truth_for(entry.url)
        if alias in TRUTH_CATEGORIES and (article is None or alias not in article["categories"]):
            wrong.append(f"{entry.url}: not a truth article of category {alias}")
        if article is None:
            continue
        if not site_file(entry.url).is_file():
            wrong.append(f"{entry.url}: not a page of the capture")
        if fix_eth(nfc(entry.title)) != fix_eth(nfc(article["title"])):
            wrong.append(f"id {article['id']}: feed title: expected {article['title']!r}, got {entry.title!r}")
        expected = truth_time(article).astimezone(UTC).replace(minute=0)
        if hour != expected:
            wrong.append(f"id {article['id']}: feed hour: expected {expected.isoformat()}, got {hour.isoformat()}")
    assert wrong == [], _report(wrong)
