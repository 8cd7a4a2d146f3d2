"""HTML helpers the adapters share: XPath building blocks, text of elements, layout tests.

Apart from the adapter base class so that the content finder, the per-platform adapters and the
base use them without importing one another. Nothing here knows a site.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Iterable

import lxml.html
from lxml import etree

from portal_etl.normalize.text import nfc

HtmlElement = lxml.html.HtmlElement


def C(name: str) -> str:  # noqa: N802 - reads like a CSS class selector inside XPath strings
    """XPath predicate body true when the context node has CSS class ``name``."""
    # the plain contains() is a cheap pre-filter; the token test runs only when it passes
    return f"(contains(@class, '{name}') and contains(concat(' ', normalize-space(@class), ' '), ' {name} '))"


def any_element(*, ids: Iterable[str] = (), classes: Iterable[str] = (), extra: Iterable[str] = ()) -> str:
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


def _has_invisible(text: str) -> bool:
    """``_INVISIBLE.search(text)``, as six substring tests (about twice as fast as the regex)."""
    return (
        "\u200b" in text
        or "\u200c" in text
        or "\u200d" in text
        or "\u2060" in text
        or "\ufeff" in text
        or "\u00ad" in text
    )


def fold(text: str | None) -> str:
    """Whitespace folded to single spaces (NBSP included), zero-width characters removed."""
    if not text:
        return ""
    if not text.isascii() and _has_invisible(text):  # rare: a test is cheaper than a sub
        text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


def fold_nfc(text: str | None, *, unescape: bool = False) -> str:
    """fold + NFC: a field's text as the page says it. Not ``normalize.clean_text``, which also
    repairs (the eth look-alike, bidi controls) what staging keeps as served for the normaliser.
    ``unescape`` decodes entities, for text no HTML parser has decoded (JSON-LD,
    which sits raw inside ``<script>``): element text and attribute values from lxml are decoded
    already, and a second decode would turn a literal ``&lt;`` into a tag."""
    value = fold(text)
    if unescape and "&" in value:
        value = fold(html_lib.unescape(value))
    return nfc(value)


def text_folds_to(el: HtmlElement, target: str) -> bool:
    """``fold_nfc(el.text_content()) == target`` for a folded NFC ``target``, reading only as
    much of the element's text as it takes to tell: the test runs on every block of a body,
    wrappers of the whole text included. NFC never joins across a space, so the element's words
    must be the target's one by one; its first word differing, or a word more than the target
    has, settles it (unless zero-width characters, which folding drops, are in what was read)."""
    if target:
        words = target.split(" ")
        seen = ""
        for piece in el.itertext():  # the pieces text_content() joins, in the same order
            seen += piece
            head = seen.split(None, len(words))
            if len(head) < 2:
                continue  # the first word may go on in the next piece
            if not seen.isascii() and _INVISIBLE.search(seen):
                break
            if nfc(head[0]) != words[0] or len(head) > len(words):
                return False
    return fold_nfc(el.text_content()) == target


_BR = "\x00"  # marker of a <br> inside the text buffer (NUL never survives HTML parsing)
_DOUBLE_BR = re.compile("\x00\\s*\x00[\\s\x00]*")
BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre table thead tbody tfoot tr td th "
    "caption figure figcaption section article header footer aside main nav center address hr "
    "form fieldset details summary".split()
)
SKIP_TEXT_TAGS = frozenset(
    "script style noscript template iframe video audio object embed svg button select textarea input canvas map".split()
)


FOREIGN_TAGS = frozenset({"svg", "math"})


class _Enough(Exception):
    """Raised inside :func:`block_texts` when its ``until`` test is satisfied."""


def block_texts(
    root: HtmlElement,
    skip: set[HtmlElement] | frozenset = frozenset(),
    *,
    until: Callable[[str], bool] | None = None,
) -> list[str]:
    """Paragraph texts of ``root``: block elements (and ``<br>``) separate paragraphs, inline
    markup is joined as written; elements in ``skip`` (captions, bylines) contribute nothing.
    ``until``: called with each paragraph as it is found; once it returns True the walk stops
    and the paragraphs so far are returned (a test that needs only the first few paragraphs
    need not read a long article to its end)."""
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
                    if until is not None and until(text):
                        raise _Enough

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

    try:
        if root.text:
            buf.append(root.text)
        walk(root)
        flush()
    except _Enough:
        pass
    return out


def within(el: HtmlElement, root: HtmlElement) -> bool:
    """``el`` is ``root`` or one of its descendants."""
    return el is root or any(a is root for a in el.iterancestors())


def edge_text_block(body: HtmlElement, *, last: bool) -> HtmlElement | None:
    """The first (last) element with text, descending through wrapper ``div``s: a generically
    found body may hold the article's paragraphs one or two wrappers down."""
    node = body
    while True:
        children = reversed(node) if last else iter(node)
        child = next((c for c in children if isinstance(c.tag, str) and fold(c.text_content())), None)
        if child is None:
            return None if node is body else node
        if child.tag != "div" or not any(isinstance(c.tag, str) for c in child):
            return child
        node = child


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
    return (
        "text-align:center" in _style(el)
        or el.get("align", "").lower() == "center"
        or ("text-center" in (el.get("class") or ""))
    )


def is_right_aligned(el: HtmlElement) -> bool:
    return (
        "text-align:right" in _style(el)
        or el.get("align", "").lower() == "right"
        or ("text-right" in (el.get("class") or ""))
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
