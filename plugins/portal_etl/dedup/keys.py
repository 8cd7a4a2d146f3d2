"""Exact dedup keys, in the order they are tried (Media Cloud style layered dedup):

1. :func:`url_key` — the canonical article URL (``normalize.urls.canonicalize_url``);
2. :func:`native_key` — the source's own id (NukeViet ``<id>``, RSS guid ``news_<id>``,
   baodongnai hex id, legacy SharePoint ``NewsId``);
3. :func:`title_day_key` — normalised title + local publish day within one source;
   :func:`lead_key` — the normalised lead (sapo), which a republished stub keeps when its
   headline is reworded (compared across sources only, with further conditions, in
   ``pipeline.process.dedup_stage``);
4. near-duplicate text (``dedup.minhash``) across sources, over :func:`body_shingles`.

Every key is a 32-hex-digit BLAKE2b-128 of a namespaced canonical string, so keys of
different layers never collide and the same input gives the same key on any machine and
Python version (no ``hash()``, which is salted per process).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from portal_etl.months import LOCAL_ZONE
from portal_etl.normalize.text import comparison_words, strip_dateline, title_key
from portal_etl.normalize.urls import canonicalize_url

__all__ = [
    "url_key",
    "native_key",
    "title_day_key",
    "LEAD_MIN_WORDS",
    "lead_key",
    "shingle_words",
    "body_shingles",
]

_SEP = "\x1f"  # ASCII unit separator: cannot occur in the normalised parts


def _key(namespace: str, *parts: str) -> str:
    data = _SEP.join((namespace, *parts)).encode("utf-8")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def url_key(canonical_url: str) -> str:
    """Key of an article URL. The URL is canonicalised again (idempotent), so passing a raw
    URL gives the same key as passing its canonical form."""
    return _key("url", canonicalize_url(canonical_url))


def native_key(source_id: str, native_id: str | int) -> str:
    """Key of a source-native id. ``source_id`` must identify the id space: NukeViet ids are
    per language, so the vi and en channels of one site are different sources."""
    source = source_id.strip()
    nid = str(native_id).strip()
    if not source or not nid:
        raise ValueError("source_id and native_id must be non-empty")
    return _key("native", source, nid)


def title_day_key(source_id: str, title: str, published_at: datetime, tz: str = LOCAL_ZONE) -> str:
    """Key of (source, normalised title, publish day in ``tz``).

    The title goes through :func:`~portal_etl.normalize.text.title_key` (case, NFC, Ð→Đ, tone
    placement, dashes, quotes and punctuation folded); the day is the calendar date of
    ``published_at`` in ``tz`` — 23:30 UTC on the 27th is the 28th in Đồng Nai.
    ``published_at`` must be timezone-aware.
    """
    if published_at.tzinfo is None or published_at.utcoffset() is None:
        raise ValueError("published_at must be timezone-aware")
    norm = title_key(title)
    if not norm:
        raise ValueError(f"title has no comparable text: {title!r}")
    day = published_at.astimezone(ZoneInfo(tz)).date().isoformat()
    return _key("title_day", source_id.strip(), day, norm)


# A lead this long names a time, an actor, a place and an event ("Sáng 5-10, Uỷ ban MTTQ tỉnh tổ
# chức hội nghị về công tác dân vận" has 16); shorter ones are the recurring kind ("Mời quý
# vị theo dõi bản tin", "Video clip") that unrelated items share.
LEAD_MIN_WORDS = 15


def lead_key(sapo: str | None) -> str | None:
    """Key of an item's lead (sapo) without its agency dateline, or ``None`` when the lead has
    fewer than :data:`LEAD_MIN_WORDS` comparison words.

    The lead goes through :func:`~portal_etl.normalize.text.comparison_words` after
    ``strip_dateline``, so "(ĐN)- Sáng 5-10, …" and "(ĐCSVN) – sáng 5-10 …" with the old tone
    placement give the same key. The key holds no source and no day: callers bound it by
    channel and time.
    """
    words = comparison_words(strip_dateline(sapo)[1])
    if len(words) < LEAD_MIN_WORDS:
        return None
    return _key("lead", " ".join(words))


_LINE_RE = re.compile(r"\n+")


def shingle_words(text: str | None) -> list[str]:
    """Words of a text for shingling: agency datelines (``(ĐN)-``, ``(ĐCSVN) -``) at the start
    of any line removed, then :func:`~portal_etl.normalize.text.comparison_words`."""
    if not text:
        return []
    lines = []
    for line in _LINE_RE.split(text):
        if line.lstrip().startswith("("):
            line = strip_dateline(line)[1]
        lines.append(line)
    return comparison_words("\n".join(lines))


def body_shingles(text: str | None, k: int = 5) -> set[str]:
    """Set of word ``k``-shingles (space-joined) over :func:`shingle_words`.

    k = 5: Vietnamese words are single syllables, so 5 syllables ≈ 2–3 lexical words — long
    enough that shared official names ("Cổng Thông tin điện tử Đảng Cộng sản Việt Nam") make
    few shared shingles relative to a whole article, short enough that one edited word
    changes only 5 shingles. A text shorter than ``k`` words is one shingle; empty → empty set.
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    words = shingle_words(text)
    if not words:
        return set()
    if len(words) <= k:
        return {" ".join(words)}
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}
