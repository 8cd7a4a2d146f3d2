"""What every site adapter shares: document loading, the extraction template, the date chain,
item-type rule, body text, images, video, RSS and URL filters.

A subclass declares its default XPath expressions in ``DEFAULT_XPATHS``; any of them can be
replaced per source through ``adapter_options`` in the registry (same key), so a re-themed site
is a configuration change. Expressions are evaluated on the whole document, except
``noise_xpath`` and ``byline_xpath`` (relative to the article body: noise outside the body never
reaches any field) and ``list_link_xpath`` / ``list_time_xpath`` (relative to one list item).

Pages are parsed once with ``lxml.html`` (lenient with malformed markup) and every lookup is a
precompiled XPath, which keeps extraction at hundreds of pages per second per core.
"""

from __future__ import annotations

import html as html_lib
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import lxml.html
from lxml import etree

from portal_etl import dates
from portal_etl.adapters import signals
from portal_etl.adapters.html import (
    block_texts,
    contains_img,
    edge_text_block,
    fold,
    fold_nfc,
    inner_html,
    is_editor_caption,
    text_folds_to,
    text_outside,
    within,
)
from portal_etl.adapters.learned import LearnedPath
from portal_etl.adapters.xpath import compile_selector
from portal_etl.models import (
    ExtractedItem,
    FeedEntry,
    ImageRef,
    ListEntry,
    ListPage,
    ParseError,
)
from portal_etl.normalize.text import nfc
from portal_etl.registry.schema import Section, Source

HtmlElement = lxml.html.HtmlElement
DateThunk = tuple[str, Callable[[], datetime | None]]


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_BYTES = bytes(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))


def _has_control(text: str) -> bool:
    """Whether ``text`` holds a character ``_CONTROL`` matches. In UTF-8 those bytes are never
    part of another character, and deleting bytes is several times faster than the regex's scan
    of a page (which found nothing on almost every page, at 3-5 % of the extraction time)."""
    data = text.encode("utf-8", "surrogatepass")
    return len(data.translate(None, _CONTROL_BYTES)) != len(data)


_PARSERS = threading.local()


def _page_parser() -> etree.HTMLParser:
    """lxml.html's parser, but every element an ``HtmlElement`` picked by lxml's C-level default
    lookup: ``lxml.html``'s own lookup is a Python method called for every element proxy (a tenth
    of the extraction time), only to give form controls their own classes, which we never use.
    One per thread: an lxml parser must not be shared between threads."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = etree.HTMLParser(remove_blank_text=False)
        parser.set_element_class_lookup(
            etree.ElementDefaultClassLookup(
                element=lxml.html.HtmlElement,
                comment=lxml.html.HtmlComment,
                pi=lxml.html.HtmlProcessingInstruction,
                entity=lxml.html.HtmlEntity,
            )
        )
        _PARSERS.parser = parser
    return parser


# a path from the root ("/vi/news/x-1.html"): no query, fragment, parameters, dot segments or
# characters urlsplit would drop, so joining it is only prefixing the base's scheme and host
_PLAIN_ROOTED_PATH = re.compile(r"/[A-Za-z0-9\-._~%!$&'()*+,=:@][A-Za-z0-9\-._~%!$&'()*+,=:@/]*\Z")


@lru_cache(maxsize=256)
def _origin(base: str) -> str | None:
    """``scheme://host`` of an http(s) base URL as urljoin would rebuild it; None otherwise."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


_NOT_HTML_PREFIXES = ("%PDF", "\x89PNG", "GIF8", "\xff\xd8", "PK\x03\x04", "{", "[")


def _compile(key: str, expr: str, *, own: bool = False) -> etree.XPath:
    """``own``: one of the adapter's default selectors, compiled with descendant steps (see
    adapters/xpath.py); a registry override is compiled as written."""
    try:
        return compile_selector(expr) if own else etree.XPath(expr)
    except etree.XPathSyntaxError as exc:
        raise ValueError(f"adapter option {key!r}: invalid XPath {expr!r}: {exc}") from exc


def _netloc(url_or_domain: str) -> str:
    value = url_or_domain.strip().lower()
    if "://" in value:
        value = urlsplit(value).netloc
    value = value.rstrip(".").rstrip("/")
    for default in (":80", ":443"):
        if value.endswith(default):
            value = value[: -len(default)]
    return value


ARTICLE_LD_TYPES = frozenset(
    {
        "newsarticle",
        "article",
        "reportagenewsarticle",
        "blogposting",
        "videoobject",
        "analysisnewsarticle",
        "backgroundnewsarticle",
        "webpage",
    }
)


def _ld_objects(data: Any) -> Iterator[dict]:
    if isinstance(data, list):
        for entry in data:
            yield from _ld_objects(entry)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _ld_objects(data["@graph"])


def _ld_type(obj: dict) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {str(v).lower() for v in values if v}


