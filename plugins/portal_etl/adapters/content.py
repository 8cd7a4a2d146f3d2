"""Find a page's article body without knowing the site's class names.

Used when a site's selectors are unknown or stopped matching after a re-theme. The page is scored
in one bottom-up pass over the tree: every block element closes a "paragraph" (its own text plus
its inline children's), and a paragraph counts as content when it is long enough, not mostly link
text and reads like prose. An element's score is the content text below it minus what looks like
page furniture (link text, short link items, boilerplate-named boxes), so the best-scoring element
is the smallest one that holds the article and as little else as possible. A second pass over that
element alone removes what the article container still carries (share bars, related-article
lists, comment forms and threads, ads, the headline and the date line), judged by structure and
text statistics; generic class/id tokens only tilt the scores.

Only ``lxml`` is used; no element is serialised, and regular expressions only ever see class/id
strings (cached per string) and short texts, so finding the body costs a fraction of a generic
extractor's time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import lxml.etree
import lxml.html

from portal_etl.adapters.html import BLOCK_TAGS, block_texts, contains_img, fold, is_editor_caption

HtmlElement = lxml.html.HtmlElement

# --- vocabulary -----------------------------------------------------------------------------------

# never text: their content is code, widgets or embedded media
_SKIP = frozenset(
    "script style noscript template iframe video audio object embed svg math button select textarea input "
    "canvas map head title meta link option datalist".split()
)
_FORM_CONTROLS = frozenset({"input", "textarea", "select", "button"})
# furniture by definition, wherever it sits inside the article container
_FURNITURE = frozenset({"nav", "aside", "footer", "header", "menu", "dialog"})
# elements that may be returned as the body container
_CONTAINERS = frozenset(
    {"div", "article", "section", "main", "td", "body", "blockquote", "center", "font", "span", "form", "li", "dd"}
)
_BLOCK = BLOCK_TAGS
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

# generic class/id tokens: a penalty (or a bonus), never a veto
_NEGATIVE = re.compile(
    r"comment|related|share|sharing|social|\bads?\b|advert|banner|sidebar|breadcrumb|tags\b|(?<![\w-])tag(?![\w-])|"
    r"tag-?cloud|footer|\bnav|menu|print|promo|sponsor|popular|most-?read|newsletter|subscribe|signup|recommend|"
    r"outbrain|taboola|"
    r"author-?bio|byline|masthead|toolbar|pagination|pager|cookie|privacy|consent|gdpr|modal|popup|disqus|rating|vote|"
    r"tin-?lien-?quan|lienquan|xemnhieu|xem-?nhieu|quangcao|quang-?cao|binhluan|binh-?luan|y-?kien|ban-?doc|phan-?hoi",
    re.I,
)
_POSITIVE = re.compile(r"\bbody|content|entry|\bpost|story|\btext|detail|chi-?tiet|noidung|noi-?dung", re.I)

# headings that open a box of furniture (matched on the folded, lower-cased heading text)
_BOILER_HEADING = re.compile(
    r"^(?:tin liên quan|bài liên quan|tin cùng chuyên mục|tin khác|các tin khác|tin xem nhiều|xem nhiều|"
    r"những tin mới hơn|những tin cũ hơn|tin mới hơn|tin cũ hơn|theo dòng sự kiện|cùng chuyên mục|"
    r"đọc nhiều|tin mới|tin mới nhất|xem thêm|bình luận|ý kiến bạn đọc|ý kiến|thông tin bạn đọc|gửi bình luận|"
    r"quảng cáo|chia sẻ|từ khóa|từ khoá|tags?|related(?: articles| stories| posts| content| news| coverage)?|"
    r"more (?:from|on|stories|news|articles)|read more|see also|you (?:may|might) also like|recommended|"
    r"most (?:popular|read|viewed)|trending|comments?|\d+ comments?|leave a (?:comment|reply)|share(?: this)?|"
    r"advertisement|sponsored|newsletter|sign up|subscribe|latest news|popular)\b",
)
# after these, the rest of the box is reader comments (long text that looks like prose)
_COMMENT_HEADING = re.compile(
    r"^(?:bình luận|ý kiến bạn đọc|thông tin bạn đọc|gửi bình luận|ý kiến|comments?|\d+ comments?|"
    r"leave a (?:comment|reply)|join the (?:conversation|discussion)|discussion)\b"
)
_DATE = re.compile(
    r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}\b|"
    r"\b\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b|"
    r"\b(?:updated|published|posted)\b|cập nhật|ngày \d",
    re.I,
)
# the whole text of a control or a label of page furniture
_UI_TEXT = re.compile(
    r"^(?:close|skip to (?:main )?(?:content|article)|back to gallery|advert(?:isement)?|image \d+ of \d+|"
    r"photo \d+ of \d+|\d+ of \d+|get short url|view all(?: \(\d+\))?|show more|load more|continue reading|"
    r"read more|print|email|video|share(?: this)?(?: article| story)?|quảng cáo|in bài viết|gửi bài viết|"
    r"chia sẻ|về đầu trang|trở về|quay lại|xem thêm|đọc thêm|tải thêm|_+)$"
)
_CAPTION = re.compile(r"caption|credit|photo-?info", re.I)

# --- scoring constants ---------------------------------------------------------------------------

MIN_PARAGRAPH = 30  # non-link characters a paragraph needs to count as content at all
LONG_PARAGRAPH = 80  # … and without sentence punctuation
MAX_LINK_SHARE = 0.35  # link share above which a paragraph is furniture
SHORT_PENALTY = 12.0  # cost of a non-content paragraph (menu item, label, button text)
LINK_PENALTY = 1.0  # cost per link character outside content paragraphs
CAPTION_MAX_CHARS = 400  # a photo caption table with more text than this is a layout table
NEGATIVE_FACTOR = 0.35  # weight of content under a boilerplate-named element
POSITIVE_FACTOR = 1.15
TEASER_SLOPE = 2.0  # paragraphs of a box lose this times its link share of their weight …
TEASER_WEIGHT = 0.25  # … down to this, the weight of a teaser card's paragraph
MAX_TEASER = 400  # a paragraph cut short with "..." below this length is a teaser
MAX_LEAD_FURNITURE = 120  # a non-paragraph block up to this long above the first paragraph is page furniture
SHORT_SENTENCE_WORDS = 6  # a first paragraph this short still counts when it ends like a sentence
TIGHTEN_SHARE = 0.8  # a child holding this share of the best box's content replaces it
FALLBACK_CONFIDENCE = 0.5  # main_text_with_fallback: below this confidence …
FALLBACK_MIN_CHARS = 0  # … (a short news item is normal: the benchmark's F1 is the same at 0 and 250)

# fields of the per-element statistics
_T, _L, _UT, _UL, _UP, _G, _B, _N, _F, _GD, _ND, _NL, _UE = range(13)
_FIELDS = 13
_ZERO = [0.0] * _FIELDS


@dataclass(frozen=True)
class ContentMatch:
    """The element judged to be the article body (pruned in place), how sure and how found."""

    element: HtmlElement
    confidence: float
    method: str = "density"
    text_chars: int = 0  # content characters the element held when chosen (before pruning)
    paragraphs: int = 0  # content paragraphs the element held when chosen (before pruning)


def _class_id(el: HtmlElement) -> str:
    cls = el.get("class")
    ident = el.get("id")
    if cls and ident:
        return f"{cls} {ident}"
    return cls or ident or ""


@lru_cache(maxsize=8192)
def _name_tilt(names: str) -> float:
    """The score factor of a class/id string (pages repeat the same few strings, hence the cache)."""
    if _NEGATIVE.search(names):
        return NEGATIVE_FACTOR
    if _POSITIVE.search(names):
        return POSITIVE_FACTOR
    return 1.0


def _hidden(el: HtmlElement) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style) and "none" in style and "display:none" in style.replace(" ", "").lower()


def _strip_len(text: str | None) -> int:
    return len(text.strip()) if text else 0


def _ellipsis(text: str) -> bool:
    end = text.rstrip()[-3:]
    return end == "..." or end.endswith("…")


def _punct(text: str | None) -> int:
    if not text:
        return 0
    count = text.count(".") + text.count(",")
    return count if text.isascii() else count + text.count("。") + text.count("、") + text.count("，")


def _add_text(acc: list[float], text: str) -> None:
    """Count a run of text (an element's own text, or a child's tail) into ``acc``."""
    n = _strip_len(text)
    acc[_T] += n
    acc[_UT] += n
    acc[_UP] += _punct(text)
    if _ellipsis(text):
        acc[_UE] = 1.0


class _Stats:
    """Per-element text statistics from one bottom-up pass (children before parents)."""

    __slots__ = ("by_el", "tilt", "outer", "order", "units")

    def __init__(self, root: HtmlElement) -> None:
        self.by_el: dict[HtmlElement, list[float]] = {}
        self.tilt: dict[HtmlElement, float] = {}
        self.units: set[HtmlElement] = set()  # elements whose own paragraph is content
        elements = list(root.iter(lxml.etree.Element))  # elements only: no comments or PIs
        self.order = elements
        # text anywhere under a link is link text, even in blocks a link wraps (teaser cards)
        in_link: set[HtmlElement] = set()
        for a in root.iter("a"):
            if a not in in_link:
                in_link.update(a.iter())
        # a box that holds the headline is the article's or the page's wrapper, whatever its name
        # says (WordPress puts "tag-…", "category-…" and "has-sidebar" tokens on them)
        wrappers: set[HtmlElement] = set()
        for h1 in root.iter("h1"):
            wrappers.update(h1.iterancestors())
        by_el = self.by_el
        tilt = self.tilt
        for el in reversed(elements):
            acc = by_el.get(el)
            if acc is None:
                acc = by_el[el] = [0.0] * _FIELDS
            tag = el.tag
            parent = None if el is root else el.getparent()
            pacc = None
            if parent is not None:
                pacc = by_el.get(parent)
                if pacc is None:
                    pacc = by_el[parent] = [0.0] * _FIELDS
            unit = 0.0
            if tag in _SKIP or _hidden(el):
                acc[:] = _ZERO
                if tag in _FORM_CONTROLS:
                    acc[_F] = 1.0
            else:
                if el.text:
                    _add_text(acc, el.text)
                if el in in_link:
                    acc[_L] = acc[_T]
                    acc[_UL] = acc[_UT]
                if acc[_GD] and acc[_T]:
                    if acc[_N] <= 2 and acc[_NL] >= 1:
                        keep = TEASER_WEIGHT  # a card: a headline link and a paragraph or two
                    else:  # paragraphs among link furniture: weighed by the box's link share
                        keep = max(TEASER_WEIGHT, 1.0 - TEASER_SLOPE * acc[_L] / acc[_T])
                    acc[_G] -= acc[_GD] * (1.0 - keep)
                if tag in _BLOCK or parent is None:
                    unit = self._close(acc)
                    if unit:
                        self.units.add(el)
                names = _class_id(el)
                if tag in _FURNITURE:
                    tilt[el] = NEGATIVE_FACTOR
                    acc[_G] *= NEGATIVE_FACTOR
                elif names:
                    factor = _name_tilt(names)
                    if factor != 1.0 and not (factor < 1.0 and el in wrappers):
                        tilt[el] = factor
                        acc[_G] *= factor
            if pacc is not None:
                pacc[_T] += acc[_T]
                pacc[_L] += acc[_L]
                pacc[_G] += acc[_G]
                pacc[_B] += acc[_B]
                pacc[_N] += acc[_N]
                pacc[_F] += acc[_F]
                pacc[_NL] += acc[_NL]
                if unit:
                    pacc[_GD] += unit * tilt.get(el, 1.0)
                    pacc[_ND] += 1
                if tag not in _BLOCK:
                    pacc[_UT] += acc[_UT]
                    pacc[_UL] += acc[_UL]
                    pacc[_UP] += acc[_UP]
                    if acc[_UE]:
                        pacc[_UE] = 1.0
                if el.tail:
                    _add_text(pacc, el.tail)
        # the tilt of every ancestor: content under a comment thread stays penalised however deep
        # (only the penalties count; an element not in ``outer`` has none above it)
        outer: dict[HtmlElement, float] = {}
        for el, factor in tilt.items():
            if factor < 1.0:
                for below in el.iterdescendants():
                    outer[below] = outer.get(below, 1.0) * factor
        self.outer = outer

    @staticmethod
    def _close(acc: list[float]) -> float:
        """Close the paragraph accumulated in ``acc``: add it to the content or the furniture;
        returns its content characters (0 for furniture)."""
        total, links = acc[_UT], acc[_UL]
        acc[_UT] = acc[_UL] = 0.0
        punct, acc[_UP] = acc[_UP], 0.0
        cut, acc[_UE] = acc[_UE], 0.0
        if total <= 0:
            return 0.0
        own = total - links
        if (
            own >= MIN_PARAGRAPH
            and links <= MAX_LINK_SHARE * total
            and (own >= LONG_PARAGRAPH or punct >= 2)
            and not (cut and own < MAX_TEASER)
        ):
            acc[_G] += own
            acc[_N] += 1
            return own
        if links * 2 >= total:
            acc[_NL] += 1
            acc[_B] += SHORT_PENALTY + LINK_PENALTY * links  # a menu item, a teaser link, a tag
        else:
            acc[_B] += LINK_PENALTY * links  # a label, a table cell, a date: neutral but for links
        return 0.0

    def score(self, el: HtmlElement) -> float:
        acc = self.by_el[el]
        return acc[_G] * self.outer.get(el, 1.0) - acc[_B]


def _best(stats: _Stats) -> tuple[HtmlElement | None, float]:
    best, best_score = None, 0.0
    outer = stats.outer
    by_el = stats.by_el
    # descendants before ancestors, so a tie goes to the deeper element
    for el in reversed(stats.order):
        acc = by_el[el]
        if el.tag not in _CONTAINERS or acc[_N] == 0:
            continue
        value = acc[_G] * outer.get(el, 1.0) - acc[_B]
        if value > best_score:
            best, best_score = el, value
    return best, best_score


def _short_sentence(el: HtmlElement) -> bool:
    """A ``<p>`` of a few words ending like a sentence: a short first paragraph of the text, not
    a headline, date line or byline (which do not end with a full stop)."""
    if el.tag != "p":
        return False
    text = " ".join(el.text_content().split())
    return len(text.split()) >= SHORT_SENTENCE_WORDS and text[-1:] in ".!?…"


def _tighten(best: HtmlElement, value: float, stats: _Stats) -> tuple[HtmlElement, float]:
    """Step down from ``best`` into a child that holds nearly all of its content: a page wrapper
    wins the score when little furniture surrounds the article, but the article is the box
    inside it that holds the prose (what it leaves out is a lead or a footer line)."""
    by_el = stats.by_el
    while True:
        total = by_el[best][_G]
        child = max(
            (c for c in best if isinstance(c.tag, str) and c.tag in _CONTAINERS and c in by_el),
            key=lambda c: by_el[c][_G],
            default=None,
        )
        if child is None or total <= 0 or by_el[child][_G] < TIGHTEN_SHARE * total or by_el[child][_N] == 0:
            return best, value
        best, value = child, stats.score(child)


def _heading_text(el: HtmlElement) -> str:
    return fold(el.text_content()).lower().rstrip(" :»›>")


def _prune(container: HtmlElement, stats: _Stats, headlines: frozenset[str] = frozenset()) -> None:
    """Remove the furniture the article container still holds, in place: ``headlines`` are the
    page's title texts (lower-cased), removed wherever the container repeats them."""
    by_el = stats.by_el
    title_sizes = {len(h) for h in headlines}
    whole = by_el[container]
    total_good = max(whole[_G], 1.0)
    doomed: list[HtmlElement] = []
    doomed_set: set[HtmlElement] = set()

    def doom(el: HtmlElement) -> None:
        if el is not container and el not in doomed_set:
            doomed.append(el)
            doomed_set.add(el)

    seen_content = False
    stack = list(reversed(container))
    while stack:
        el = stack.pop()
        tag = el.tag
        if not isinstance(tag, str):
            continue
        acc = by_el.get(el)
        if acc is None:
            continue
        share = acc[_G] / total_good
        if tag in _SKIP and tag not in ("iframe", "video", "audio", "object", "embed", "svg"):
            doom(el)
            continue
        if _hidden(el) or tag in _FURNITURE or tag == "h1":
            if share < 0.5:
                doom(el)
                continue
        if acc[_F] > 0 and share < 0.2:
            doom(el)  # a form: comment box, newsletter sign-up, search
            continue
        if tag == "form" and share < 0.2:
            doom(el)
            continue
        if stats.tilt.get(el) == NEGATIVE_FACTOR and share < 0.25:
            doom(el)
            continue
        if el in stats.units:
            seen_content = True
            if acc[_N] == 1:
                continue  # a paragraph: its inline markup is part of the text
        if acc[_NL] >= 2 and acc[_N] == 0 and acc[_L] > 0.5 * acc[_T]:
            doom(el)  # a link list: related articles, tags, share buttons
            continue
        if acc[_N] == 0 and acc[_T] > 0 and acc[_L] >= 0.9 * acc[_T] and share < 0.1:
            doom(el)  # nothing but links and no prose: a tag row, "read more", a single teaser link
            continue
        if tag in ("ul", "ol") and acc[_L] > 0.4 * acc[_T] and share < 0.1:
            doom(el)
            continue
        if acc[_N] == 0 and 0 < acc[_T] <= MAX_LEAD_FURNITURE:
            if not seen_content and not contains_img(el) and not _short_sentence(el):
                doom(el)  # headline, byline, date line, "skip to content" above the first paragraph
                continue
            if title_sizes and any(abs(acc[_T] - n) <= 3 for n in title_sizes) and (_heading_text(el) in headlines):
                doom(el)  # the headline repeated (gallery overlays, print headers)
                continue
        if acc[_N] == 0 and 0 < acc[_T] <= 60:
            text = _heading_text(el)
            if _UI_TEXT.match(text):
                doom(el)
                continue
            if text and _BOILER_HEADING.match(text):
                _doom_box(el, container, by_el, doom, comments=bool(_COMMENT_HEADING.match(text)))
                continue
            if not seen_content and (tag in _HEADINGS or _DATE.search(text)):
                doom(el)  # headline / date line above the first paragraph
                continue
        stack.extend(reversed(el))

    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            _remove(el)


