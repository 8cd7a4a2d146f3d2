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
from datetime import datetime
from urllib.parse import urlsplit

from portal_etl import dates
from portal_etl.adapters import signals
from portal_etl.adapters.base import Adapter, HtmlElement, PageContext, ld_name
from portal_etl.adapters.html import C, any_element, edge_text_block, fold_nfc
from portal_etl.models import ListEntry

_ART = f"//article[{C('article-detail')}]"
_ID_RE = re.compile(r"-([0-9a-f]{7})$", re.I)
_MONTH_SEGMENT = re.compile(r"^\d{6}$")
# the real site's byline paragraph has no class: "Hải Yến- Khánh Lộc", "Thực hiện: …",
# "T.H (tổng hợp)", "By Cong Nghia - Translated by …"
_BYLINE_LEAD = re.compile(r"^(?:thực hiện|bài và ảnh|bài|ảnh|đồ họa|đồ hoạ|nhóm pv|by)\s*[:\-–]", re.I)
# "tong hop": the same tail as the English edition prints it, without diacritics
_BYLINE_TAIL = re.compile(r"\((?:tổng hợp|tong hop|tổng hợp/\w+|theo [^)]+)\)$", re.I)
# the English edition's byline: the reporter, then the translator
_ENGLISH_BYLINE = re.compile(r"^by\s+(?P<author>\S.*?)\s*[-–]\s*translated by\s+\S.*$", re.I)
_MAX_BYLINE_WORDS = 8
_DATE_IN_ROW = re.compile(r"\d{1,2}:\d{2}\s*,?\s*\d{1,2}/\d{1,2}/\d{4}")
_ROLE_PREFIX = re.compile(r"^(?:thực hiện|bài và ảnh|bài, ảnh|bài|tác giả)\s*:\s*", re.I)


