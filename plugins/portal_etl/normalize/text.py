"""Vietnamese text normalisation: display text and comparison keys.

Two different jobs, kept apart on purpose:

* :func:`clean_text` produces text that is *stored and shown*: it repairs encoding accidents
  (NFD input, the NukeViet ``Ð`` look-alike, invisible characters, entity-escaped meta values)
  but keeps case, punctuation and the writer's tone-mark placement.
* :func:`comparison_key` / :func:`title_key` produce keys that are *only compared or hashed*:
  they fold everything two channels legitimately spell differently (case, tone placement,
  dash and quote styles, punctuation) so a republished item gets the same key.

See ``shared/sources.md`` §5 for the quirks these functions exist for.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import overload

__all__ = [
    "nfc",
    "fix_eth",
    "clean_text",
    "tone_key",
    "comparison_key",
    "comparison_words",
    "title_key",
    "strip_dateline",
]


@overload
def nfc(s: str) -> str: ...
@overload
def nfc(s: None) -> None: ...


def nfc(s: str | None) -> str | None:
    """Unicode NFC (editors paste NFD text; NukeViet itself expects NFC); ``None`` stays ``None``.

    The one NFC of the package: look-alikes such as U+00D0 are left alone (see :func:`fix_eth`).
    """
    if s is None or s.isascii() or unicodedata.is_normalized("NFC", s):
        return s
    return unicodedata.normalize("NFC", s)


# U+00D0/U+00F0 (Icelandic eth) look exactly like Vietnamese Đ/đ (U+0110/U+0111) and really
# occur in NukeViet titles ("Ðồng Nai có thêm …", slug "dhong-nai-…"), sources.md §1.1.
def fix_eth(s: str) -> str:
    """Map the eth look-alikes Ð/ð (U+00D0/U+00F0) to Vietnamese Đ/đ (U+0110/U+0111)."""
    # two str.replace calls are ~50x faster than str.translate on non-ASCII text
    return s.replace("\u00d0", "\u0110").replace("\u00f0", "\u0111")


# Invisible characters removed from every stored text: zero-width space/joiners, BOM,
# word joiner, soft hyphen, LRM/RLM and the bidi embedding/override/isolate controls.
_INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
_PARAGRAPH_BREAK_RE = re.compile(r"[^\S\n]*\n(?:\s*\n)+\s*")  # ≥ 2 newlines with any blanks
_WHITESPACE_RE = re.compile(r"\s+")  # str patterns: \s includes NBSP and other Unicode spaces


def clean_text(s: str | None, *, paragraphs: bool = False, unescape: bool = True) -> str:
    """Clean text for storage and display.

    Steps: ``html.unescape`` once (meta values arrive as ``&#40;``/``&#x3A;`` …; pass
    ``unescape=False`` for text that an HTML parser already decoded, or a literal
    ``&lt;script&gt;`` would be unescaped twice), NFC, :func:`fix_eth`, removal of zero-width and
    bidi control characters, then whitespace collapsing. With ``paragraphs=False`` every
    whitespace run becomes one space. With ``paragraphs=True`` a run containing two or more
    newlines becomes exactly ``"\\n\\n"`` (a paragraph break) and any other run one space (a
    single newline is line wrapping in HTML-derived text). The result is stripped. ``None``
    gives ``""``.
    """
    if not s:
        return ""
    if unescape:
        s = html.unescape(s)
    s = fix_eth(nfc(s))
    s = _INVISIBLE_RE.sub("", s)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    if not paragraphs:
        return _WHITESPACE_RE.sub(" ", s).strip()
    parts = (_WHITESPACE_RE.sub(" ", p).strip() for p in _PARAGRAPH_BREAK_RE.split(s))
    return "\n\n".join(p for p in parts if p)


# --- tone placement ------------------------------------------------------------------------
#
# Rule (documented for the keys that depend on it): the canonical form is the *new style*
# ("kiểu mới", the one the 2026 re-normalised datasets use): in an open syllable whose rhyme is
# exactly the glide+vowel pair "oa", "oe" or "uy" (no final consonant, no third vowel) the tone
# mark sits on the second vowel: hoà, khoẻ, thuỷ, hoá, loà, tuỳ. Old-style spellings (hòa,
# khỏe, thủy, hóa, lòa, tùy) are rewritten; nothing else is touched:
# * with a final consonant or a third vowel both styles already agree (hoàng, toán, khuyết,
#   hoài, ngoáy), so those are left alone;
# * "qu" + "y" (quý, quỳ, quỹ) keeps the tone on "y" in both styles — "u" belongs to the
#   initial "qu" — and these words are distinct words, not variants of each other; the rule only
#   ever moves a mark from the first to the second vowel, so they are never changed;
# * "ua"/"ia"/"ưa" (mùa, kìa, mưa) are not in the rule: there the first vowel is the nucleus.
# The match is a whole word: consonant letters only before the pair, no letter after it.

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
_OLD_STYLE_FIRST: dict[str, tuple[str, str]] = {}  # "ò" -> ("o", U+0300) for o/u, both cases
for _base in "oOuU":
    for _tone in _TONES:
        _OLD_STYLE_FIRST[unicodedata.normalize("NFC", _base + _tone)] = (_base, _tone)
_ONSET_LETTERS = frozenset("bcdđghklmnpqrstvxBCDĐGHKLMNPQRSTVX")

# Candidate = toned o/u + plain a/e/y at a word end; the onset is checked in _move_tone (a
# leading variable-length pattern would be tried at every position and cost 6x more).
_TONE_RE = re.compile("([" + "".join(_OLD_STYLE_FIRST) + r"])([aeyAEY])\b")


def _move_tone(m: re.Match[str]) -> str:
    first, second = m.group(1), m.group(2)
    base, tone = _OLD_STYLE_FIRST[first]
    if (base + second).lower() not in ("oa", "oe", "uy"):  # "ùa"/"úe": not part of the rule
        return m.group(0)
    text, i = m.string, m.start() - 1
    while i >= 0 and text[i] in _ONSET_LETTERS:  # only consonant letters back to word start
        i -= 1
    if i >= 0 and (text[i].isalnum() or text[i] == "_"):  # a vowel or digit before the onset:
        return m.group(0)  # not a syllable of the rule ("ngoòa"-like garbage, "2hòa") — untouched
    return base + unicodedata.normalize("NFC", second + tone)


def tone_key(s: str) -> str:
    """Rewrite old-style tone placement to the new style (hòa→hoà, thủy→thuỷ, khỏe→khoẻ).

    Expects NFC input (as produced by :func:`nfc`); case is preserved. See the rule above.
    """
    if not s:
        return ""
    return _TONE_RE.sub(_move_tone, s)


# --- comparison keys -----------------------------------------------------------------------

# Dash variants (‐ ‑ ‒ – — ― −) and quote variants (“ ” „ ‘ ’ « » ′ ″) are all Unicode
# punctuation (\W), so they fold together with every other punctuation mark into the word
# separator; listed here so a test can check each one.
DASH_VARIANTS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
QUOTE_VARIANTS = "\"'\u201c\u201d\u201e\u201f\u00ab\u00bb\u2018\u2019\u201a\u201b\u2032\u2033\u2039\u203a"
_WORD_RE = re.compile(r"[^\W_]+")  # runs of letters/digits (after NFC: whole Vietnamese words)


def comparison_words(s: str | None) -> list[str]:
    """The words of :func:`comparison_key` as a list (what shingling consumes)."""
    if not s:
        return []
    if "&" in s:
        s = html.unescape(s)
    s = unicodedata.normalize("NFC", s)
    s = _INVISIBLE_RE.sub("", s)  # before splitting: a zero-width space must not split a word
    s = tone_key(fix_eth(s.lower()))
    words: list[str] = []
    for token in s.split():
        if token.isalnum():  # the common case, ~10x cheaper than a regex over the whole text
            words.append(token)
        else:
            words.extend(_WORD_RE.findall(token))
    return words


def comparison_key(s: str | None) -> str:
    """Key text for comparison/hashing only (never display).

    ``html.unescape`` once, NFC, invisible characters removed, lower-case, Ð→Đ,
    :func:`tone_key`, then every run of punctuation (dash and quote variants included),
    symbols, underscores and whitespace becomes one space. Letters with their diacritics and
    digits survive, so "Kinh tế - xã hội" and "kinh tế – xã hội" give "kinh tế xã hội".
    """
    return " ".join(comparison_words(s))


def title_key(title: str | None) -> str:
    """Normalised title for dedup keys; identical to :func:`comparison_key`."""
    return comparison_key(title)


# --- datelines -----------------------------------------------------------------------------

_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
# "(ĐN)-", "(ĐN) –", "(ĐCSVN) - ", "(TTXVN) —", "(Chinhphu.vn) -": a parenthesised agency name of
# at most 40 characters at the very start, then a dash (any variant) or colon, spacing free.
_DATELINE_RE = re.compile(r"^[\s\u200b\ufeff]*\(\s*([^\s()][^()\n]{0,39}?)\s*\)\s*[" + _DASHES + r":]+\s*")


def strip_dateline(sapo: str | None) -> tuple[str | None, str]:
    """Split an agency dateline off the start of a sapo.

    Returns ``(agency, rest)``: ``agency`` is the text inside the parentheses, NFC with Ð→Đ
    (``"ĐN"``, ``"ĐCSVN"``), or ``None`` when there is no dateline; ``rest`` is the sapo after the
    dateline and its dash, otherwise unchanged. The agency must start with an upper-case letter
    or digit (a sapo opening with "(ảnh minh hoạ) - …" is not a dateline) and be followed by a
    dash variant (``-``, ``–``, ``—`` …) or a colon.
    """
    if not sapo:
        return None, ""
    m = _DATELINE_RE.match(sapo)
    if not m:
        return None, sapo
    agency = fix_eth(nfc(m.group(1)))
    first = agency[0]
    if not (first.isupper() or first.isdigit()):
        return None, sapo
    return agency, sapo[m.end() :]