def _doom_box(heading: HtmlElement, container: HtmlElement, by_el: dict, doom, comments: bool) -> None:
    """Remove a boilerplate heading with what it introduces: the box it opens, or the siblings that
    follow it (all of them after a comments heading, else the link lists up to the next prose)."""
    whole = by_el[container]
    total_prose = max(whole[_T] - whole[_L], 1.0)
    box = heading
    parent = heading.getparent()
    # climb while the heading opens its parent (nothing with content before it) and the parent is small
    while parent is not None and parent is not container:
        pacc = by_el.get(parent)
        if pacc is None or pacc[_T] - pacc[_L] >= (0.5 if comments else 0.25) * total_prose:
            break
        before = heading_first = True
        for child in parent:
            if child is box:
                break
            cacc = by_el.get(child)
            if cacc is not None and cacc[_N] > 0:
                before = heading_first = False
                break
        if not (before and heading_first):
            break
        box = parent
        parent = box.getparent()
    doom(box)
    # then what follows it while that is links, empty slots or (after a comments heading) forms
    sibling = box.getnext()
    while sibling is not None:
        sacc = by_el.get(sibling)
        if sacc is not None and sacc[_T] - sacc[_L] >= MIN_PARAGRAPH and not (comments and sacc[_F]):
            break
        doom(sibling)
        sibling = sibling.getnext()


