"""HTML sanitisation of article bodies (nh3 allowlist) and plain-text extraction.

Pipeline of :func:`sanitize_html`:

1. **nh3** (ammonia, an html5ever parser — the same tree a browser builds) with a tag/attribute
   allowlist, http/https URL schemes only, relative URLs rewritten against ``base_url`` and
   ``rel="noopener noreferrer"`` on links. ``script``, ``style``, ``svg``, ``math``, ``form``,
   ``template``, ``noscript``, ``object``/``embed`` … are removed *with their content*; other
   unknown tags are unwrapped (their text kept). An ``attribute_filter`` drops iframe ``src``
   whose host is not allowlisted, ``mailto:`` anywhere but ``a[href]``, and re-checks every URL
   attribute's scheme.
2. **lxml post-pass** on nh3's (well-formed) output: iframes left without ``src`` are removed
   entirely and every iframe is emptied (iframe content is raw text to a browser but markup to
   libxml2), images/sources/videos left without a URL are dropped, anchors without ``href``
   unwrapped, and text nodes get NFC, Ð→Đ and invisible-character removal.
3. **nh3 again** with the same settings, so whatever leaves this function went through the
   sanitizer last (defence in depth against parser differences between libxml2 and html5ever).

Entities are never decoded on top of what the parsers do: ``&lt;script&gt;`` in the input is
the *text* "<script>" and is serialised back as ``&lt;script&gt;``; a double-escaped payload
stays inert.
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urljoin, urlsplit

import lxml.html
import nh3
from lxml import etree

from portal_etl.normalize.text import _INVISIBLE_RE, clean_text, fix_eth, nfc

__all__ = ["ALLOWED_TAGS", "ALLOWED_ATTRIBUTES", "DEFAULT_IFRAME_HOSTS", "sanitize_html", "text_of_html"]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p", "br", "strong", "b", "em", "i", "u", "a", "img", "figure", "figcaption",
        "table", "thead", "tbody", "tfoot", "caption", "tr", "td", "th", "ul", "ol", "li",
        "h2", "h3", "h4", "h5", "h6", "blockquote", "span", "div", "video", "source", "iframe",
        "sub", "sup",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "video": {"src", "controls", "poster", "width", "height"},
    "source": {"src", "type"},
    "iframe": {"src", "width", "height", "allowfullscreen", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}

# Removed together with everything inside them (their text is code, styling or form UI).
_CLEAN_CONTENT_TAGS = frozenset(
    {
        "script", "style", "svg", "math", "form", "template", "noscript", "object", "embed",
        "applet", "textarea", "select", "button", "title", "xmp", "noembed", "noframes",
        "head",
    }
)  # fmt: skip

DEFAULT_IFRAME_HOSTS: tuple[str, ...] = (
    "www.youtube.com",
    "youtube.com",
    "www.youtube-nocookie.com",
    "player.vimeo.com",
)

_URL_ATTRS = frozenset({"href", "src", "poster"})
_SCHEMES = frozenset({"http", "https"})
_LINK_REL = "noopener noreferrer"


def _make_attribute_filter(base_url: str, iframe_hosts: frozenset[str]):
    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr not in _URL_ATTRS:
            return value
        absolute = urljoin(base_url, value.strip())
        try:
            parts = urlsplit(absolute)
        except ValueError:
            return None
        scheme = parts.scheme.lower()
        if scheme == "mailto":
            return value if (tag == "a" and attr == "href") else None
        if scheme not in _SCHEMES:
            return None
        if tag == "iframe" and attr == "src":
            if (parts.hostname or "").rstrip(".") not in iframe_hosts:
                return None
        return value

    return attribute_filter


def _nh3_pass(fragment: str, base_url: str, iframe_hosts: frozenset[str]) -> str:
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_make_attribute_filter(base_url, iframe_hosts),
        strip_comments=True,
        link_rel=_LINK_REL,
        url_schemes=set(_SCHEMES | {"mailto"}),
        url_relative=("rewrite_with_base", base_url),
    )


def _clean_node_text(s: str | None) -> str | None:
    if not s:
        return s
    return _INVISIBLE_RE.sub("", fix_eth(nfc(s)))


def _post_pass(fragment: str) -> str:
    if not fragment.strip():
        return ""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for el in list(root.iter()):
        if not isinstance(el.tag, str):  # comments / processing instructions
            continue
        tag = el.tag.lower()
        if tag == "iframe":
            if not el.get("src"):
                el.drop_tree()  # keeps el.tail
                continue
            el.text = None
            for child in list(el):
                el.remove(child)
        elif tag in ("img", "source") and not el.get("src"):
            el.drop_tree()
        elif tag == "video" and not (el.get("src") or any(s.get("src") for s in el.iter("source"))):
            el.drop_tree()  # nothing playable left
        elif tag == "a" and not el.get("href"):
            el.drop_tag()
    for el in root.iter():
        el.text = _clean_node_text(el.text)
        if el is not root:
            el.tail = _clean_node_text(el.tail)
    out = lxml.html.tostring(root, encoding="unicode", method="html")
    # strip the wrapper <div> … </div> added by fragment_fromstring
    return out[len("<div>") : -len("</div>")]


def sanitize_html(
    html: str | None,
    base_url: str,
    *,
    allowed_iframe_hosts: Collection[str] = DEFAULT_IFRAME_HOSTS,
) -> str:
    """Sanitise an article body fragment for storage (see the module docstring).

    ``base_url`` is the article's URL; relative ``href``/``src``/``poster`` values become
    absolute against it. Iframes survive only when their (absolutised) ``src`` host is in
    ``allowed_iframe_hosts`` (exact host match). ``style`` and ``class`` attributes, event
    handlers, ``javascript:``/``data:``/``vbscript:`` URLs and forms never survive.
    """
    if not html or not html.strip():
        return ""
    if not urlsplit(base_url).scheme:
        raise ValueError(f"base_url must be absolute: {base_url!r}")
    hosts = frozenset(h.lower() for h in allowed_iframe_hosts)
    first = _nh3_pass(html, base_url, hosts)
    return _nh3_pass(_post_pass(first), base_url, hosts).strip()


# Elements after which plain text starts a new paragraph.
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "figure", "figcaption", "table", "thead", "tbody", "tfoot", "tr", "ul",
        "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article",
        "header", "footer", "pre", "caption", "dl", "dt", "dd", "hr", "video", "iframe",
    }
)  # fmt: skip
_SKIP_TEXT_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "head",
        "title",
        "iframe",
        "textarea",
        "select",
        "button",
    }
)


def text_of_html(html: str | None) -> str:
    """Plain text of an HTML fragment, paragraphs separated by ``"\\n\\n"``.

    Block elements start paragraphs, ``<br>`` becomes a space-like line break, table cells are
    separated by spaces, script/style/iframe/form-control content is skipped. The text is then
    :func:`~portal_etl.normalize.text.clean_text` ``(paragraphs=True, unescape=False)``: the
    parser already decoded entities once, decoding again would turn a literal "&lt;" into "<".
    """
    if not html or not html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return clean_text(html, paragraphs=True, unescape=True)
    chunks: list[str] = []

    def walk(el) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in _SKIP_TEXT_TAGS or not tag:
            pass
        else:
            block = tag in _BLOCK_TAGS
            if block:
                chunks.append("\n\n")
            elif tag == "br":
                chunks.append("\n")
            elif tag in ("td", "th"):
                chunks.append(" ")
            if el.text:
                chunks.append(el.text)
            for child in el:
                walk(child)
            if block:
                chunks.append("\n\n")
            elif tag in ("td", "th"):
                chunks.append(" ")
        if el.tail:
            chunks.append(el.tail)

    walk(root)
    return clean_text("".join(chunks), paragraphs=True, unescape=False)
