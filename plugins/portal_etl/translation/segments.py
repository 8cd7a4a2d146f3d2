"""Cutting an article body into translation segments and putting it back together.

Translation servers cap a request's length (LibreTranslate's ``--char-limit``), and a changed
article should cost only its changed paragraphs. So a sanitised body is cut on paragraph
boundaries: each top-level element is one segment (sent as HTML, the server keeps its tags), the
whitespace between them is kept as it is and never sent. Segments are grouped into requests up to
the character limit and reassembled in their original order. A single paragraph longer than the
limit is cut at sentence ends when it holds plain text only, and re-wrapped in its own tag.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import lxml.html
from lxml import etree

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class Piece:
    """One part of a body: ``text`` to translate (``translate``) or to keep verbatim."""

    text: str
    translate: bool


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _outer(el: lxml.html.HtmlElement) -> str:
    return etree.tostring(el, encoding="unicode", method="html", with_tail=False)


def split_body(html: str) -> list[Piece]:
    """The body as pieces in document order: top-level elements and non-blank text runs are
    translated, the whitespace between blocks is kept."""
    if not html or not html.strip():
        return []
    out: list[Piece] = []

    def text_run(text: str | None) -> None:
        if not text:
            return
        if text.strip():
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            if lead:
                out.append(Piece(lead, False))
            out.append(Piece(text.strip(), True))
            if trail:
                out.append(Piece(trail, False))
        else:
            out.append(Piece(text, False))

    wrapper = lxml.html.fragment_fromstring(html, create_parent="div")
    text_run(wrapper.text)
    for child in wrapper:
        if isinstance(child.tag, str):
            out.append(Piece(_outer(child), True))
        text_run(child.tail)
    return out


def join_pieces(pieces: list[Piece], translated: dict[int, str]) -> str:
    """The body again: translated pieces by index, kept pieces as they were."""
    return "".join(translated[i] if p.translate else p.text for i, p in enumerate(pieces))


def cut_long(segment: str, limit: int) -> tuple[str, str, list[str]] | None:
    """``(open tag, close tag, sentence groups)`` of an over-long plain-text block, or None when it
    holds markup (then it is sent whole)."""
    try:
        el = lxml.html.fragment_fromstring(segment)
    except (etree.ParserError, ValueError):
        return None
    if len(el) or not el.text:
        return None
    inner = el.text
    full = _outer(el)
    open_tag = full[: full.index(">") + 1]
    close_tag = f"</{el.tag}>"
    groups: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(inner.strip()):
        if current and len(current) + 1 + len(sentence) > limit:
            groups.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        groups.append(current)
    return open_tag, close_tag, groups


def batches(segments: list[str], limit: int) -> list[list[int]]:
    """Indexes of ``segments`` grouped in order, each group's total length within ``limit``
    (a longer segment travels alone)."""
    out: list[list[int]] = []
    current: list[int] = []
    size = 0
    for i, seg in enumerate(segments):
        if current and size + len(seg) > limit:
            out.append(current)
            current, size = [], 0
        current.append(i)
        size += len(seg)
    if current:
        out.append(current)
    return out


def translate_text_nodes(html: str, translate_text: Callable[[str], str]) -> str:
    """Translate every text node of an HTML fragment with a plain-text engine, keeping every tag
    and attribute (and each node's surrounding whitespace)."""
    wrapper = lxml.html.fragment_fromstring(html, create_parent="div")

    def one(text: str | None) -> str | None:
        if not text or not text.strip():
            return text
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()) :]
        return lead + translate_text(text.strip()) + trail

    for el in wrapper.iter():
        if not isinstance(el.tag, str):
            continue
        if el is not wrapper or el.text:
            el.text = one(el.text)
        if el is not wrapper:
            el.tail = one(el.tail)
    inner = (wrapper.text or "") + "".join(
        etree.tostring(c, encoding="unicode", method="html", with_tail=True) for c in wrapper
    )
    return inner