def _remove(el: HtmlElement) -> None:
    """Drop ``el`` and its subtree but keep its tail text (it belongs to the parent)."""
    parent = el.getparent()
    tail = el.tail
    if tail and tail.strip():
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def caption_elements(root: HtmlElement) -> set[HtmlElement]:
    """Photo captions inside ``root`` (figcaption, a table holding an image, a CKEditor centred
    caption): kept in the tree for the images, skipped for the text."""
    skip: set[HtmlElement] = set(root.iter("figcaption"))
    for table in root.iter("table"):
        if table in skip:
            continue
        # a layout table holds images too: a caption table has one or two cells and little text
        cells = sum(1 for _ in table.iter("td", "th"))
        if (
            cells <= 3
            and (contains_img(table) or "caption" in (table.get("class") or ""))
            and (len(fold(table.text_content())) <= CAPTION_MAX_CHARS)
        ):
            skip.add(table)
            skip.update(table.iter("table"))
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in ("p", "div") and is_editor_caption(el):
            skip.add(el)
        elif (el.get("class") or el.get("id")) and _CAPTION.search(_class_id(el)) and not contains_img(el):
            skip.add(el)  # a caption or photo credit kept apart from its image
    return skip


def _headlines(doc: HtmlElement) -> frozenset[str]:
    """The page's headline texts, lower-cased: every ``<h1>``, ``og:title`` and ``<title>`` (and
    its part before a " - " or " | " site-name suffix)."""
    found: set[str] = set()
    for h1 in doc.iter("h1"):
        found.add(_heading_text(h1))
    root = doc.getroottree().getroot()
    head = root.find("head")
    if head is not None:
        for el in head:
            if el.tag == "title":
                found.add(_heading_text(el))
            elif el.tag == "meta" and el.get("property") == "og:title":
                found.add(fold(el.get("content")).lower().rstrip(" :»›>"))
    for text in list(found):
        for sep in (" | ", " - ", " – ", " — "):
            if sep in text:
                found.add(text.split(sep)[0].strip())
    found.discard("")
    return frozenset(t for t in found if len(t) >= 15)