def ld_name(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(filter(None, (ld_name(v) for v in value)))
    if isinstance(value, dict):
        return fold_nfc(str(value.get("name") or ""), unescape=True)
    if isinstance(value, str):
        return fold_nfc(value, unescape=True)
    return ""


# method name (as recorded in ``field_sources``) → kind of evidence, whose prior is its confidence
METHOD_KIND = {
    "h1": "hint",
    "visible_date": "hint",
    "article_sapo": "hint",
    "hometext": "hint",
    "sapo": "hint",
    "article_meta": "hint",
    "body_xpath": "hint",
    "json_ld": "json_ld",
    "og_title": "og",
    "meta_description": "meta",
    "meta_published_time": "meta",
    "meta_author": "meta",
    "microdata": "microdata",
    "headline_element": "h1",
    "date_line": "date_line",
    "time_element": "time_element",
    "byline": "byline",
    "body_byline": "byline",
    "list_page": "list_page",
    "feed": "feed",
    "title_tag": "title_tag",
    "learned_path": "hint",
    "author_label": "microdata",
    "date_row": "byline",
}
# the lead found as "the text block between the date line and the body": plausible, not declared
LEAD_BLOCK_CONFIDENCE = 0.6
LEAD_BLOCK_MIN_WORDS = 8
# trafilatura's body, used when the density finder is unsure: F1 0.962 on the real-page benchmark
FALLBACK_BODY_CONFIDENCE = 0.75
# a "body" holding this many links to other articles of the site is a list page, not an article
LISTING_MIN_LINKS = 4
LISTING_RETRIES = 2  # teaser blocks set aside before the finder is asked again
# an ancestor of the headline with less text than this beside it is its header box, not the article
SCOPE_MIN_CHARS = 200
# prose (the finder's content characters) the element a learned path names must hold on a page;
# less, and the whole-page search runs instead (the final check after page furniture still applies)
LEARNED_MIN_CHARS = 60
# page selectors of fields every article has (or whose generic method finds the same value):
# after STALE_AFTER misses in a row they are tried on every STALE_RECHECK-th page only. Selectors
# of fields most pages lack (video, tags, lead image) are always tried.
STALE_SKIPPABLE = frozenset({"article_title_xpath", "body_xpath", "date_xpath", "sapo_xpath", "author_xpath"})
# document-level selectors read twice per page (the declared-article test and the canonical URL;
# the title and the lead's description check): see Adapter._reread
REREAD_SELECTORS = frozenset({"canonical_xpath", "og_title_xpath", "description_xpath"})
STALE_AFTER = 8
STALE_RECHECK = 25


# the required field a parse-error reason is about
_FIELD_OF_REASON = {
    "no_title": "title",
    "no_body": "body",
    "layout_unknown": "body",
    "no_date": "published_at",
    "date_out_of_window": "published_at",
}


# schema.org properties a theme prints as (CSS-hidden) machine data beside the article, not prose
# compiled XPath runs in C; ElementPath's iterfind walks every element in Python
_ITEMPROP_DESCRIPTION = compile_selector(".//*[@itemprop='description']")
_FURNITURE_CANDIDATES = compile_selector(
    ".//*[@hidden or @aria-hidden or @itemprop or @style or ("
    + " or ".join(f"contains(@class, '{c}')" for c in ("hid", "d-none", "sr-only", "invisible"))
    + ")]"
)
_MICRODATA_FURNITURE = frozenset(
    {"author", "datePublished", "dateModified", "mainEntityOfPage", "publisher", "url", "interactionStatistic"}
)
# a caption block beside a picture holds a sentence or two at most
CAPTION_MAX_WORDS = 40


@dataclass
class ArticleReport:
    """What :meth:`Adapter.inspect` found on one page: field values, the method and confidence
    of each, the required fields no method found (with why) and the selectors that missed."""

    url: str
    fields: dict[str, Any]
    sources: dict[str, str]
    confidence: dict[str, float]
    missing: dict[str, str]
    hint_misses: list[str]

    @property
    def complete(self) -> bool:
        return not self.missing


def _in_paragraph_run(block: HtmlElement) -> bool:
    """A ``<p>`` followed by another ``<p>``: part of the text, not a block of its own."""
    following = block.getnext()
    return block.tag == "p" and following is not None and following.tag == "p"


def _keep_only_links(teaser: HtmlElement) -> None:
    """Drop everything in ``teaser`` that neither is, holds nor sits in a link."""
    linked: set[HtmlElement] = set()
    for a in teaser.iter("a"):
        linked.update(a.iter())
        linked.update(a.iterancestors())
    for node in [n for n in teaser.iterdescendants() if isinstance(n.tag, str) and n not in linked]:
        if node.getparent() is not None:
            node.tail = None
            node.drop_tree()
    for node in [teaser, *teaser.iterdescendants()]:
        if isinstance(node.tag, str) and node.tag != "a" and node not in linked - {teaser}:
            node.text = None


def _in_document(match: Any, doc: HtmlElement) -> bool:
    """An XPath match (an element, or an attribute value or text that knows its element) that
    is still in ``doc``: not cut out of it since it was found."""
    node = match.getparent() if isinstance(match, str) and hasattr(match, "getparent") else match
    while node is not None and isinstance(node, etree._Element):
        if node is doc:
            return True
        node = node.getparent()
    return False


def _text_in_link(root: HtmlElement, text: str) -> bool:
    """True when the first element of ``root`` carrying ``text`` sits inside an ``<a>``."""
    for el in root.iter():
        if isinstance(el.tag, str) and (el.text == text or el.tail == text):
            holder = el if el.text == text else el.getparent()
            return holder is not None and (holder.tag == "a" or any(x.tag == "a" for x in holder.iterancestors()))
    return False


def _is_caption_beside_picture(block: HtmlElement) -> bool:
    """A short text block right after a sibling that holds a picture and no text: a theme's
    caption (``<div><div><img></div><div>caption</div></div>``) without figure/figcaption."""
    previous = block.getprevious()
    if previous is None or not contains_img(previous) or fold(previous.text_content()):
        return False
    if block.tag == "p" and previous.tag != "img":
        return False  # <p><img></p><p>…</p> is a picture and the next paragraph of the text
    if next(block.iterdescendants("p", "img", "table"), None) is not None:
        return False
    words = len(fold(block.text_content()).split())
    return 0 < words <= CAPTION_MAX_WORDS


def _same_opening(text: str, other: str, words: int = 6) -> bool:
    """The two texts open with the same words (case and punctuation aside)."""

    def opening(value: str) -> list[str]:
        return re.findall(r"\w+", value.casefold())[:words]

    return opening(text) == opening(other)


@dataclass
class PageContext:
    """One article page while its fields are found: the parsed document, what was found by which
    method with what confidence, which hints fell through, and what each field tried."""

    doc: HtmlElement
    url: str
    jsonld: dict
    html: str | bytes | None = None  # the page as given, for a fallback extractor that parses it itself
    headline: HtmlElement | None = None
    body: HtmlElement | None = None
    date_line: HtmlElement | None = None
    date_line_value: datetime | None = None
    lead_candidate: HtmlElement | None = None
    plausible_match: bool = False  # the finder's last match holds prose (see _plausible_generic_body)
    lead: HtmlElement | None = None
    sources: dict[str, str] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)
    tried: dict[str, list[str]] = field(default_factory=dict)
    # values read from page furniture before it was cut out of a generically found body
    labels: dict[str, str] = field(default_factory=dict)
    strict: bool = True  # raise at the first required field that has no method left
    missing: dict[str, str] = field(default_factory=dict)  # field → why (inspection only)

    def fail(self, error: ParseError) -> None:
        if self.strict:
            raise error
        name = _FIELD_OF_REASON.get(error.reason, error.reason)
        self.missing.setdefault(name, str(error))

    def found(self, name: str, method: str, confidence: float | None = None) -> None:
        self.sources[name] = method
        if confidence is None:
            confidence = signals.CONFIDENCE[METHOD_KIND.get(method, "hint")]
        self.confidence[name] = round(confidence, 3)

    def attempt(self, name: str, method: str) -> None:
        self.tried.setdefault(name, []).append(method)

    def tried_text(self, name: str) -> str:
        return ", ".join(self.tried.get(name, [])) or "nothing"


