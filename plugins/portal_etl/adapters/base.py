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
import json
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import lxml.html
from lxml import etree

from portal_etl import dates
from portal_etl.models import (
    ExtractedItem,
    FeedEntry,
    ImageRef,
    ListEntry,
    ListPage,
    ParseError,
)
from portal_etl.registry.schema import Section, Source

HtmlElement = lxml.html.HtmlElement
DateThunk = tuple[str, Callable[[], datetime | None]]


def C(name: str) -> str:  # noqa: N802 - reads like a CSS class selector inside XPath strings
    """XPath predicate body true when the context node has CSS class ``name``."""
    # the plain contains() is a cheap pre-filter; the token test runs only when it passes
    return (f"(contains(@class, '{name}') and "
            f"contains(concat(' ', normalize-space(@class), ' '), ' {name} '))")


def any_element(*, ids: Iterable[str] = (), classes: Iterable[str] = (),
                extra: Iterable[str] = ()) -> str:
    """One relative XPath matching any descendant with one of ``ids`` or ``classes`` (or an
    ``extra`` predicate): a single tree scan instead of a union of many."""
    conds = [f"@id='{i}'" for i in ids]
    class_conds = [C(c) for c in classes]
    if class_conds:
        conds.append(f"(@class and ({' or '.join(class_conds)}))")
    conds.extend(extra)
    return f".//*[{' or '.join(conds)}]"


# --- text helpers -------------------------------------------------------------------------------

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def fold(text: str | None) -> str:
    """Whitespace folded to single spaces (NBSP included), zero-width characters removed."""
    if not text:
        return ""
    return " ".join(_INVISIBLE.sub("", text).split())


def nfc(text: str) -> str:
    """Unicode NFC (U+00D0 and other look-alikes are left alone: that is the normaliser's job)."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def clean_text(text: str | None, *, unescape: bool = False) -> str:
    """fold + NFC, and entity-unescaping for meta values (NukeViet escapes ``(`` ``)`` ``:``…)."""
    value = fold(text)
    if unescape and "&" in value:
        value = fold(html_lib.unescape(value))
    return nfc(value)


_BR = "\x00"  # marker of a <br> inside the text buffer (NUL never survives HTML parsing)
_DOUBLE_BR = re.compile("\x00\\s*\x00[\\s\x00]*")
BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre table thead tbody tfoot tr td th "
    "caption figure figcaption section article header footer aside main nav center address hr "
    "form fieldset details summary".split()
)
SKIP_TEXT_TAGS = frozenset(
    "script style noscript template iframe video audio object embed svg button select "
    "textarea input canvas map".split()
)


FOREIGN_TAGS = frozenset({"svg", "math"})


def block_texts(root: HtmlElement, skip: set[HtmlElement] | frozenset = frozenset()) -> list[str]:
    """Paragraph texts of ``root``: block elements (and ``<br>``) separate paragraphs, inline
    markup is joined as written; elements in ``skip`` (captions, bylines) contribute nothing."""
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            joined = "".join(buf)
            buf.clear()
            # <br><br> separates paragraphs, a single <br> is a soft line break
            for part in _DOUBLE_BR.split(joined) if _BR in joined else (joined,):
                text = fold(part.replace(_BR, " "))
                if text:
                    out.append(text)

    def walk(node: HtmlElement, foreign: bool = False) -> None:
        for child in node:
            tag = child.tag
            if not isinstance(tag, str):  # comment, processing instruction
                if child.tail and not foreign:
                    buf.append(child.tail)
                continue
            if foreign and tag not in BLOCK_TAGS:
                walk(child, foreign=True)  # SVG/MathML content: no text, but look for breakouts
                continue
            if tag == "br":
                buf.append(_BR)
            elif tag in FOREIGN_TAGS and child not in skip:
                # libxml2 knows no foreign content: an unclosed <svg> swallows the rest of the
                # body, where a browser leaves it at the next HTML block (<p>, <div> …)
                flush()
                walk(child, foreign=True)
            elif tag in SKIP_TEXT_TAGS or child in skip:
                flush()
            else:
                block = tag in BLOCK_TAGS
                if block:
                    flush()
                if child.text:
                    buf.append(child.text)
                walk(child)
                if block:
                    flush()
            if child.tail:
                buf.append(child.tail)

    if root.text:
        buf.append(root.text)
    walk(root)
    flush()
    return out


def inner_html(el: HtmlElement) -> str:
    """The element's inner HTML, as served (minus what was dropped)."""
    parts = [html_lib.escape(el.text, quote=False)] if el.text else []
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in el)
    return "".join(parts).strip()