class BaoDongNaiAdapter(Adapter):
    name = "baodongnai"
    SAPO_SOURCE = "article_sapo"
    DATE_LINE_PARSER = staticmethod(dates.parse_baodongnai)
    PAGER_STYLE = "query"
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
        "noise_xpath": any_element(
            classes=("site-header", "masthead", "hotline", "reader-comments", "related-news", "breadcrumb")
        ),
        "list_item_xpath": f"//article[{C('story')}][not(ancestor::*[{C('related-news')}])]",
        "list_link_xpath": f".//*[{C('story-title')}]//a[@href] | .//h2//a[@href] | .//h3//a[@href]",
        "list_time_xpath": f".//*[{C('story-time')}]",
        "next_xpath": f"//nav[{C('pager')}]//a[{C('next')}]/@href",
        "next_fallback_xpath": "//a[@rel='next']/@href",
    }

    def __init__(self, source, now=None) -> None:
        super().__init__(source, now)
        self._byline_heuristic = bool(self.options.get("byline_heuristic", True))

    # --- URLs -----------------------------------------------------------------------------------

    def is_article_url(self, url: str) -> bool:
        """``…/<section>/<YYYYMM>/<slug>-<id>``: an id after a month segment."""
        try:
            segments = [s for s in urlsplit(url).path.split("/") if s]
        except ValueError:
            return False
        return (
            len(segments) >= 2 and bool(_MONTH_SEGMENT.match(segments[-2])) and _ID_RE.search(segments[-1]) is not None
        )

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
            text = fold_nfc(el.text_content())
            if text and byline is None:
                byline = text
            el.drop_tree()
        if sapo:
            first = self._first_text_child(body)
            if first is not None and fold_nfc(first.text_content()) == sapo:
                first.drop_tree()
        skip: set = set()
        if byline is None and self._byline_heuristic:
            last = self._last_text_child(body)
            if last is not None and last.tag == "p" and self._looks_like_byline(last):
                byline = fold_nfc(last.text_content())
                skip.add(last)
        return byline, skip

    @staticmethod
    def _first_text_child(body: HtmlElement) -> HtmlElement | None:
        return edge_text_block(body, last=False)

    @staticmethod
    def _last_text_child(body: HtmlElement) -> HtmlElement | None:
        return edge_text_block(body, last=True)

    @staticmethod
    def _looks_like_byline(p: HtmlElement) -> bool:
        if next(p.iter("img", "table"), None) is not None:
            return False
        return _reads_like_byline(fold_nfc(p.text_content()), _MAX_BYLINE_WORDS + 4)

    def _author(self, page: PageContext, byline: str | None) -> tuple[str | None, str | None]:
        """The author element (hint) ▸ JSON-LD author (the publisher's own record) ▸
        ``article:author`` ▸ the names beside the date line ▸ the byline paragraph ending the
        body ▸ meta author."""
        doc = page.doc
        author = self._first_text(doc, "author_xpath")
        if author:
            return author, "article_meta"
        author = ld_name(page.jsonld.get("author"))
        if author:
            return author, "json_ld"
        author = fold_nfc(signals.meta_content(doc, "article:author"))
        if author and not author.startswith(("http://", "https://")):
            return author, "meta_author"
        author = self._date_row_author(page)
        if author:
            return author, "date_row"
        if byline:
            english = _ENGLISH_BYLINE.match(byline)
            if english:
                return english["author"], "byline"
            return _ROLE_PREFIX.sub("", byline).strip() or byline, "byline"
        author = self._first_text(doc, "meta_author_xpath")
        if author:
            return author, "meta_author"
        return None, None

    def _date_row_author(self, page: PageContext) -> str | None:
        """Names printed in the date line's row ("Hải Yến - 23:57, 16/07/2025"): the row's text
        less the time, when what is left reads like a byline."""
        row = page.date_line
        if row is None or next(row.iter("a"), None) is not None:
            return None
        text = _DATE_IN_ROW.sub(" ", fold_nfc(row.text_content()))
        text = fold_nfc(text.strip(" -–|·,"))
        return text if _reads_like_byline(text, _MAX_BYLINE_WORDS) else None

    def _language(self, doc: HtmlElement, url: str) -> str:
        if doc.get("lang"):
            return super()._language(doc, url)
        first = next((s for s in urlsplit(url).path.split("/") if s), "")
        return "en" if first.lower() == "english" else self.source.language

    # --- list pages -----------------------------------------------------------------------------

    def _hinted_entries(self, doc: HtmlElement, page_url: str) -> list[ListEntry]:
        """Section page: ``article.story`` items (title link, ``HH:MM, dd/mm/YYYY`` time)."""
        entries: list[ListEntry] = []
        for item in self._all(doc, "list_item_xpath"):
            link = self._first(item, "list_link_xpath")
            url = self._abs(page_url, link.get("href")) if link is not None else None
            if not url:
                continue
            stamp = " ".join(el.text_content() for el in self._all(item, "list_time_xpath"))
            published, date_only = self._list_time(stamp)
            entries.append(
                ListEntry(
                    url=url,
                    title=self._entry_title(link),
                    published_at=published,
                    native_id=self.native_id(url),
                    date_only=date_only,
                )
            )
        return entries

    def _list_time(self, text: str) -> tuple[datetime | None, bool]:
        published = dates.parse_baodongnai(text, self.tz)
        if published is not None:
            return published, False
        return super()._list_time(text)


def _reads_like_byline(text: str, max_words: int) -> bool:
    """Names, not a sentence: "Hải Yến- Khánh Lộc", "Thực hiện: …", "T.H (tổng hợp)" (up to
    ``max_words`` words with such a lead or tail, ``_MAX_BYLINE_WORDS`` capitalised words without)."""
    words = text.split()
    if not words or len(words) > max_words:
        return False
    if _BYLINE_LEAD.match(text) or _BYLINE_TAIL.search(text) or _ENGLISH_BYLINE.match(text):
        return True
    if len(words) > _MAX_BYLINE_WORDS or text[-1] in '.!?…:;,"”’)':
        return False
    names = [w for w in re.split(r"[\s\-–,]+", text) if w]
    return all(w[0].isupper() for w in names)
