"""Báo Đồng Nai (baodongnai.com.vn): shared/sources.md §2 and the replica layout of
docs/replica-contract.md (the real DOM class names are unknown, so every selector is an
``adapter_options`` key).

Date chain of an article: the visible ``HH:MM, dd/mm/YYYY`` line ▸ JSON-LD ``datePublished`` ▸
``article:published_time`` ▸ the list-page time ▸ the feed hour.
Body noise: the byline paragraph (it becomes the author when the meta author is missing), the
sapo repeated as first paragraph on the old layout, caption tables (kept in ``body_html``, left
out of ``body_text``); masthead, reader comments and related teasers sit outside the body and are
dropped from the document.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from portal_etl import dates
from portal_etl.adapters.base import (
    Adapter,
    C,
    DateThunk,
    HtmlElement,
    any_element,
    clean_text,
    fold,
    ld_name,
)
from portal_etl.models import FeedEntry, ListEntry, ListPage
from portal_etl.registry.schema import Section

_ART = f"//article[{C('article-detail')}]"
_ID_RE = re.compile(r"-([0-9a-f]{7})$", re.I)
_MONTH_SEGMENT = re.compile(r"^\d{6}$")
# the real site's byline paragraph has no class: "Hải Yến- Khánh Lộc", "Thực hiện: …",
# "T.H (tổng hợp)", "By Cong Nghia - Translated by …"
_BYLINE_LEAD = re.compile(r"^(?:thực hiện|bài và ảnh|bài|ảnh|đồ họa|đồ hoạ|nhóm pv|by)\s*[:\-–]",
                          re.I)
_BYLINE_TAIL = re.compile(r"\((?:tổng hợp|tổng hợp/\w+|theo [^)]+)\)$", re.I)
_MAX_BYLINE_WORDS = 8
_ROLE_PREFIX = re.compile(r"^(?:thực hiện|bài và ảnh|bài, ảnh|bài|tác giả)\s*:\s*", re.I)


class BaoDongNaiAdapter(Adapter):
    name = "baodongnai"
    SAPO_SOURCE = "article_sapo"
    DEFAULT_XPATHS = {
        "body_xpath": f"{_ART}//div[{C('article-body')}]",
        "article_title_xpath": f"{_ART}//h1[{C('article-title')}]",
        "date_xpath": f"{_ART}//*[{C('article-time')}]",
        "sapo_xpath": f"{_ART}//*[{C('article-sapo')}]",
        "author_xpath": f"{_ART}//*[{C('article-author')}]",
        "byline_xpath": f".//*[{C('article-byline')}]",  # relative to the body
        "tags_xpath": f"{_ART}//*[{C('article-tags')}]//a",
        "video_xpath": f"{_ART}//*[self::video or self::source[parent::video] or self::iframe]",
        # relative to the body (the replica keeps these outside it; a real page may not)
        "noise_xpath": any_element(classes=("site-header", "masthead", "hotline",
                                            "reader-comments", "related-news", "breadcrumb")),
        "list_item_xpath": f"//article[{C('story')}][not(ancestor::*[{C('related-news')}])]",
        "list_link_xpath": f".//*[{C('story-title')}]//a[@href] | .//h2//a[@href]"
        " | .//h3//a[@href]",
        "list_time_xpath": f".//*[{C('story-time')}]",
        "next_xpath": f"//nav[{C('pager')}]//a[{C('next')}]/@href",
        "next_fallback_xpath": "//a[@rel='next']/@href",
    }

    def __init__(self, source, now=None) -> None:
        super().__init__(source, now)
        self._byline_heuristic = bool(self.options.get("byline_heuristic", True))

    # --- URLs -----------------------------------------------------------------------------------

    def native_id(self, url: str) -> str | None:
        """The trailing ``-<id>`` of an article URL: 7 decimal digits (old) or 7 hex (2024+)."""
        try:
            path = urlsplit(url).path.rstrip("/")
        except ValueError:
            return None
        match = _ID_RE.search(path)
        return match.group(1).lower() if match else None

    def _section_path(self, url: str, canonical: str) -> str | None:
        """Section path: the segments before ``YYYYMM`` (``chinh-tri``, ``english/politics``)."""
        segments = [s for s in urlsplit(url).path.split("/") if s]
        for i, segment in enumerate(segments):
            if _MONTH_SEGMENT.match(segment) and i > 0:
                return "/".join(segments[:i])
        return "/".join(segments[:-1]) or None

    # --- article hooks --------------------------------------------------------------------------

    def _prepare_body(self, body: HtmlElement, sapo: str) -> tuple[str | None, set]:
        byline = None
        for el in self._all(body, "byline_xpath"):
            text = clean_text(el.text_content())
            if text and byline is None:
                byline = text
            el.drop_tree()
        if sapo:
            first = self._first_text_child(body)
            if first is not None and clean_text(first.text_content()) == sapo:
                first.drop_tree()
        skip: set = set()
        if byline is None and self._byline_heuristic:
            last = self._last_text_child(body)
            if last is not None and last.tag == "p" and self._looks_like_byline(last):
                byline = clean_text(last.text_content())
                skip.add(last)
        return byline, skip

    @staticmethod
    def _first_text_child(body: HtmlElement) -> HtmlElement | None:
        for child in body:
            if isinstance(child.tag, str) and fold(child.text_content()):
                return child
        return None

    @staticmethod
    def _last_text_child(body: HtmlElement) -> HtmlElement | None:
        for child in reversed(body):
            if isinstance(child.tag, str) and fold(child.text_content()):
                return child
        return None

    @staticmethod
    def _looks_like_byline(p: HtmlElement) -> bool:
        if next(p.iter("img", "table"), None) is not None:
            return False
        text = clean_text(p.text_content())
        words = text.split()
        if not words or len(words) > _MAX_BYLINE_WORDS + 4:
            return False
        if _BYLINE_LEAD.match(text) or _BYLINE_TAIL.search(text):
            return True
        if len(words) > _MAX_BYLINE_WORDS or text[-1] in ".!?…:;,\"”’)":
            return False
        names = [w for w in re.split(r"[\s\-–,]+", text) if w]
        return all(w[0].isupper() for w in names)

    def _author(self, doc: HtmlElement, jsonld: dict, byline: str | None
                ) -> tuple[str | None, str | None]:
        author = self._first_text(doc, "author_xpath", unescape=True)
        if author:
            return author, "article_meta"
        if byline:
            return _ROLE_PREFIX.sub("", byline).strip() or byline, "byline"
        author = ld_name(jsonld.get("author"))
        if author:
            return author, "json_ld"
        author = self._first_text(doc, "meta_author_xpath", unescape=True)
        if author:
            return author, "meta_author"
        return None, None

    def _date_candidates(self, doc: HtmlElement, jsonld: dict, list_entry: ListEntry | None,
                         feed_entry: FeedEntry | None) -> list[DateThunk]:
        def visible():
            return self._first_date(doc, "date_xpath", dates.parse_baodongnai)

        def json_ld():
            value = jsonld.get("datePublished")
            return dates.parse_iso(str(value), self.tz) if value else None

        def meta():
            return self._first_date(doc, "meta_published_xpath", dates.parse_malformed_nukeviet_published_time)

        return [("visible_date", visible), ("json_ld", json_ld), ("meta_published_time", meta),
                *self._fallback_dates(list_entry, feed_entry)]

    def _language(self, doc: HtmlElement, url: str) -> str:
        if doc.get("lang"):
            return super()._language(doc, url)
        first = next((s for s in urlsplit(url).path.split("/") if s), "")
        return "en" if first.lower() == "english" else self.source.language

    # --- list pages -----------------------------------------------------------------------------

    def parse_list(self, html: str, page_url: str, section: Section) -> ListPage:
        """Section page: ``article.story`` items (title link, ``HH:MM, dd/mm/YYYY`` time),
        newest first; ``next_url`` from ``nav.pager a.next`` (none past the last page)."""
        doc = self.load_list(html)
        if doc is None:
            return ListPage(entries=[], next_url=None)
        entries: list[ListEntry] = []
        for item in self._all(doc, "list_item_xpath"):
            link = self._first(item, "list_link_xpath")
            url = self._abs(page_url, link.get("href")) if link is not None else None
            if not url:
                continue
            stamp = " ".join(el.text_content() for el in self._all(item, "list_time_xpath"))
            published = dates.parse_baodongnai(stamp, self.tz)
            date_only = False
            if published is None:
                published = dates.parse_dmy(stamp, self.tz)
                date_only = published is not None
            entries.append(ListEntry(url=url, title=self._entry_title(link),
                                     published_at=published, native_id=self.native_id(url),
                                     date_only=date_only))
        return ListPage(entries=self._dedupe(entries), next_url=self._next_url(doc, page_url))