def text_outside(el: HtmlElement, tags: tuple[str, ...]) -> str:
    """Text of ``el`` not inside any descendant with one of ``tags``."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag not in tags:
            parts.append(text_outside(child, tags))
        parts.append(child.tail or "")
    return "".join(parts)


def _style(el: HtmlElement) -> str:
    return (el.get("style") or "").replace(" ", "").lower()


def is_centered(el: HtmlElement) -> bool:
    return "text-align:center" in _style(el) or el.get("align", "").lower() == "center" or (
        "text-center" in (el.get("class") or "")
    )


def is_right_aligned(el: HtmlElement) -> bool:
    return "text-align:right" in _style(el) or el.get("align", "").lower() == "right" or (
        "text-right" in (el.get("class") or "")
    )


def contains_img(el: HtmlElement | None) -> bool:
    if el is None or not isinstance(el.tag, str):
        return False
    return el.tag == "img" or next(el.iter("img"), None) is not None


def is_editor_caption(p: HtmlElement) -> bool:
    """A CKEditor photo caption: a centred paragraph whose whole text is in ``<em>``/``<i>``,
    holding the image itself or right after an element that does."""
    if p.tag not in ("p", "div") or not is_centered(p):
        return False
    if not fold(p.text_content()) or fold(text_outside(p, ("em", "i"))):
        return False
    return contains_img(p) or contains_img(p.getprevious())


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NOT_HTML_PREFIXES = ("%PDF", "\x89PNG", "GIF8", "\xff\xd8", "PK\x03\x04", "{", "[")


def _compile(key: str, expr: str) -> etree.XPath:
    try:
        return etree.XPath(expr)
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
    {"newsarticle", "article", "reportagenewsarticle", "blogposting", "videoobject",
     "analysisnewsarticle", "backgroundnewsarticle", "webpage"}
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
        return clean_text(str(value.get("name") or ""), unescape=True)
    if isinstance(value, str):
        return clean_text(value, unescape=True)
    return ""


class Adapter:
    """Base adapter: a subclass supplies defaults and the site-specific hooks."""

    name = "base"
    DEFAULT_XPATHS: dict[str, str] = {
        "canonical_xpath": "//link[@rel='canonical']/@href",
        "og_title_xpath": "//meta[@property='og:title']/@content",
        "description_xpath": "//meta[@name='description']/@content"
        " | //meta[@property='og:description']/@content",
        "jsonld_xpath": "//script[contains(@type, 'ld+json')]",
        "meta_published_xpath": "//meta[@property='article:published_time']/@content",
        "meta_tags_xpath": "//meta[@property='article:tag']/@content",
        "meta_author_xpath": "//meta[@name='author']/@content"
        " | //meta[@property='article:author']/@content",
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
        self._xpath_sources = {key: str(self.options.get(key, expr))
                               for key, expr in defaults.items()}
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

    def _compile_all(self) -> dict[str, etree.XPath]:
        return {key: _compile(key, expr) for key, expr in self._xpath_sources.items()}

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

    def parse_list(self, html: str, page_url: str, section: Section) -> ListPage:
        raise NotImplementedError

    def parse_article(
        self,
        html: str,
        url: str,
        *,
        list_entry: ListEntry | None = None,
        feed_entry: FeedEntry | None = None,
    ) -> ExtractedItem:
        """Every field of one article page, or ParseError(reason, detail); never half-filled."""
        doc = self.load(html)
        jsonld = self._json_ld(doc)
        body = self._first(doc, "body_xpath")
        if body is None:
            if not self._has_content(doc):
                raise ParseError("empty_page", "the document has no text")
            raise ParseError("layout_unknown", f"no {self.name} article body at {url}")
        self._drop(body, "noise_xpath")

        title, title_src = self._title(doc, jsonld)
        if not title:
            raise ParseError("no_title", f"no headline at {url}")
        canonical = self._canonical(doc, url)
        sapo, sapo_src = self._sapo(doc)
        byline, skip = self._prepare_body(body, sapo)
        skip.update(self._caption_elements(body))
        body_text = nfc("\n\n".join(block_texts(body, skip)))
        body_html = inner_html(body)
        images = self._images(doc, body, url)
        video_url = self._video(doc, url)
        section_path = self._section_path(url, canonical)
        item_type = self._item_type(
            self._section_for(section_path), self._slug(canonical), video_url, body_text
        )
        if not body_text and not video_url and not (
            images and item_type in self.IMAGE_BODY_TYPES
        ):
            raise ParseError("no_body", f"no body text and no video at {url}")
        published_at, date_src = self.pick_date(
            self._date_candidates(doc, jsonld, list_entry, feed_entry)
        )
        author, author_src = self._author(doc, jsonld, byline)
        field_sources = {"title": title_src, "published_at": date_src}
        if author_src:
            field_sources["author"] = author_src
        if sapo_src:
            field_sources["sapo"] = sapo_src
        return ExtractedItem(
            source_id=self.source.id,
            url=url,
            canonical_url=canonical,
            native_id=self.native_id(url) or self.native_id(canonical),
            title=title,
            sapo=sapo,
            body_text=body_text,
            body_html=body_html,
            published_at=published_at,
            author=author,
            section=section_path,
            item_type=item_type,
            language=self._language(doc, url),
            tags=self._tags(doc, jsonld),
            images=images,
            video_url=video_url,
            field_sources=field_sources,
        )

    def parse_feed(self, xml: bytes | str, feed_url: str) -> list[FeedEntry]:
        """Items of an RSS 2.0 (or Atom) feed; pubDate kept to the UTC hour (NukeViet bug)."""
        data = xml.encode("utf-8") if isinstance(xml, str) else xml
        if isinstance(xml, str):
            data = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data)
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                                 huge_tree=False, remove_comments=True)
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
                if tag == "title":
                    title = clean_text(text, unescape=True)
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
            entries.append(FeedEntry(url=urljoin(feed_url, link), title=title, guid=guid,
                                     published_hour_utc=stamp))
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
        text = _XML_DECL.sub("", text, count=1)
        try:
            return lxml.html.document_fromstring(text)
        except ValueError:
            try:
                return lxml.html.document_fromstring(_CONTROL.sub("", text))
            except (etree.ParserError, ValueError) as exc:
                raise ParseError("empty_page", str(exc)) from exc
        except etree.ParserError as exc:
            raise ParseError("empty_page", str(exc)) from exc

    def _has_content(self, doc: HtmlElement) -> bool:
        body = doc.find("body")
        scope = body if body is not None else doc
        if fold(text_outside(scope, ("script", "style", "noscript", "template"))):
            return True
        return next(scope.iter("img", "video", "iframe"), None) is not None

    def _all(self, node: HtmlElement, key: str) -> list:
        return self.xp[key](node)

    def _first(self, node: HtmlElement, key: str) -> Any:
        found = self.xp[key](node)
        return found[0] if found else None

    def _first_date(self, node: HtmlElement, key: str, parse: Callable[[str, Any], datetime | None]) -> datetime | None:
        """The first match of the XPath ``key`` (element or attribute string) that ``parse`` accepts."""
        for found in self.xp[key](node):
            text = found.strip() if isinstance(found, str) else found.text_content()
            value = parse(text, self.tz)
            if value is not None:
                return value
        return None

    def _first_text(self, node: HtmlElement, key: str, *, unescape: bool = False) -> str:
        for found in self.xp[key](node):
            text = found if isinstance(found, str) else found.text_content()
            value = clean_text(text, unescape=unescape)
            if value:
                return value
        return ""

    def _drop(self, node: HtmlElement, key: str) -> None:
        for el in self.xp[key](node):
            if isinstance(el, HtmlElement) and el.getparent() is not None:
                el.drop_tree()

    def _json_ld(self, doc: HtmlElement) -> dict:
        for script in self.xp["jsonld_xpath"](doc):
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
        return urljoin(base, href)

    # --- field extractors (hooks) ---------------------------------------------------------------

    def _title(self, doc: HtmlElement, jsonld: dict) -> tuple[str, str]:
        title = self._first_text(doc, "article_title_xpath", unescape=True)
        if title:
            return title, "h1"
        title = self._first_text(doc, "og_title_xpath", unescape=True)
        if title:
            return title, "og_title"
        title = ld_name(jsonld.get("headline") or "")
        if title:
            return title, "json_ld"
        return "", ""

    def _canonical(self, doc: HtmlElement, url: str) -> str:
        return self._abs(url, self._first(doc, "canonical_xpath")) or url

    def _sapo(self, doc: HtmlElement) -> tuple[str, str | None]:
        sapo = self._first_text(doc, "sapo_xpath", unescape=True)
        if sapo:
            return sapo, self.SAPO_SOURCE
        for value in self._all(doc, "description_xpath"):
            text = clean_text(value, unescape=True)
            if text and not text.lower().startswith("savefile"):
                return text, "meta_description"
        return "", None

    SAPO_SOURCE = "sapo"

    def _prepare_body(self, body: HtmlElement, sapo: str) -> tuple[str | None, set]:
        """Drop site-specific noise inside the body; return (byline text, elements whose text
        must not count as body text)."""
        return None, set()

    def _caption_elements(self, body: HtmlElement) -> set[HtmlElement]:
        skip: set[HtmlElement] = set(body.iter("figcaption"))
        for table in body.iter("table"):
            if contains_img(table) or "image-caption" in (table.get("class") or "").split():
                skip.add(table)
        for p in body.iter("p", "div"):
            if is_editor_caption(p):
                skip.add(p)
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
                return clean_text(caption.text_content()) if caption is not None else ""
            if node.tag == "table":
                return clean_text(node.text_content())
            if block is None and node.tag in ("p", "div"):
                block = node
            node = node.getparent()
        if block is None:
            following = img.getnext()
            return clean_text(following.text_content()) if (
                following is not None and is_editor_caption(following)) else ""
        if is_editor_caption(block):
            return clean_text(block.text_content())
        following = block.getnext()
        if following is not None and is_editor_caption(following):
            return clean_text(following.text_content())
        return ""

    def _video(self, doc: HtmlElement, url: str) -> str | None:
        for el in self._all(doc, "video_xpath"):
            if el.tag == "iframe":
                src = self._abs(url, el.get("src") or el.get("data-src"))
                if src and self._iframe_allowed(src):
                    return src
            else:
                src = self._abs(url, el.get("src") or el.get("data-src"))
                if src:
                    return src
        return None

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

    def _item_type(self, section: Section | None, slug: str, video_url: str | None,
                   body_text: str) -> str:
        """Forced section type ▸ ``infographic-`` slug ▸ playable video ▸ length (bài/tin)."""
        if section is not None and section.item_type:
            return section.item_type
        if slug.startswith("infographic-"):
            return "infographic"
        if video_url:
            return "video"
        return "bai" if len(body_text.split()) >= self.source.article_min_words else "tin"

    def _date_candidates(self, doc: HtmlElement, jsonld: dict, list_entry: ListEntry | None,
                         feed_entry: FeedEntry | None) -> list[DateThunk]:
        return self._fallback_dates(list_entry, feed_entry)

    def _fallback_dates(self, list_entry: ListEntry | None,
                        feed_entry: FeedEntry | None) -> list[DateThunk]:
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
        for name, thunk in candidates:
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
        raise ParseError("no_date", "no publish time found by any extractor")

    def _author(self, doc: HtmlElement, jsonld: dict, byline: str | None
                ) -> tuple[str | None, str | None]:
        return (byline, "byline") if byline else (None, None)

    def _tags(self, doc: HtmlElement, jsonld: dict) -> list[str]:
        tags: list[str] = []
        for el in self._all(doc, "tags_xpath"):
            text = clean_text(el if isinstance(el, str) else el.text_content(), unescape=True)
            if text and text not in tags:
                tags.append(text)
        if not tags:
            for value in self._all(doc, "meta_tags_xpath"):
                text = clean_text(value, unescape=True)
                if text and text not in tags:
                    tags.append(text)
        if not tags and jsonld.get("keywords"):
            raw = jsonld["keywords"]
            values = raw if isinstance(raw, list) else str(raw).split(",")
            tags = [t for t in (clean_text(str(v)) for v in values) if t]
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

    def load_list(self, html: str | bytes | None) -> HtmlElement | None:
        """A list page's document, or None when there is nothing to parse (empty list)."""
        try:
            return self.load(html)
        except ParseError:
            return None

    def _entry_title(self, link: HtmlElement) -> str:
        title = clean_text(link.get("title"), unescape=True)
        if not title:
            title = clean_text(text_outside(link, ("em", "span", "img")), unescape=True)
        return title or clean_text(link.text_content(), unescape=True)

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