class Adapter:
    """Base adapter: a subclass supplies defaults and the site-specific hooks."""

    name = "base"
    DEFAULT_XPATHS: dict[str, str] = {
        "canonical_xpath": "//link[@rel='canonical']/@href",
        "og_title_xpath": "//meta[@property='og:title']/@content",
        "description_xpath": "//meta[@name='description']/@content | //meta[@property='og:description']/@content",
        "jsonld_xpath": "//script[contains(@type, 'ld+json')]",
        "meta_published_xpath": "//meta[@property='article:published_time']/@content",
        "meta_tags_xpath": "//meta[@property='article:tag']/@content",
        "meta_author_xpath": "//meta[@name='author']/@content | //meta[@property='article:author']/@content",
        "next_link_xpath": "//link[@rel='next']/@href",
    }
    DEFAULT_SKIP_PATTERNS: tuple[str, ...] = (
        r"/(?:savefile|print|sendmail|rating)(?:/|$)",
        r"[?&](?:op|nv)=(?:savefile|print|sendmail|rating)\b",
        r"\.(?:jpe?g|png|gif|webp|svg|pdf|docx?|xlsx?|pptx?|zip|rar|mp3|mp4)$",
    )
    DEFAULT_IFRAME_HOSTS: tuple[str, ...] = ("youtube.com", "youtube-nocookie.com", "youtu.be")
    # item types for which an image without text is still a body (infographics, photo stories)
    IMAGE_BODY_TYPES = frozenset({"infographic", "photo"})

    def __init__(self, source: Source, now: Callable[[], datetime] | None = None) -> None:
        self.source = source
        self.tz = ZoneInfo(source.timezone)
        self._now = now
        self.options: dict[str, Any] = dict(source.adapter_options or {})
        self.base_url = (source.base_url or "").rstrip("/")
        defaults: dict[str, str] = {}
        for klass in reversed(type(self).__mro__):
            defaults.update(getattr(klass, "DEFAULT_XPATHS", {}))
        self._xpath_sources = {key: str(self.options.get(key, expr)) for key, expr in defaults.items()}
        self._local = threading.local()
        self._local.xp = self._compile_all()  # fails fast on a bad option
        patterns = self.options.get("skip_url_patterns", self.DEFAULT_SKIP_PATTERNS)
        self._skip_res = [re.compile(p, re.I) for p in patterns]
        domains = {_netloc(d) for d in source.allowed_domains if d.strip()}
        if self.base_url:
            domains.add(_netloc(self.base_url))
        self._domains = frozenset(domains)
        hosts = self.options.get("video_iframe_hosts", self.DEFAULT_IFRAME_HOSTS)
        self._iframe_hosts = tuple(h.lower().lstrip(".") for h in hosts)
        self._live_from = dates.local_midnight(source.live_since, self.tz)
        # where the generic finder keeps finding the body on this run's pages (adapters/learned.py)
        self._learned_body = LearnedPath()
        self._stale_misses: dict[str, int] = {}  # page selector → pages it missed on in a row

    def _compile_all(self) -> dict[str, etree.XPath]:
        return {key: _compile(key, expr, own=key not in self.options) for key, expr in self._xpath_sources.items()}

    @property
    def xp(self) -> dict[str, etree.XPath]:
        """Compiled XPath expressions, one set per thread (lxml evaluators are not shared)."""
        compiled = getattr(self._local, "xp", None)
        if compiled is None:
            compiled = self._local.xp = self._compile_all()
        return compiled

    # --- public API -----------------------------------------------------------------------------

    def now(self) -> datetime:
        value = self._now() if self._now else datetime.now(self.tz)
        return value if value.tzinfo else value.replace(tzinfo=self.tz)

    def section_start_urls(self) -> list[tuple[Section, str]]:
        """First list page URL of every section (empty when the base URL is not configured)."""
        if not self.base_url:
            return []
        return [(section, self.section_url(section)) for section in self.source.sections]

    def section_url(self, section: Section) -> str:
        return f"{self.base_url}/{section.path}"

    def parse_article(
        self,
        html: str,
        url: str,
        *,
        list_entry: ListEntry | None = None,
        feed_entry: FeedEntry | None = None,
    ) -> ExtractedItem:
        """Every field of one article page, or ParseError(reason, detail); never half-filled.

        Each field is a chain of methods: the adapter's selector (a hint, validated) first, then
        what the page says in standard metadata, then layout-independent signals (the headline,
        the channel's date line, a generic main-content finder). A page fails only when a
        required field (title, body, publish time) has no method left; the error names them."""
        fields, page = self._extract(html, url, list_entry, feed_entry, strict=True)
        return ExtractedItem(
            source_id=self.source.id,
            url=url,
            **fields,
            field_sources=page.sources,
            field_confidence=page.confidence,
            hint_misses=page.misses,
        )

    def inspect(self, html: str | bytes, url: str) -> ArticleReport:
        """What every method finds on a page, without failing on a missing field: how an engineer
        looks at a saved page (``portal-etl extract``), a cut-off one included. Raises only
        ParseError ``not_html`` / ``empty_page`` when there is no document at all."""
        fields, page = self._extract(html, url, None, None, strict=False)
        return ArticleReport(
            url=url,
            fields=fields,
            sources=page.sources,
            confidence=page.confidence,
            missing=page.missing,
            hint_misses=page.misses,
        )

    def _extract(
        self, html: str | bytes, url: str, list_entry: ListEntry | None, feed_entry: FeedEntry | None, *, strict: bool
    ) -> tuple[dict[str, Any], PageContext]:
        """The fields of ``ExtractedItem`` (less source, url and the provenance) and the page's
        provenance. ``strict``: raise at the first required field without a method left;
        otherwise name it in ``page.missing`` and go on with what there is."""
        doc = self.load(html)
        page = PageContext(doc=doc, url=url, jsonld=self._json_ld(doc), strict=strict, html=html)
        title = self._title(page)
        try:
            body = self._body(page)
        except ParseError as exc:
            page.fail(exc)
            body = lxml.html.fromstring("<div></div>")
        if not title:
            page.fail(ParseError("no_title", f"no headline at {url}; tried {page.tried_text('title')}"))
        self._drop(body, "noise_xpath")
        canonical = self._canonical(page, url)
        sapo = self._sapo(page)
        self._drop_page_furniture(page, body, sapo)
        if page.sources.get("body") not in (None, "body_xpath") and (
            any(body is el for el in (page.lead, page.headline, page.date_line))
            or not self._plausible_generic_body(body)
        ):
            page.fail(
                ParseError(
                    "no_body",
                    f"no article body at {url}: the generic main-content finder found "
                    f"only page furniture; tried {page.tried_text('body')}",
                )
            )
        byline, skip = self._prepare_body(body, sapo)
        skip.update(self._caption_elements(body))
        body_text = nfc("\n\n".join(block_texts(body, skip)))
        images = self._images(doc, body, url)
        video_url = self._video(page, url)
        section_path = self._section_path(url, canonical)
        item_type, type_rule = self._item_type_found(
            self._section_for(section_path), self._slug(canonical), video_url, body_text
        )
        page.found("item_type", type_rule, signals.CONFIDENCE["url"] if type_rule != "length" else 0.8)
        for name, value in (("native_id", self.native_id(url) or self.native_id(canonical)), ("section", section_path)):
            if value:
                page.found(name, "url", signals.CONFIDENCE["url"])
        if (
            not body_text
            and not video_url
            and not (images and item_type in self.IMAGE_BODY_TYPES)
            and ("body" not in page.missing)
        ):
            page.fail(ParseError("no_body", f"no body text and no video at {url}; tried {page.tried_text('body')}"))
        published_at = None
        try:
            published_at, date_src = self.pick_date(self._date_candidates(page, list_entry, feed_entry))
            page.found("published_at", date_src)
        except ParseError as exc:
            page.fail(exc)
        author, author_src = self._author(page, byline)
        if author_src:
            page.found("author", author_src)
        fields = {
            "canonical_url": canonical,
            "native_id": self.native_id(url) or self.native_id(canonical),
            "title": title,
            "sapo": sapo,
            "body_text": body_text,
            "body_html": inner_html(body),
            "published_at": published_at,
            "author": author,
            "section": section_path,
            "item_type": item_type,
            "language": self._language(doc, url),
            "tags": self._tags(doc, page.jsonld),
            "images": images,
            "video_url": video_url,
        }
        return fields, page

    def parse_feed(self, xml: bytes | str, feed_url: str) -> list[FeedEntry]:
        """Items of an RSS 2.0 (or Atom) feed; pubDate kept to the UTC hour (NukeViet bug)."""
        data = xml.encode("utf-8") if isinstance(xml, str) else xml
        if isinstance(xml, str):
            data = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data)
        parser = etree.XMLParser(
            recover=True, resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
        )
        try:
            root = etree.fromstring(data.strip(), parser)
        except etree.XMLSyntaxError:
            return []
        if root is None:
            return []
        entries: list[FeedEntry] = []
        for item in root.iter("item", "{http://www.w3.org/2005/Atom}entry"):
            atom = item.tag.startswith("{")
            link, title, guid, stamp = "", "", None, None
            for child in item:
                if not isinstance(child.tag, str):
                    continue
                tag = etree.QName(child).localname
                text = (child.text or "").strip()
                if tag == "title":  # feeds put the stored, escaped title in CDATA: decoded here, once
                    title = fold_nfc(text, unescape=True)
                elif tag == "link":
                    link = (child.get("href") or "") if atom else text
                    link = link.strip()
                elif tag in ("guid", "id"):
                    guid = text or None
                elif tag == "pubDate":
                    stamp = dates.parse_rss_pubdate_hour(text) or stamp
                elif tag in ("published", "date", "updated") and stamp is None:
                    stamp = self._iso_hour(text)
            if not link:
                continue
            entries.append(FeedEntry(url=urljoin(feed_url, link), title=title, guid=guid, published_hour_utc=stamp))
        return entries

    def skip_url(self, url: str) -> bool:
        """True for links not worth fetching: other hosts, non-http schemes, duplicate routes
        (savefile/print/sendmail/rating), files."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return True
        if parts.scheme.lower() not in ("http", "https"):
            return True
        if self._domains and _netloc(parts.netloc) not in self._domains:
            return True
        target = parts.path + ("?" + parts.query if parts.query else "")
        return any(rx.search(target) for rx in self._skip_res)

    def native_id(self, url: str) -> str | None:
        raise NotImplementedError

    # --- document helpers -----------------------------------------------------------------------

    def load(self, html: str | bytes | None) -> HtmlElement:
        """Parse a page; ParseError empty_page / not_html when there is nothing to parse."""
        if html is None:
            raise ParseError("empty_page", "no content")
        if isinstance(html, bytes):
            text = html.decode("utf-8", errors="replace")
        else:
            text = html
        text = text.lstrip("\ufeff")
        head = text.lstrip()[:16]
        if not head:
            raise ParseError("empty_page", "blank document")
        if head.startswith(_NOT_HTML_PREFIXES) or "<" not in text[:4096]:
            raise ParseError("not_html", f"starts with {head[:8]!r}")
        # NUL and the other C0 controls (tab and newlines aside) are no text: dropped, never U+FFFD
        text = _XML_DECL.sub("", text, count=1)
        if _has_control(text):
            text = _CONTROL.sub("", text)
        try:
            return lxml.html.document_fromstring(text, parser=_page_parser())
        except (etree.ParserError, ValueError) as exc:
            raise ParseError("empty_page", str(exc)) from exc

    def _has_content(self, doc: HtmlElement) -> bool:
        body = doc.find("body")
        scope = body if body is not None else doc
        if fold(text_outside(scope, ("script", "style", "noscript", "template"))):
            return True
        return next(scope.iter("img", "video", "iframe"), None) is not None

    def _all(self, node: HtmlElement, key: str) -> list:
        """Matches of the selector ``key``; none when this adapter has no such selector. A page
        selector that has missed on ``STALE_AFTER`` pages in a row is only tried again on every
        ``STALE_RECHECK``-th page until it matches again: a re-themed site's stale selectors cost a
        whole-document scan each, and the generic methods find those fields anyway."""
        expr = self.xp.get(key)
        if expr is None:
            return []
        if key in REREAD_SELECTORS and node.getparent() is None:
            return self._reread(node, key, expr)
        if key not in STALE_SKIPPABLE or node.getparent() is not None:
            return expr(node)
        misses = self._stale_misses.get(key, 0)
        if misses >= STALE_AFTER and misses % STALE_RECHECK:
            self._stale_misses[key] = misses + 1
            return []
        found = expr(node)
        self._stale_misses[key] = 0 if found else misses + 1
        return found

    def _reread(self, doc: HtmlElement, key: str, expr: etree.XPath) -> Any:
        """The matches of a document-level selector the page's chain reads twice: the first
        read's, while every one of them is still in the document (extraction only removes
        elements, so then nothing else can match); else a fresh evaluation."""
        memo = getattr(self._local, "reread", None)
        if memo is None or memo[0] is not doc:
            memo = self._local.reread = (doc, {})
        found = memo[1].get(key)
        if found is not None and all(_in_document(match, doc) for match in found):
            return list(found)
        found = expr(doc)
        if isinstance(found, list) and all(_in_document(match, doc) for match in found):
            memo[1][key] = list(found)
        return found

    def _first(self, node: HtmlElement, key: str) -> Any:
        found = self._all(node, key)
        return found[0] if found else None

    def _missed(self, page: PageContext, key: str) -> None:
        """The selector ``key`` found nothing usable, so a generic method ran (if it has one)."""
        if key in self.xp:
            page.misses.append(key)

    def _first_date(self, node: HtmlElement, key: str, parse: Callable[[str, Any], datetime | None]) -> datetime | None:
        """The first match of the XPath ``key`` (element or attribute string) that ``parse`` accepts."""
        for found in self._all(node, key):
            text = found.strip() if isinstance(found, str) else found.text_content()
            value = parse(text, self.tz)
            if value is not None:
                return value
        return None

    def _first_text(self, node: HtmlElement, key: str) -> str:
        for found in self._all(node, key):
            text = found if isinstance(found, str) else found.text_content()
            value = fold_nfc(text)
            if value:
                return value
        return ""

    def _drop(self, node: HtmlElement, key: str) -> None:
        for el in self._all(node, key):
            if isinstance(el, HtmlElement) and el.getparent() is not None:
                el.drop_tree()

    def _json_ld(self, doc: HtmlElement) -> dict:
        for script in self._all(doc, "jsonld_xpath"):
            raw = (script.text or "").strip()
            if not raw:
                continue
            try:
                data = json.loads(raw, strict=False)
            except ValueError:
                continue
            for obj in _ld_objects(data):
                if _ld_type(obj) & ARTICLE_LD_TYPES:
                    return obj
        return {}

    def _abs(self, base: str, href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        if not href or href.startswith(("javascript:", "#", "mailto:", "data:")):
            return None
        if href.startswith(("https://", "http://")) and " " not in href:
            return href  # already absolute: what urljoin would return, without its parsing
        if href[0] == "/" and _PLAIN_ROOTED_PATH.match(href) and "/." not in href:
            origin = _origin(base)
            if origin is not None:
                return origin + href  # what urljoin returns for a plain rooted path
        return urljoin(base, href)

    # --- field extractors (hooks) ---------------------------------------------------------------

    # title ---------------------------------------------------------------------------------------

    TITLE_MAX_CHARS = 400  # a "headline" longer than this is a paragraph a stale selector hit

    def _title(self, page: PageContext) -> str:
        """The hint (``article_title_xpath``) ▸ og:title ▸ JSON-LD headline ▸ the page's headline
        element (itemprop=headline / the one ``<h1>``) ▸ ``<title>`` minus the site name. Also
        settles ``page.headline``, the anchor the date line and the lead are looked for after."""
        doc = page.doc
        page.attempt("title", "article_title_xpath")
        for el in self._all(doc, "article_title_xpath"):
            text = fold_nfc(el if isinstance(el, str) else el.text_content())
            if text and len(text) <= self.TITLE_MAX_CHARS:
                if not isinstance(el, str):
                    page.headline = el
                page.found("title", "h1")
                return text
        og = fold_nfc(self._first(doc, "og_title_xpath"))
        ld = ld_name(page.jsonld.get("headline") or page.jsonld.get("name") or "")
        tag = fold_nfc(doc.findtext(".//title"))
        page.headline = signals.pick_headline(signals.headline_elements(doc), [og, ld, tag])
        headline = page.headline

        def title_tag() -> str:  # read only when the page declares no usable title elsewhere
            site = [
                self.source.name,
                fold_nfc(signals.meta_content(doc, "og:site_name")),
                *(section.name for section in self.source.sections),
            ]
            return signals.strip_site_name(tag, site) if tag else ""

        candidates: list[tuple[str, Callable[[], str]]] = [("og_title", lambda: og), ("json_ld", lambda: ld)]
        if headline is not None:
            candidates.append(("headline_element", lambda: fold_nfc(headline.text_content())))
        candidates.append(("title_tag", title_tag))
        for method, read in candidates:
            page.attempt("title", method)
            text = read()
            if text and len(text) <= self.TITLE_MAX_CHARS:
                self._missed(page, "article_title_xpath")
                page.found("title", method)
                return text
        return ""

    def _canonical(self, page: PageContext, url: str) -> str:
        """``<link rel=canonical>`` ▸ og:url ▸ the URL fetched."""
        for method, found in (
            ("canonical_link", lambda: self._first(page.doc, "canonical_xpath")),
            ("og_url", lambda: signals.meta_content(page.doc, "og:url")),
        ):
            value = self._abs(url, found())
            if value:
                page.found("canonical_url", method, signals.CONFIDENCE["og"])
                return value
        page.found("canonical_url", "url", 0.5)
        return url

    # body ----------------------------------------------------------------------------------------

    def _body(self, page: PageContext) -> HtmlElement:
        """The hint (``body_xpath``), if it holds text or media ▸ the generic main-content finder.
        ``layout_unknown`` when neither finds an article body (a list page, a cut-off page)."""
        page.attempt("body", "body_xpath")
        hinted = self._first(page.doc, "body_xpath")
        if hinted is not None and self._plausible_body(hinted):
            page.body = hinted
            page.found("body", "body_xpath")
            return hinted
        self._missed(page, "body_xpath")
        declared = self._declared_not_article(page.doc, page.url)
        if declared:
            raise ParseError(
                "layout_unknown",
                f"no {self.name} article body at {page.url}: body_xpath "
                f"matched nothing and the page declares itself {declared}",
            )
        from portal_etl.adapters import content

        learned = self._learned_body
        if learned.active:
            page.attempt("body", "learned_path")
            found = self._within_learned(page, learned)
            if found is not None:
                page.body = found.element
                page.found("body", "learned_path", min(signals.CONFIDENCE["hint"], found.confidence))
                return found.element
            learned.forget()  # the template changed again: back to the whole page
        page.attempt("body", "main_content")
        # read before the finder cuts the date line (and perhaps the lead) out of its container
        self._date_line(page)
        page.lead_candidate = lead = self._lead_candidate(page)
        standalone = lead is not None and lead.tag != "p" and next(lead.iterdescendants("p", "div", "li"), None) is None
        if lead is not None and (standalone or _same_opening(fold_nfc(lead.text_content()), self._description(page))):
            # a lead longer than a short article's text would win the finder: keep it out of reach
            # (still read as the sapo); a bare first <p> of the text is not set aside
            lead.drop_tree()
        self._drop_teasers(page.doc, page.url, keep=page.headline)
        candidate = learned.element(page.doc)
        candidate_chars = len(candidate.text_content()) if candidate is not None else -1
        match, listing = self._find_near_headline(page)
        plausible = match is not None and not listing and page.plausible_match
        if plausible:
            if hinted is not None or not content.needs_fallback(match, ""):
                page.body = match.element
                page.found("body", match.method, match.confidence)
                learned.observe(
                    page.doc,
                    match.element,
                    unpruned=match.element is candidate and len(candidate.text_content()) == candidate_chars,
                )
                return match.element
        if hinted is None and not listing and page.html is not None:
            # the benchmarked chain: trafilatura where the density finder is unsure or found nothing
            page.attempt("body", "trafilatura")
            paragraphs = [p for p in (fold(line) for line in content.fallback_text(page.html).splitlines()) if p]
            body = lxml.html.fragment_fromstring(
                "".join(f"<p>{html_lib.escape(p, quote=False)}</p>" for p in paragraphs), create_parent="div"
            )
            if paragraphs and self._plausible_generic_body(body):
                page.body = body
                page.found("body", "trafilatura", FALLBACK_BODY_CONFIDENCE)
                return body
            if plausible:
                page.body = match.element
                page.found("body", match.method, match.confidence)
                return match.element
        if hinted is not None:  # the selector's container is there, and empty
            page.body = hinted
            return hinted
        if not self._has_content(page.doc):
            if page.doc.find(".//title") is not None or signals.meta_content(page.doc, "og:title"):
                raise ParseError(
                    "layout_unknown",
                    f"no article at {page.url}: the page's body holds no text "
                    "(a page rendered by script?); only its head says what it is",
                )
            raise ParseError("empty_page", "the document has no text")
        raise ParseError(
            "layout_unknown",
            f"no {self.name} article body at {page.url}: body_xpath matched nothing and the "
            "generic main-content finder found " + ("only a list of article links" if listing else "no candidate"),
        )

    def _within_learned(self, page: PageContext, learned: LearnedPath):
        """The finder's match inside the element a learned path names (it prunes and may step into
        a child there), when that holds prose and is no list of teasers; else None."""
        from portal_etl.adapters import content

        scope = learned.element(page.doc)
        found = content.find_main_content(scope) if scope is not None else None
        if found is None or self._looks_like_listing(found.element, page.url):
            return None
        return found if found.text_chars >= LEARNED_MIN_CHARS else None

    def _find_near_headline(self, page: PageContext):
        """(the finder's match, whether it is a list of teasers): the finder asked about the
        headline's nearest ancestor that holds text beyond it, then the next one up, until it
        finds prose. The body of a short article sits beside its headline; on the whole page a
        masthead, a lead and a footer line can outweigh it."""
        from portal_etl.adapters import content

        match, listing = None, False
        for scope in self._headline_scopes(page):
            found = content.find_main_content(scope)
            for _ in range(LISTING_RETRIES):
                if found is None or not self._looks_like_listing(found.element, page.url):
                    break
                # teasers of other articles outscored a short article: set them aside, ask again
                self._drop_teasers(found.element, page.url)
                found = content.find_main_content(scope)
            if found is None:
                continue
            match, listing = found, self._looks_like_listing(found.element, page.url)
            page.plausible_match = not listing and self._plausible_generic_body(found.element)
            if page.plausible_match:
                return match, False
        return match, listing

    def _headline_scopes(self, page: PageContext) -> list[HtmlElement]:
        """The headline's ancestors that hold text beyond it (nearest first), ending with the page
        body; the whole document when there is no headline."""
        if page.headline is None:
            return [page.doc]
        own = len(page.headline.text_content())
        ancestors = [a for a in page.headline.iterancestors() if a.tag != "html"]
        for i, ancestor in enumerate(ancestors):  # the ones above hold more text still
            if len(fold(ancestor.text_content())) - own >= SCOPE_MIN_CHARS:
                return ancestors[i:]
        return [page.doc]

    @staticmethod
    def _plausible_body(el: HtmlElement) -> bool:
        if fold(el.text_content()):
            return True
        return next(el.iter("img", "video", "iframe", "audio", "source"), None) is not None

    def _declared_not_article(self, doc: HtmlElement, url: str) -> str | None:
        """What the page says it is when that is not an article: a canonical URL that is not
        shaped like this channel's articles (a section or home page), or an og:type of
        "website". None when it says nothing or says article."""
        canonical = self._abs(url, self._first(doc, "canonical_xpath")) or self._abs(
            url, signals.meta_content(doc, "og:url")
        )
        if canonical and canonical != url and self.native_id(canonical) is None:
            return f"a page of {canonical} (canonical, with no article id), not an article"
        og_type = signals.meta_content(doc, "og:type").lower()
        if og_type == "website" and not (page_ld := self._json_ld(doc)) and not page_ld:
            return 'of og:type "website", not an article'
        return None

    # a generically found body must hold prose: this many words in sentence-long paragraphs (a
    # container of a byline and a time is what is left of an article page whose body is empty)
    GENERIC_BODY_MIN_WORDS = 12

    def _plausible_generic_body(self, el: HtmlElement) -> bool:
        words = 0

        def enough(text: str) -> bool:  # stop reading once the prose is there
            nonlocal words
            count = len(text.split())
            if count >= 5:
                words += count
            return words >= self.GENERIC_BODY_MIN_WORDS

        block_texts(el, until=enough)
        if words >= self.GENERIC_BODY_MIN_WORDS:
            return True
        return next(el.iter("video"), None) is not None or any(
            self._iframe_allowed(f.get("src") or "") for f in el.iter("iframe")
        )

    def _drop_teasers(self, scope: HtmlElement, url: str, keep: HtmlElement | None = None) -> None:
        """Reduce every teaser of another article in ``scope`` (most read, related, "other news":
        a short block whose first text is a link to that article) to its links. Their leads and
        times read like prose to a density finder, while the links left behind still mark the
        block as furniture; a link inside the article's own text is left alone (its block does
        not open with it, or is longer than a teaser)."""
        other = self._other_article(url)
        keep_set = set(keep.iterancestors()) | {keep} if keep is not None else set()
        teasers = []
        for a in scope.iter("a"):
            if not other(a.get("href")):
                continue
            el = signals.item_container(a, lambda x: other(x.get("href")), stop=scope)
            if el is scope or el in keep_set or len(fold(el.text_content())) > signals.TEASER_MAX_CHARS:
                continue
            first = next((t for t in el.itertext() if t.strip()), None)
            if first is not None and _text_in_link(el, first):
                teasers.append(el)
        for el in teasers:
            _keep_only_links(el)

    def _looks_like_listing(self, el: HtmlElement, url: str) -> bool:
        """A container whose text is mostly links to other articles of this site: a list page."""
        links = {self._abs(url, a.get("href")) for a in el.iter("a")}
        links = {u for u in links if u and u != url and self.is_article_url(u)}
        return len(links) >= LISTING_MIN_LINKS

    def is_article_url(self, url: str) -> bool:
        """True for a URL shaped like one of this channel's article pages."""
        return self.native_id(url) is not None

    _HIDDEN_CLASSES = frozenset({"hidden", "hide", "d-none", "sr-only", "visually-hidden", "invisible"})

    def _drop_page_furniture(self, page: PageContext, body: HtmlElement, sapo: str) -> None:
        """Headline, date line, lead and hidden (schema.org) elements inside a generically found
        body are not body text."""
        if page.sources.get("body") == "body_xpath":
            return
        doomed = [el for el in (page.headline, page.date_line, page.lead) if el is not None and within(el, body)]
        if sapo and not doomed:  # the lead repeated as a block of the body (or of trafilatura's text)
            repeated = next((el for el in body.iter("p", "div", "h2") if text_folds_to(el, sapo)), None)
            doomed += [repeated] if repeated is not None else []
        # only elements with one of the attributes the two tests read (lxml picks them, in C)
        doomed += [
            el
            for el in _FURNITURE_CANDIDATES(body)
            if (self._hidden(el) or (el.get("itemprop") in _MICRODATA_FURNITURE and next(el.iter("p"), None) is None))
        ]
        for el in doomed:
            if el is not body and el.getparent() is not None:
                el.drop_tree()

    def _hidden(self, el: HtmlElement) -> bool:
        if el.get("hidden") is not None or el.get("aria-hidden") == "true":
            return True
        if self._HIDDEN_CLASSES.intersection((el.get("class") or "").split()):
            return True
        style = (el.get("style") or "").replace(" ", "").lower()
        return "display:none" in style or "visibility:hidden" in style

    # lead ----------------------------------------------------------------------------------------

    def _sapo(self, page: PageContext) -> str:
        """The hint (``sapo_xpath``) ▸ ``itemprop=description`` ▸ meta/og description (not a
        CMS-generated one) ▸ the text block between the headline and the body; "" when the page
        has no lead (an empty lead is a fact, not a failure)."""
        doc = page.doc
        hinted = self._all(doc, "sapo_xpath")
        for el in hinted:
            text = fold_nfc(el if isinstance(el, str) else el.text_content())
            if text:
                page.lead = el if not isinstance(el, str) else None
                page.found("sapo", self.SAPO_SOURCE)
                return text
        if hinted:  # the theme's lead slot is there and empty: the article has no lead
            return ""
        for el in _ITEMPROP_DESCRIPTION(doc):
            if el.tag != "meta" and (text := fold_nfc(el.text_content())):
                page.lead = el
                page.found("sapo", "microdata")
                return text
        described = self._description(page)
        block, in_body = self._lead_block(page)
        visible = fold_nfc(block.text_content()) if block is not None else ""
        if visible and described and _same_opening(visible, described):
            # the page's visible lead, confirmed by its description (often a shortened copy of it)
            page.lead = block
            page.found("sapo", "lead_block", signals.CONFIDENCE["meta"])
            return visible
        if described:
            page.found("sapo", "meta_description")
            return described
        if visible and (not in_body or not _in_paragraph_run(block)):
            # inside the body, an unconfirmed "lead" that is one of a run of <p> is its first paragraph
            page.lead = block
            page.found("sapo", "lead_block", LEAD_BLOCK_CONFIDENCE)
            return visible
        return ""

    SAPO_SOURCE = "sapo"

    def _description(self, page: PageContext) -> str:
        """The page's meta/og description, unless the CMS generated it or it repeats the title."""
        title = signals.title_key(self._first_text(page.doc, "og_title_xpath"))
        for value in self._all(page.doc, "description_xpath"):
            text = fold_nfc(value)
            if text and not self._generated_description(text, page.url) and signals.title_key(text) != title:
                return text
        return ""

    # CMS descriptions that are not a lead: NukeViet's "<title> - Detail - <module> - <url>" for an
    # article without one, and its print/save variants ("Savefile - News - …")
    _GENERATED_DESCRIPTION = re.compile(r"(?:^|\s-\s)(?:detail|savefile|print|chi tiết)\s-\s", re.I)

    def _generated_description(self, text: str, url: str) -> bool:
        lowered = text.lower()
        if lowered.startswith(("savefile", "print")) or self._GENERATED_DESCRIPTION.search(text):
            return True
        path = urlsplit(url).path
        return bool(path) and len(path) > 1 and lowered.rstrip(". ").endswith(path.lower().rstrip("/"))

    def _lead_block(self, page: PageContext) -> tuple[HtmlElement | None, bool]:
        """(the text block read as the lead, whether it lies inside the body found); see
        :meth:`_lead_candidate`. A block inside a body that holds the headline too may be the
        body's first paragraph, so the caller wants it confirmed."""
        block = page.lead_candidate if page.lead_candidate is not None else self._lead_candidate(page)
        if block is None or page.body is None:
            return None, False
        inside = any(x is page.body for x in block.iterancestors())
        if any(x is page.body for x in block.iter()):
            return None, False
        return block, inside

    def _lead_candidate(self, page: PageContext) -> HtmlElement | None:
        """The first text block after the date line (or headline) that reads like a lead: a
        sentence or two, no links, no image, not schema.org furniture or hidden, and not past the
        start of the hinted body."""
        if page.date_line is None:
            self._date_line(page)
        anchor = page.date_line if page.date_line is not None else page.headline
        if anchor is None:
            return None
        hinted = page.body if page.sources.get("body") == "body_xpath" else None
        hidden: dict[HtmlElement, bool] = {}

        def is_hidden(el: HtmlElement) -> bool:  # memoised up the ancestors: each is read once
            if el not in hidden:
                parent = el.getparent()
                hidden[el] = self._hidden(el) or (parent is not None and is_hidden(parent))
            return hidden[el]

        title = signals.title_key(page.headline.text_content()) if page.headline is not None else None
        for el in signals.iter_after(page.doc, anchor, signals.DATE_LINE_SCAN, hinted):
            if el.tag not in ("p", "div", "h2", "strong", "em", "b", "span"):
                continue
            if el.get("itemprop") not in (None, "description") or el.get("itemscope") is not None:
                continue  # schema.org furniture (publisher, logo) is not a lead
            if hinted is not None and any(x is hinted for x in el.iter()):
                return None
            if sum(1 for _ in itertools.islice(el.iterdescendants("p", "div", "li"), 2)) > 1:
                continue  # a box of paragraphs (the text itself), not one lead block
            text = fold(el.text_content())
            if len(text.split()) < LEAD_BLOCK_MIN_WORDS:
                continue
            if next(el.iter("a", "img", "figure", "table", "form", "iframe"), None) is not None:
                continue
            if is_hidden(el) or is_editor_caption(el) or _is_caption_beside_picture(el):
                continue  # hidden blocks; the lead picture's caption (often the headline again)
            if title is not None and signals.title_key(text) == title:
                continue
            return el
        return None

    def _prepare_body(self, body: HtmlElement, sapo: str) -> tuple[str | None, set]:
        """Drop site-specific noise inside the body; return (byline text, elements whose text
        must not count as body text). Here: a first paragraph that repeats the lead."""
        if sapo:
            first = edge_text_block(body, last=False)
            if first is not None and fold_nfc(first.text_content()) == sapo:
                first.drop_tree()
        return None, set()

    def _caption_elements(self, body: HtmlElement) -> set[HtmlElement]:
        skip: set[HtmlElement] = set(body.iter("figcaption"))
        for table in body.iter("table"):
            if contains_img(table) or "image-caption" in (table.get("class") or "").split():
                skip.add(table)
        for p in body.iter("p", "div"):
            if is_editor_caption(p):
                skip.add(p)
        for block in body.iter("div", "span", "p"):
            if _is_caption_beside_picture(block):
                skip.add(block)
        return skip

    def _images(self, doc: HtmlElement, body: HtmlElement, url: str) -> list[ImageRef]:
        images: list[ImageRef] = []
        seen: set[str] = set()
        lead = self._all(doc, "lead_image_xpath") if "lead_image_xpath" in self.xp else []
        for img in [*lead, *body.iter("img")]:
            src = self._abs(url, img.get("src") or img.get("data-src") or img.get("data-original"))
            if not src or src in seen:
                continue
            seen.add(src)
            images.append(ImageRef(src=src, caption=self._image_caption(img, body)))
        return images

    def _image_caption(self, img: HtmlElement, body: HtmlElement) -> str:
        """figcaption of the enclosing figure ▸ text of the enclosing caption table ▸ CKEditor
        centred-<em> caption holding the image or right after its block."""
        block = None
        node = img.getparent()
        while node is not None and node is not body:
            if node.tag == "figure":
                caption = next(node.iter("figcaption"), None)
                return fold_nfc(caption.text_content()) if caption is not None else ""
            if node.tag == "table":
                return fold_nfc(node.text_content())
            if block is None and node.tag in ("p", "div"):
                block = node
            node = node.getparent()
        if block is None:
            following = img.getnext()
            return (
                fold_nfc(following.text_content()) if (following is not None and is_editor_caption(following)) else ""
            )
        if is_editor_caption(block):
            return fold_nfc(block.text_content())
        following = block.getnext()
        if following is not None and (is_editor_caption(following) or _is_caption_beside_picture(following)):
            return fold_nfc(following.text_content())
        return ""

    def _video(self, page: PageContext, url: str) -> str | None:
        """The hint (``video_xpath``) ▸ a ``<video>`` or allowed ``<iframe>`` in the body or in the
        article around it (the headline's and body's common ancestor) ▸ og:video."""
        scopes: list[Any] = [self._all(page.doc, "video_xpath")]
        if page.sources.get("body") != "body_xpath" and page.body is not None:
            scope = self._article_scope(page)
            scopes.append(
                el
                for el in scope.iter("video", "source", "iframe")
                if el.tag != "source" or el.getparent().tag == "video"
            )
        for elements in scopes:
            for el in elements:
                src = self._abs(url, el.get("src") or el.get("data-src"))
                if src and (el.tag != "iframe" or self._iframe_allowed(src)):
                    return src
        og_video = self._abs(url, signals.meta_content(page.doc, "og:video:url", "og:video"))
        if og_video and (self._iframe_allowed(og_video) or og_video.lower().endswith((".mp4", ".webm", ".m3u8"))):
            return og_video
        return None

    @staticmethod
    def _article_scope(page: PageContext) -> HtmlElement:
        """The smallest element holding both the headline and the body (the body alone without a
        headline): where an article's own media player sits, away from sidebars."""
        body = page.body
        if page.headline is None:
            return body
        ancestors = set(page.headline.iterancestors())
        node = body
        while node is not None and node not in ancestors:
            node = node.getparent()
        if node is None or node.tag in ("html", "body"):
            return body
        return node

    def _iframe_allowed(self, src: str) -> bool:
        host = (urlsplit(src).hostname or "").lower()
        return any(host == h or host.endswith("." + h) for h in self._iframe_hosts)

    def _section_path(self, url: str, canonical: str) -> str | None:
        raise NotImplementedError

    def _section_for(self, path: str | None) -> Section | None:
        if not path:
            return None
        for candidate in (path, path.split("/", 1)[0]):
            found = self.source.section(candidate)
            if found is not None:
                return found
            for section in self.source.sections:
                if section.path.lower() == candidate.lower():
                    return section
        return None

    def _slug(self, url: str) -> str:
        path = urlsplit(url).path.rstrip("/")
        return path.rsplit("/", 1)[-1].lower()

    def _item_type_found(
        self, section: Section | None, slug: str, video_url: str | None, body_text: str
    ) -> tuple[str, str]:
        """(item type, the rule that decided it)."""
        if section is not None and section.item_type:
            return section.item_type, "section"
        if slug.startswith("infographic-"):
            return "infographic", "url_slug"
        if video_url:
            return "video", "video_player"
        least = self.source.article_min_words  # >= 1; splitting stops once that many words are seen
        return ("bai" if len(body_text.split(None, least - 1)) >= least else "tin"), "length"

    def _date_candidates(
        self, page: PageContext, list_entry: ListEntry | None, feed_entry: FeedEntry | None
    ) -> list[DateThunk]:
        return self._generic_dates(page, list_entry, feed_entry)

    # the channel's visible date-line format (dates.parse_*), scanned for under the headline
    DATE_LINE_PARSER: Callable[[str, Any], datetime | None] | None = None

    def _visible_date(self, page: PageContext) -> datetime | None:
        """The hint (``date_xpath``) read with the channel's date-line parser."""
        if self.DATE_LINE_PARSER is None or "date_xpath" not in self.xp:
            return None
        found = self._first_date(page.doc, "date_xpath", self.DATE_LINE_PARSER)
        if found is None:
            self._missed(page, "date_xpath")
        return found

    def _date_line(self, page: PageContext) -> datetime | None:
        """The channel's date-line pattern in the first short element after the headline and
        before the body (not a teaser of another article)."""
        if self.DATE_LINE_PARSER is None:
            return None
        if page.date_line is not None:
            return page.date_line_value
        found = signals.date_line_after(
            page.doc,
            page.headline,
            self.DATE_LINE_PARSER,
            self.tz,
            stop=page.body,
            is_other_article=self._other_article(page.url),
        )
        if found is None:
            return None
        page.date_line_value, page.date_line = found
        return found[0]

    def _other_article(self, url: str) -> Callable[[str | None], bool]:
        """A test, memoised per href, for "links to another article of this channel"."""
        own = self.native_id(url)
        seen: dict[str | None, bool] = {}

        def check(href: str | None) -> bool:
            found = seen.get(href)
            if found is None:
                href_id = self.native_id(href.strip()) if href else None
                if href_id is None or href_id == own:  # no id, or this article's own: skip the join
                    seen[href] = False
                    return False
                target = self._abs(url, href)
                found = seen[href] = bool(target) and self.is_article_url(target) and self.native_id(target) != own
            return found

        return check

    def _json_ld_date(self, page: PageContext) -> datetime | None:
        value = page.jsonld.get("datePublished") or page.jsonld.get("uploadDate")
        return dates.parse_iso(str(value), self.tz) if value else None

    def _meta_date(self, page: PageContext) -> datetime | None:
        return self._first_date(page.doc, "meta_published_xpath", dates.parse_malformed_nukeviet_published_time)

    def _time_element(self, page: PageContext) -> datetime | None:
        return signals.time_element_after(page.doc, page.headline, dates.parse_iso, self.tz, stop=page.body)

    def _generic_dates(
        self, page: PageContext, list_entry: ListEntry | None, feed_entry: FeedEntry | None
    ) -> list[DateThunk]:
        """Visible date (hint) ▸ the same date line found under the headline without it ▸ JSON-LD
        ▸ article:published_time ▸ ``<time datetime>`` ▸ the list page ▸ the feed hour. What the
        reader sees outranks structured data, which some CMSs fill with the edit time."""
        return [
            ("visible_date", lambda: self._visible_date(page)),
            ("date_line", lambda: self._date_line(page)),
            ("json_ld", lambda: self._json_ld_date(page)),
            ("meta_published_time", lambda: self._meta_date(page)),
            ("time_element", lambda: self._time_element(page)),
            *self._fallback_dates(list_entry, feed_entry),
        ]

    def _fallback_dates(self, list_entry: ListEntry | None, feed_entry: FeedEntry | None) -> list[DateThunk]:
        out: list[DateThunk] = []
        if list_entry is not None and list_entry.published_at is not None:
            out.append(("list_page", lambda: self._aware(list_entry.published_at)))
        if feed_entry is not None and feed_entry.published_hour_utc is not None:
            out.append(("feed", lambda: self._aware(feed_entry.published_hour_utc)))
        return out

    def _aware(self, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=self.tz)
        return value.astimezone(self.tz)

    def date_window(self) -> tuple[datetime, datetime]:
        """[channel live date, now + 1 day]: a publish time outside it is a wrong date."""
        return self._live_from, self.now() + timedelta(days=1)

    def pick_date(self, candidates: Iterable[DateThunk]) -> tuple[datetime, str]:
        """First candidate inside :meth:`date_window`; ParseError otherwise."""
        lower, upper = self.date_window()
        rejected: list[str] = []
        tried: list[str] = []
        for name, thunk in candidates:
            tried.append(name)
            value = thunk()
            if value is None:
                continue
            value = value.astimezone(self.tz)
            if lower <= value <= upper:
                return value, name
            rejected.append(f"{name}={value.isoformat()}")
        if rejected:
            raise ParseError(
                "date_out_of_window",
                f"{'; '.join(rejected)} outside [{lower.date()}, {upper.isoformat()}]",
            )
        raise ParseError("no_date", f"no publish time found; tried {', '.join(tried) or 'nothing'}")

    def _author(self, page: PageContext, byline: str | None) -> tuple[str | None, str | None]:
        return (byline, "byline") if byline else (None, None)

    def _tags(self, doc: HtmlElement, jsonld: dict) -> list[str]:
        tags: list[str] = []
        for el in self._all(doc, "tags_xpath"):
            text = fold_nfc(el if isinstance(el, str) else el.text_content())
            if text and text not in tags:
                tags.append(text)
        if not tags:
            for value in self._all(doc, "meta_tags_xpath"):
                text = fold_nfc(value)
                if text and text not in tags:
                    tags.append(text)
        if not tags and jsonld.get("keywords"):
            raw = jsonld["keywords"]
            values = raw if isinstance(raw, list) else str(raw).split(",")
            tags = [t for t in (fold_nfc(str(v)) for v in values) if t]
        return tags

    def _language(self, doc: HtmlElement, url: str) -> str:
        lang = (doc.get("lang") or doc.get("xml:lang") or "").strip().lower()
        if re.fullmatch(r"[a-z]{2}(?:[-_][a-z0-9]+)?", lang):
            return lang[:2]
        return self.source.language

    def _iso_hour(self, text: str) -> datetime | None:
        found = dates.parse_iso(text, "UTC")
        return found.replace(minute=0, second=0, microsecond=0) if found else None

    # --- list helpers ---------------------------------------------------------------------------

    PAGER_STYLE = "query"  # how this platform numbers list pages: "query" (?page=N) or "path" (/page-N/)
    # a generically read list page with this many entries and no pager link is probably not the
    # last page: the next one is asked for by the platform's URL pattern (an empty page or a
    # redirect to page 1 ends the walk)
    FULL_PAGE_ENTRIES = 10

    def parse_list(self, html: str, page_url: str, section: Section) -> ListPage:
        """Entries of a section's list page, newest first, and the next (older) page.

        Entries: the adapter's list selectors (hints) ▸ every link shaped like an article URL,
        grouped by the structure of its teaser, dated from the teaser's text. Next page: the
        pager hint ▸ ``rel=next`` ▸ a link named by the next page number or "Trang sau" ▸ the
        platform's page URL pattern (generic reading only)."""
        doc = self.load_list(html)
        if doc is None:
            return ListPage(entries=[], next_url=None)
        methods: dict[str, str] = {}
        misses: list[str] = []
        entries = self._hinted_entries(doc, page_url)
        if entries:
            methods["entries"] = "hint"
        else:
            entries = self._linked_entries(doc, page_url)
            if entries:
                methods["entries"] = "article_links"
                misses += [k for k in ("list_item_xpath",) if k in self.xp]
        next_url = self._next_url(doc, page_url)
        if next_url:
            methods["next_url"] = "hint"
        else:
            found = signals.next_page_link(doc, page_url, self._is_list_url)
            if found is None and methods.get("entries") == "article_links" and len(entries) >= self.FULL_PAGE_ENTRIES:
                guess = signals.with_page(page_url, signals.page_number(page_url) + 1, self.PAGER_STYLE)
                found = (guess, "url_pattern")
            if found is not None:
                next_url, methods["next_url"] = found
                if methods.get("entries") == "hint" and "next_xpath" in self.xp:
                    misses.append("next_xpath")
        return ListPage(entries=self._dedupe(entries), next_url=next_url, methods=methods, hint_misses=misses)

    def _hinted_entries(self, doc: HtmlElement, page_url: str) -> list[ListEntry]:
        """Entries found by the adapter's list selectors (empty when they match nothing)."""
        return []

    def _list_time(self, text: str) -> tuple[datetime | None, bool]:
        """(publish time, date only) of a list entry's stamp text."""
        found = dates.parse_dmy(text, self.tz)
        return (found, True) if found is not None else (None, False)

    def _is_list_url(self, url: str) -> bool:
        return not self.skip_url(url) and not self.is_article_url(url)

    def _linked_entries(self, doc: HtmlElement, page_url: str) -> list[ListEntry]:
        """Every article link outside navigation and sidebars, with the time printed in its teaser.

        Teasers of one list share a tag structure; a group none of whose teasers shows a time is
        a block beside the list (most read, related) when another group does show times."""
        links: dict[str, list[HtmlElement]] = {}
        for a in doc.iter("a"):
            url = self._abs(page_url, a.get("href"))
            if url and url != page_url and self.is_article_url(url) and not self.skip_url(url):
                links.setdefault(url, []).append(a)

        def is_item_link(a: HtmlElement) -> bool:
            url = self._abs(page_url, a.get("href"))
            return bool(url) and url in links

        groups: dict[tuple[str, ...], list[ListEntry]] = {}
        order: list[tuple[tuple[str, ...], ListEntry]] = []
        for url, anchors in links.items():
            anchors = [a for a in anchors if not signals.in_aside(a)]
            if not anchors:
                continue
            titled = max(anchors, key=lambda a: len(self._entry_title(a)))
            container = signals.item_container(titled, is_item_link)
            published, date_only = self._list_time(fold(container.text_content()))
            entry = ListEntry(
                url=url,
                title=self._entry_title(titled),
                published_at=published,
                native_id=self.native_id(url),
                date_only=date_only,
            )
            key = signals.structure_key(container)
            groups.setdefault(key, []).append(entry)
            order.append((key, entry))
        dated = {key for key, group in groups.items() if any(e.published_at for e in group)}
        return [entry for key, entry in order if not dated or key in dated]

    def load_list(self, html: str | bytes | None) -> HtmlElement | None:
        """A list page's document, or None when there is nothing to parse (empty list)."""
        try:
            return self.load(html)
        except ParseError:
            return None

    def _entry_title(self, link: HtmlElement) -> str:
        title = fold_nfc(link.get("title"))
        if not title:
            title = fold_nfc(text_outside(link, ("em", "span", "img")))
        return title or fold_nfc(link.text_content())

    def _next_url(self, doc: HtmlElement, page_url: str) -> str | None:
        for key in ("next_xpath", "next_fallback_xpath", "next_link_xpath"):
            if key not in self.xp:
                continue
            for href in self._all(doc, key):
                value = href if isinstance(href, str) else href.get("href")
                absolute = self._abs(page_url, value)
                if absolute and absolute != page_url:
                    return absolute
        return None

    @staticmethod
    def _dedupe(entries: list[ListEntry]) -> list[ListEntry]:
        seen: set[str] = set()
        out = []
        for entry in entries:
            if entry.url not in seen:
                seen.add(entry.url)
                out.append(entry)
        return out
