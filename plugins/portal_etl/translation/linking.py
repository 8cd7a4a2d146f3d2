"""Linking each English item to the Vietnamese item it translates, with evidence and a confidence.

Evidence, strongest first (what a translator of a Báo Đồng Nai article keeps, shared/sources.md §2):

* **the same photo files** — the English page reuses the original's images (same file name);
  nothing else shares a file name, so one shared file is near proof;
* **the same numbers** — share of the English text's distinct numbers of two or more digits (the
  year left out) found in the original: figures survive translation unchanged;
* **the same proper names** — share of the English text's names (people, places; written without
  diacritics) found in the original romanised; a person's full name weighs 3, a place 1;
* **the date** — an original is published before its translation, the same day or up to 2 days
  earlier; each day of gap lowers the confidence.

``confidence = (0.5·photo + 0.3·numbers + 0.2·names) × date factor``. Numbers and names alone
reach at most 0.5: a text that matches without a shared photo is worth an editor's look, not an
automatic link. Hence: ≥ 0.65 links, 0.35–0.65 goes to the review queue, below is no original. A
best candidate within 0.15 of the runner-up goes to review as well (two plausible originals).
Candidates are the same channel's Vietnamese items: the English desk translates its own paper.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

W_PHOTO, W_NUMBERS, W_NAMES = 0.5, 0.3, 0.2
LINK_AT = 0.65
REVIEW_AT = 0.35
MARGIN = 0.15
MAX_GAP_DAYS = 2
DATE_FACTOR = {0: 1.0, 1: 0.9, 2: 0.75}

_NUMBER = re.compile(r"(?<![\w])\d{2,}(?![\w])")
_CAPS = re.compile(r"(?<![\w'])[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\(\w+\)\s*-\s*)$")
# capitalised words that are English grammar or the paper's boilerplate, not names
_NOT_NAMES = frozenset(
    """a an the on in at of for to and by with from this that these those it its
there their they he she we our photo translated dn dong nai vietnam viet nam party people province
provincial committee council january february march april may june july august september october
november december monday tuesday wednesday thursday friday saturday sunday key figures local leaders
delegates participants many construction workers an overview""".split()
)
_IMAGE_STAMP = re.compile(r"_\d{14}$")


def romanised(text: str) -> str:
    """Lower-case text without diacritics (đ → d), single spaces: Vietnamese names as English
    pages write them."""
    out = []
    for ch in unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D")):
        if not unicodedata.combining(ch):
            out.append(ch)
    return " ".join("".join(out).lower().split())


def image_key(src: str) -> str:
    """An image's identity: its file name without query string (resized variants share it)."""
    try:
        path = urlsplit(src).path
    except ValueError:
        return src
    return path.rsplit("/", 1)[-1].lower()


def numbers_of(text: str, year: int | None = None) -> set[str]:
    found = {n.lstrip("0") or "0" for n in _NUMBER.findall(text)}
    return {n for n in found if n != str(year)}


def names_of(text: str) -> dict[str, int]:
    """Proper names of an English text with their weights (3 for a full personal name)."""
    names: dict[str, int] = {}
    for m in _CAPS.finditer(text):
        words = [w for w in m.group(0).split() if w.lower() not in _NOT_NAMES]
        if not words:
            continue
        if len(words) == 1 and _SENTENCE_START.search(text[: m.start()]):
            continue  # a capital at the start of a sentence is not a name
        name = " ".join(words).lower()
        names[name] = max(names.get(name, 0), 3 if len(words) >= 3 else 1)
    return names


@dataclass
class Side:
    """What linking reads of one item."""

    item_id: int
    published_at: datetime
    text: str
    images: list[str]
    tz: ZoneInfo
    cache: dict[str, Any] = field(default_factory=dict)

    def local_day(self):
        return self.published_at.astimezone(self.tz).date()


def evidence(en: Side, vi: Side) -> dict[str, Any]:
    """The evidence for ``vi`` being the original of ``en`` and its confidence (pure)."""
    gap = (en.local_day() - vi.local_day()).days
    shared = sorted({image_key(s) for s in en.images} & {image_key(s) for s in vi.images})
    en_numbers = en.cache.setdefault("numbers", numbers_of(en.text, en.published_at.year))
    vi_numbers = vi.cache.setdefault("numbers", numbers_of(vi.text))
    en_names = en.cache.setdefault("names", names_of(en.text))
    vi_plain = vi.cache.setdefault("plain", " " + re.sub(r"[^\w]+", " ", romanised(vi.text)) + " ")
    found_numbers = sorted(en_numbers & vi_numbers, key=lambda n: (len(n), n))
    number_share = len(found_numbers) / len(en_numbers) if en_numbers else 0.0
    found_names = sorted(n for n in en_names if f" {n} " in vi_plain)
    total_weight = sum(en_names.values())
    name_share = sum(en_names[n] for n in found_names) / total_weight if total_weight else 0.0
    photo = 1.0 if shared else 0.0
    factor = DATE_FACTOR.get(max(gap, 0), 0.0)  # an hour of clock skew may cross midnight
    confidence = round((W_PHOTO * photo + W_NUMBERS * number_share + W_NAMES * name_share) * factor, 4)
    return {
        "vi_item_id": vi.item_id,
        "confidence": confidence,
        "shared_images": shared,
        "numbers": {"matched": found_numbers, "of": len(en_numbers), "share": round(number_share, 4)},
        "names": {"matched": found_names, "of": len(en_names), "share": round(name_share, 4)},
        "day_gap": gap,
    }


def candidates_window(en: Side) -> tuple[datetime, datetime]:
    """Originals come before their translation (an hour of clock skew allowed), ≤ 2 days earlier."""
    return en.published_at - timedelta(days=MAX_GAP_DAYS + 1), en.published_at + timedelta(hours=1)


def decide_link(scored: list[dict[str, Any]]) -> tuple[str, dict[str, Any] | None, float]:
    """(status, best evidence, confidence) from the scored candidates of one English item."""
    ranked = sorted(scored, key=lambda e: (-e["confidence"], e["vi_item_id"]))
    if not ranked or ranked[0]["confidence"] < REVIEW_AT:
        best = ranked[0] if ranked else None
        return "unlinked", best, best["confidence"] if best else 0.0
    best = ranked[0]
    runner_up = ranked[1]["confidence"] if len(ranked) > 1 else 0.0
    if best["confidence"] >= LINK_AT and best["confidence"] - runner_up >= MARGIN:
        return "linked", best, best["confidence"]
    return "review", best, best["confidence"]


def link_one(en: Side, originals: list[Side]) -> tuple[str, dict[str, Any] | None, float, list[dict]]:
    """Score every candidate original of ``en`` (within the date window) and decide."""
    lo, hi = candidates_window(en)
    scored = [evidence(en, vi) for vi in originals if lo <= vi.published_at <= hi]
    status, best, confidence = decide_link(scored)
    runners = sorted(scored, key=lambda e: -e["confidence"])[1:3]
    return status, best, confidence, runners