def find_main_content(doc: HtmlElement) -> ContentMatch | None:
    """The article-body container of ``doc``, with its furniture removed in place; ``None`` when no
    element holds prose (a list page, an empty shell)."""
    body = doc.find("body") if doc.tag == "html" else doc
    if body is None:
        body = doc
    stats = _Stats(body)
    best, value = _best(stats)
    if best is None:
        return None
    best, value = _tighten(best, value, stats)
    acc = stats.by_el[best]
    _prune(best, stats, _headlines(doc))
    # confidence: how much of the page's content the container holds, and how clean it is
    page = stats.by_el[body]
    held = acc[_G] / max(page[_G], 1.0)
    clean = value / max(acc[_G], 1.0)
    size = min(1.0, acc[_G] / 1500.0)
    confidence = max(0.0, min(1.0, 0.4 * held + 0.3 * clean + 0.3 * size))
    return ContentMatch(
        element=best,
        confidence=round(confidence, 3),
        method="density",
        text_chars=int(acc[_G]),
        paragraphs=int(acc[_N]),
    )


def main_text(doc: HtmlElement) -> str:
    """The article text of ``doc``: paragraphs of the pruned body container, captions left out,
    joined with blank lines ("" when no body is found)."""
    match = find_main_content(doc)
    if match is None:
        return ""
    return "\n\n".join(block_texts(match.element, caption_elements(match.element)))


