"""NukeViet 4.5 news module (dongnai.gov.vn, the Party portal): shared/sources.md §1.

Options (``adapter_options``): ``lang_prefix`` ("/vi", or "" on a single-language site),
``module`` ("news", or "" when news is the default module), and any XPath key of
``DEFAULT_XPATHS`` to follow a re-themed site.

Date chain of an article: the visible ``span.h5`` line ``Thứ ba - 28/05/2024 20:13`` ▸ the
malformed ``article:published_time`` meta (``2024-05-28+0720:13:00``) ▸ the list-page time ▸ the
RSS hour. The hidden ``itemprop=datePublished`` span holds the *edit* time and is never read.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from portal_etl import dates
from portal_etl.adapters.base import Adapter, DateThunk, HtmlElement, PageContext
from portal_etl.adapters.html import (
    C,
    any_element,
    fold,
    fold_nfc,
    is_editor_caption,
    is_right_aligned,
    text_outside,
)
from portal_etl.models import FeedEntry, ListEntry
from portal_etl.registry.schema import Section

_BODY = "//div[@id='news-bodyhtml'][contains(@class, 'bodytext')]"
_ID_RE = re.compile(r"-(\d+)\.html?$", re.I)
_AUTHOR_LABELS = ("tác giả", "author", "người viết", "bài viết")
_BYLINE_PREFIX = re.compile(r"^(?:tác giả|author|người viết|bài|bài và ảnh|ảnh)\s*:\s*", re.I)
_SOURCE_LABELS = ("nguồn", "source")
_MAX_BYLINE_WORDS = 12


class NukeVietAdapter(Adapter):
    name = "nukeviet"
    SAPO_SOURCE = "hometext"
    DATE_LINE_PARSER = staticmethod(dates.parse_nukeviet_detail)
    PAGER_STYLE = "path"
    DEFAULT_XPATHS = {
        "body_xpath": f"{_BODY} | //div[@id='news_detail']/div[{C('bodytext')}]",
        "article_title_xpath": f"//h1[{C('title')}] | //h1[@itemprop='headline'] | //div[@id='news_detail']/h1",
        # first row under the title (default theme) / egov meta bar; never itemprop=datePublished
        "date_xpath": f"//span[{C('h5')}][ancestor::div[{C('margin-bottom-lg')}][{C('row')}]"
        f" or ancestor::*[{C('newsdetailmetatop')}]]"
        f" | //div[@id='news_detail']/span[{C('time')}]",
        "sapo_xpath": f"//div[{C('hometext')}] | //div[@itemprop='description']",
        "author_xpath": f"//p[{C('h5')}][{C('text-right')}]",
        "tags_xpath": f"//em[{C('fa-tags')}]/parent::*//a | //div[{C('keywords')}]//a",
        "lead_image_xpath": f"//figure[{C('article')}]//img",
        "video_xpath": f"{_BODY}//*[self::video or self::source[parent::video] or self::iframe]",
        # relative to the body; the same blocks sit after it in the default theme
        "noise_xpath": any_element(
            ids=("form3B", "idcomment", "imgpreview"),
            classes=(
                "fb-like",
                "zalo-share-button",
                "twitter-share-button",
                "other-news",
                "temp-breadcrumbs",
                "comment-box",
                "modal",
            ),
            extra=(f"(self::ul and @class and {C('list-inline')} and (.//a[{C('dimgray')}] or {C('text-right')}))",),
        ),
        # list pages (viewcat_page_new / tag / topic) -----------------------------------------
        "list_item_xpath": f"//div[{C('panel-body')}][h2/a or h3/a][not({C('other-news')})]",
        "list_link_xpath": "(h2/a | h3/a)[@href]",
        "list_time_xpath": f".//li[em[{C('fa-clock-o')}]] | .//*[{C('text-muted')}]",
        "list_related_xpath": f"//ul[{C('related')}][not({C('detail-related')})]/li",
        "next_xpath": f"//ul[{C('pagination')}]//a[@rel='next']/@href",
        "next_fallback_xpath": f"(//ul[{C('pagination')}]/li[{C('active')}]"
        "/following-sibling::li/a[@href][not(starts-with(@href, 'javascript'))])[1]/@href",
    }

    def __init__(self, source, now=None) -> None:
        super().__init__(source, now)
        lang = str(self.options.get("lang_prefix", "/vi")).strip().rstrip("/")
        self.lang_prefix = f"/{lang.lstrip('/')}" if lang else ""
        self.module = str(self.options.get("module", "news")).strip("/")
        prefix = self.lang_prefix + (f"/{self.module}" if self.module else "")
        self._module_prefix = prefix
        self._article_path = re.compile(rf"^{re.escape(prefix)}/[^/]+/[^/]+-\d+\.html?$", re.I)

    # --- URLs -----------------------------------------------------------------------------------

    def section_url(self, section: Section) -> str:
        return f"{self.base_url}{self._module_prefix}/{section.path}/"

    def native_id(self, url: str) -> str | None:
        """The trailing ``-<id>.html`` number of an article URL (ids are per language)."""
        try:
            path = urlsplit(url).path
        except ValueError:
            return None
        match = _ID_RE.search(path)
        return match.group(1) if match else None

    def _section_path(self, url: str, canonical: str) -> str | None:
        """Category alias of the canonical URL (``…/news/<cat>/<alias>-<id>.html``)."""
        for candidate in (canonical, url):
            segments = [s for s in urlsplit(candidate).path.split("/") if s]
            if len(segments) >= 2 and _ID_RE.search(segments[-1]):
                cat = segments[-2]
                if cat.lower() != (self.module or "").lower() and not (
                    self.lang_prefix and f"/{cat}" == self.lang_prefix
                ):
                    return cat
        return None

    # --- article hooks --------------------------------------------------------------------------

    def _prepare_body(self, body: HtmlElement, sapo: str) -> tuple[str | None, set]:
        """A short right-aligned last paragraph is the editor's byline: not body text."""
        last = None
        for child in reversed(body):
            if isinstance(child.tag, str) and fold(child.text_content()):
                last = child
                break
            if isinstance(child.tag, str) and (next(child.iter("img", "iframe", "video"), None) is not None):
                break
        if last is None or last.tag not in ("p", "div") or not is_right_aligned(last):
            return None, set()
        if is_editor_caption(last):
            return None, set()
        text = fold_nfc(last.text_content())
        if len(text.split()) > _MAX_BYLINE_WORDS:
            return None, set()
        if text.lower().startswith(_SOURCE_LABELS):
            return None, {last}
        return _BYLINE_PREFIX.sub("", text).strip() or None, {last}

    def _author(self, page: PageContext, byline: str | None) -> tuple[str | None, str | None]:
        """ "Tác giả: …" under the body (hint ``author_xpath``, then any element whose bold label
        says so) ▸ the body's right-aligned byline."""
        labelled = self._labelled_author(self._all(page.doc, "author_xpath"))
        if labelled:
            return labelled, "byline"
        labelled = page.labels.get("author") or self._labelled_author(
            el.getparent() for el in page.doc.iter("strong", "b")
        )
        if labelled:
            return labelled, "author_label"
        if byline:
            return byline, "body_byline"
        return None, None

    def _drop_page_furniture(self, page: PageContext, body: HtmlElement, sapo: str) -> None:
        """Also the "Tác giả: …" / "Nguồn tin: …" lines when a generic body took them in (the
        author is read from them first)."""
        if page.sources.get("body") != "body_xpath":
            for strong in list(body.iter("strong", "b")):
                p = strong.getparent()
                label = fold_nfc(strong.text_content()).rstrip(":").strip().lower()
                if p is None or p is body or not label.startswith(_AUTHOR_LABELS + _SOURCE_LABELS):
                    continue
                if label.startswith(_AUTHOR_LABELS) and "author" not in page.labels:
                    page.labels["author"] = self._labelled_author([p]) or ""
                if len(fold_nfc(p.text_content()).split()) <= _MAX_BYLINE_WORDS + 3 and p.getparent() is not None:
                    p.drop_tree()
        super()._drop_page_furniture(page, body, sapo)

    @staticmethod
    def _labelled_author(paragraphs) -> str | None:
        for p in paragraphs:
            if p is None:
                continue
            label_el = next(p.iter("strong", "b"), None)
            if label_el is None:
                continue
            label = fold_nfc(label_el.text_content()).rstrip(":").strip().lower()
            if not label.startswith(_AUTHOR_LABELS):
                continue
            value = fold_nfc(text_outside(p, ("strong", "b"))).lstrip(":").strip()
            if value and len(value.split()) <= _MAX_BYLINE_WORDS:
                return value
        return None

    def _date_candidates(
        self, page: PageContext, list_entry: ListEntry | None, feed_entry: FeedEntry | None
    ) -> list[DateThunk]:
        """Visible date (hint) ▸ article:published_time ▸ the date line under the headline ▸
        ``<time datetime>`` ▸ list page ▸ feed hour. No JSON-LD or itemprop=datePublished: the
        CMS fills the latter with the edit time."""
        return [
            ("visible_date", lambda: self._visible_date(page)),
            ("meta_published_time", lambda: self._meta_date(page)),
            ("date_line", lambda: self._date_line(page)),
            ("time_element", lambda: self._time_element(page)),
            *self._fallback_dates(list_entry, feed_entry),
        ]

    def _language(self, doc: HtmlElement, url: str) -> str:
        lang = super()._language(doc, url)
        if doc.get("lang"):
            return lang
        first = next((s for s in urlsplit(url).path.split("/") if s), "")
        return first.lower() if re.fullmatch(r"[a-z]{2}", first or "") else lang

    # --- list pages -----------------------------------------------------------------------------

    def is_article_url(self, url: str) -> bool:
        try:
            return self._article_path.match(urlsplit(url).path) is not None
        except ValueError:
            return False

    def _hinted_entries(self, doc: HtmlElement, page_url: str) -> list[ListEntry]:
        """Category (or tag/topic) page: panel items with their ``dd/mm/YYYY HH:MM:SS`` time,
        then the ``ul.related`` date-only items, newest first."""
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
        for li in self._all(doc, "list_related_xpath"):
            link = next((a for a in li.iter("a") if a.get("href")), None)
            url = self._abs(page_url, link.get("href")) if link is not None else None
            if not url:
                continue
            stamp = " ".join(fold(em.text_content()) for em in li.iter("em", "span"))
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
        for parse in (dates.parse_nukeviet_list, dates.parse_nukeviet_tag, dates.parse_nukeviet_detail):
            found = parse(text, self.tz)
            if found is not None:
                return found, False
        found = dates.parse_dmy(text, self.tz)
        return (found, True) if found is not None else (None, False)
