"""Page signals that do not depend on a theme's class names.

What a news page says about itself in standard places (JSON-LD, OpenGraph and ``article:*``
meta, microdata, ``<link rel=canonical>``, ``<time datetime>``, the one ``<h1>``) and in the
channels' own text conventions (a date line right under the headline, article URLs shaped
``…/YYYYMM/slug-id`` or ``…/cat/alias-id.html``, a pager whose links carry page numbers).
The adapters try their registry hints first and fall back to these, so a re-themed site keeps
extracting; each finder returns ``None`` rather than a guess it cannot back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html

from portal_etl.adapters.xpath import compile_selector

HtmlElement = lxml.html.HtmlElement

# --- confidence of each method ---------------------------------------------------------------
# A rough prior of how often the method is right on a page it was not written for; recorded per
# field so an engineer can sort staged items by how they were found. Hints (the adapter's or the
# registry's selectors) are validated before use, hence as high as the standard metadata.
CONFIDENCE = {
    "hint": 0.95,  # a selector written for this site, validated
    "json_ld": 0.95,  # schema.org NewsArticle: the publisher's own structured data
    "og": 0.9,  # OpenGraph / article:* meta: also the publisher's, sometimes site-wide
    "meta": 0.85,  # <meta name=description|author>, article:published_time
    "microdata": 0.85,  # itemprop=headline|description|author
    "date_line": 0.85,  # the channel's visible date pattern right under the headline
    "h1": 0.8,  # the page's one <h1>
    "time_element": 0.7,  # <time datetime> near the headline
    "byline": 0.7,  # the last short paragraph of the body, shaped like names
    "list_page": 0.6,  # the time printed next to the link on the list page
    "feed": 0.5,  # the RSS pubDate (hour only on NukeViet)
    "title_tag": 0.5,  # <title> minus the site name
    "url": 0.9,  # id / section read from the URL pattern
}

# at most this many elements after the headline are scanned for the date line: it sits within a
# few lines of the title on every layout seen, and a date further down belongs to something else
DATE_LINE_SCAN = 120
# a date line is short ("Thứ ba - 28/05/2024 20:13 | Lượt xem: 1.234"); longer text is a paragraph
DATE_LINE_MAX_CHARS = 120


_ITEMPROP_HEADLINE = compile_selector(".//*[@itemprop='headline']")  # in C, not ElementPath's Python walk


def fold(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def meta_content(doc: HtmlElement, *names: str) -> str:
    """The first non-empty ``<meta property|name=… content>`` among ``names`` (in that order)."""
    wanted = {n.lower() for n in names}
    found: dict[str, str] = {}
    for meta in doc.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key in wanted and key not in found:
            value = (meta.get("content") or "").strip()
            if value:
                found[key] = value
    for name in names:
        if name.lower() in found:
            return found[name.lower()]
    return ""


def headline_elements(doc: HtmlElement) -> list[HtmlElement]:
    """Candidate headline elements: ``itemprop=headline`` first, then every ``<h1>`` with text."""
    out = [el for el in _ITEMPROP_HEADLINE(doc) if fold(el.text_content())]
    out += [el for el in doc.iter("h1") if el not in out and fold(el.text_content())]
    return out


def pick_headline(candidates: list[HtmlElement], known_titles: list[str]) -> HtmlElement | None:
    """The headline element: the one whose text matches a title the page declares elsewhere
    (JSON-LD, og:title, <title>); else the only candidate; else None (several h1, no evidence)."""
    keys = [title_key(t) for t in known_titles if t]
    for el in candidates:
        text = title_key(el.text_content())
        if text and any(text == k or (len(text) > 12 and text in k) for k in keys):
            return el
    if len(candidates) == 1:
        return candidates[0]
    return None


def title_key(text: str | None) -> str:
    return fold(text).casefold()


_SITE_SUFFIX = re.compile(r"\s+(?:[|–—]|-|::)\s+[^|–—]{2,80}$")


def strip_site_name(title: str, site_names: list[str]) -> str:
    """``<title>`` minus trailing `` | Site`` / `` - Section`` parts naming the site or one of its
    sections; "" when the title part itself is empty (``<title> - Tin tức - Site</title>``)."""
    value = fold(title)
    if value[:1] in "-|–—:·":
        return ""
    known = [name for name in map(fold, site_names) if name]
    original, stripped = value, True
    while stripped:  # "<title> - <section> - <site>": every known trailing name goes
        stripped = False
        for name in known:
            for sep in (" | ", " - ", " – ", " — ", " :: "):
                if value.endswith(sep + name) and len(value) > len(sep + name):
                    value, stripped = value[: -len(sep + name)].strip(), True
    if value != original:
        return value
    match = _SITE_SUFFIX.search(value)  # an unknown site name after the last separator
    if match and len(value[: match.start()].split()) >= 4:
        return value[: match.start()].strip()
    return value


def iter_after(
    doc: HtmlElement, anchor: HtmlElement, limit: int, stop: HtmlElement | None = None
) -> Iterator[HtmlElement]:
    """Elements that follow ``anchor`` in document order (not its own descendants), at most
    ``limit`` of them, ending where ``stop`` begins. Walks from the anchor outwards (its
    following siblings, then its parent's), so the page above the anchor is never read."""
    count = 0
    node = anchor
    while node is not None:
        for sibling in node.itersiblings():
            for el in sibling.iter():
                if not isinstance(el.tag, str):
                    continue
                if el is stop:
                    return
                yield el
                count += 1
                if count >= limit:
                    return
        node = node.getparent()


def date_line_after(
    doc: HtmlElement,
    anchor: HtmlElement | None,
    parse: Callable[[str, object], datetime | None],
    tz: object,
    *,
    stop: HtmlElement | None = None,
    is_other_article: Callable[[str | None], bool] = lambda href: False,
) -> tuple[datetime, HtmlElement] | None:
    """The first short element after the headline (and before ``stop``, the body) whose text the
    channel's date-line parser reads (``HH:MM, dd/mm/YYYY``; ``Thứ ba - 28/05/2024 20:13``), with
    the smallest element holding it. A time beside a link to another article is a teaser's."""
    if anchor is None:
        return None
    for el in iter_after(doc, anchor, DATE_LINE_SCAN, stop):
        if el.tag in ("script", "style", "a", "noscript", "template", "option"):
            continue
        if longer_than(el, DATE_LINE_MAX_CHARS):
            continue
        text = fold(el.text_content())
        if not text:
            continue
        value = parse(text, tz)
        if value is None:
            continue
        if _near_other_article(el, is_other_article):
            continue
        # the outermost short element: the whole date row (author, time, views), cut out as one
        return value, el
    return None


# a teaser (link, time, lead) is short; an element longer than this around a date is the article
TEASER_MAX_CHARS = 600


def longer_than(node: HtmlElement, limit: int) -> bool:
    """``len(fold(node.text_content())) > limit``, folding only as much as needed: a date line's
    parent, or a wrapper scanned for it, is often the whole article. Folding never lengthens a
    text, and the fold of a prefix is a prefix of the fold, so a short text or a long folded
    prefix settles it; only a prefix mostly of whitespace needs the whole text folded."""
    text = node.text_content()
    if len(text) <= limit:
        return False
    if len(fold(text[: 2 * limit + 2])) > limit:
        return True
    return len(fold(text)) > limit


def _near_other_article(el: HtmlElement, is_other_article: Callable[[str | None], bool]) -> bool:
    """The date element or its parent, if teaser-sized, links to another article."""
    for node in (el, el.getparent()):
        if node is None or longer_than(node, TEASER_MAX_CHARS):
            return False
        if any(is_other_article(a.get("href")) for a in node.iter("a")):
            return True
    return False


def time_element_after(
    doc: HtmlElement, anchor: HtmlElement | None, parse_iso: Callable, tz: object, *, stop: HtmlElement | None = None
) -> datetime | None:
    """``<time datetime=…>`` after the headline and before the body."""
    if anchor is None:
        return None
    for el in iter_after(doc, anchor, DATE_LINE_SCAN, stop):
        if el.tag == "time" and el.get("datetime"):
            value = parse_iso(el.get("datetime"), tz)
            if value is not None:
                return value
    return None


# --- list pages ------------------------------------------------------------------------------

# class/id words of blocks beside the main list: their article links are not the section's items
_ASIDE_WORDS = re.compile(
    r"(?:^|[-_\s])(?:sidebar|side|aside|widget|most|popular|hot|xem-?nhieu|doc-?nhieu|noi-?bat|"
    r"footer|menu|nav|header|banner|ads?|advert)(?:$|[-_\s\d])",
    re.I,
)
_ASIDE_TAGS = frozenset({"nav", "header", "footer", "aside"})


def in_aside(el: HtmlElement, stop: HtmlElement | None = None) -> bool:
    """True when ``el`` sits in a nav/header/footer/aside or a block whose class/id says sidebar,
    most-read, related, menu or ad."""
    node = el
    while node is not None and node is not stop:
        if node.tag in _ASIDE_TAGS:
            return True
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marks.strip() and _ASIDE_WORDS.search(marks):
            return True
        node = node.getparent()
    return False


def item_container(
    link: HtmlElement, is_item_link: Callable[[HtmlElement], bool], stop: HtmlElement | None = None
) -> HtmlElement:
    """The largest ancestor of ``link`` (below ``stop``) holding no other item link: its list item
    (the teaser with its time and lead), whatever the theme calls it."""
    node = link
    while True:
        parent = node.getparent()
        if parent is None or parent is stop or parent.tag in ("body", "html"):
            return node
        href = link.get("href")
        if any(a.get("href") != href and is_item_link(a) for a in parent.iter("a")):
            return node
        node = parent


def structure_key(el: HtmlElement) -> tuple[str, ...]:
    """Tag path of an element's three nearest ancestors and itself: teasers of one list share it
    whatever their classes (the first, featured item often has a class of its own)."""
    path = [el.tag]
    node = el.getparent()
    for _ in range(3):
        if node is None:
            break
        path.append(node.tag)
        node = node.getparent()
    return tuple(path)


_NEXT_WORDS = frozenset(
    {"trang sau", "sau", "tiếp", "tiếp theo", "trang tiếp", "next", "next page", "xem thêm", "older", "cũ hơn"}
)
_FORWARD_MARKS = "»›>→"


def _says_next(text: str) -> bool:
    """ "Trang sau ›", "Next »", "»": a link label meaning the next page."""
    words = " ".join(re.sub(r"[«»‹›<>→←|.…]+", " ", text).split()).casefold()
    if words:
        return words in _NEXT_WORDS
    return any(mark in text for mark in _FORWARD_MARKS)


def page_number(url: str) -> int:
    """The page number a list URL names (``?page=N``, ``/page-N/``, ``/trang-N``), 1 without one."""
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if key.lower() in ("page", "p", "trang") and value.isdigit():
            return int(value)
    match = re.search(r"/(?:page|trang)[-/](\d+)/?$", parts.path, re.I)
    return int(match.group(1)) if match else 1


def next_page_link(doc: HtmlElement, page_url: str, is_list_url: Callable[[str], bool]) -> tuple[str, str] | None:
    """(URL, method) of the next (older) list page: ``rel=next`` ▸ a link whose text is the next
    page number or "Trang sau"/"Next"/"»" and whose URL names that page."""
    for el in doc.iter("link", "a"):
        if "next" in (el.get("rel") or "").lower().split():
            href = _absolute(page_url, el.get("href"))
            if href and href != page_url:
                return href, "rel_next"
    current = page_number(page_url)
    by_word = None
    for a in doc.iter("a"):
        href = _absolute(page_url, a.get("href"))
        if not href or href == page_url or not is_list_url(href):
            continue
        text = fold(a.text_content())
        number = page_number(href)
        if text == str(current + 1) and number == current + 1:
            return href, "page_number"
        if by_word is None and _says_next(text or (a.get("title") or "")) and number == current + 1:
            by_word = href
    return (by_word, "page_word") if by_word else None


def with_page(url: str, number: int, style: str) -> str:
    """``url`` naming page ``number`` in the given pager style (``query`` → ``?page=N``,
    ``path`` → ``…/page-N/``)."""
    parts = urlsplit(url)
    if style == "query":
        query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() != "page"]
        if number > 1:
            query.append(("page", str(number)))
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    path = re.sub(r"/page-\d+/?$", "/", parts.path)
    if not path.endswith("/"):
        path += "/"
    if number > 1:
        path += f"page-{number}/"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _absolute(base: str, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("javascript:", "#", "mailto:", "data:")):
        return None
    return urljoin(base, href)