def main_text_with_fallback(
    html: str | bytes, *, min_confidence: float = FALLBACK_CONFIDENCE, min_chars: int = FALLBACK_MIN_CHARS
) -> tuple[str, str]:
    """``(text, method)``: the density finder's text, or trafilatura's when that result looks
    implausible (no body, low confidence, shorter than ``min_chars``), method ``"trafilatura"``.

    A safety net for pages whose layout defeats the finder, at trafilatura's price on those
    pages only; trafilatura is imported here, so the pipeline never loads it otherwise.
    """
    try:
        doc = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return "", "density"
    match = find_main_content(doc)
    text = ""
    if match is not None:
        text = "\n\n".join(block_texts(match.element, caption_elements(match.element)))
    if not needs_fallback(match, text, min_confidence=min_confidence, min_chars=min_chars):
        return text, "density"
    fallback = fallback_text(html)
    return (fallback, "trafilatura") if fallback else (text, "density")


def needs_fallback(
    match: ContentMatch | None,
    text: str,
    *,
    min_confidence: float = FALLBACK_CONFIDENCE,
    min_chars: int = FALLBACK_MIN_CHARS,
) -> bool:
    """True when the density finder's result is too doubtful to keep: none, low confidence, short."""
    return match is None or match.confidence < min_confidence or len(text) < min_chars


def fallback_text(html: str | bytes) -> str:
    """trafilatura's body text (paragraphs on their own lines), or "" when it finds none."""
    import trafilatura  # here, not at the top: the fallback's cost is paid only when it fires

    return trafilatura.extract(html, include_comments=False, include_tables=True) or ""
