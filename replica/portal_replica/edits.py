"""The heavy-edit scenario (``portal-replica generate --edits heavy``): republications edited the
ways real desks edit them, and look-alike families (``lookalikes``).

Why: the default scenario's copies carry the generator's own light edits, so dedup scores on
it are a regression check. Here each republication carries one named edit kind
(:data:`EDIT_KINDS`), and the manifest's ``dedup_truth`` block lists the true pairs and the
true non-pairs with their kind, for ``bench_dedup`` and the tests.

Runs after the default plan with its own random stream, adding items: the default items keep
their content, and the added look-alike stories raise the target by their count.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from portal_replica import lookalikes, textgen
from portal_replica.common import CHANNEL_ORDER
from portal_replica.scenario import EDIT_MODES, Item
from portal_replica.scenario import check_edits_mode as check_mode
from portal_replica.textgen import Content

if TYPE_CHECKING:
    from portal_replica.planner import Planner

EDIT_KINDS = (
    "reworded_headline",
    "rewritten_lead",
    "paragraphs_dropped",
    "paragraphs_reordered",
    "merged",
    "captions_bylines",
    "theo_bao_dong_nai",
    "numbers_rewritten",
)
COPIES_PER_KIND = 70  # ≈ 560 heavy copies beside the default scenario's ~460 light ones
REPUBLISHED_SHARE = 0.3  # look-alike members also republished on another channel (their true pairs)
LOOKALIKE_WINDOW = timedelta(days=7)  # dedup compares items published within ±7 days


# --- text edits ----------------------------------------------------------------------------------

_SYNONYMS = (
    ("tổ chức", "tiến hành"),
    ("triển khai", "thực hiện"),
    ("tăng cường", "đẩy mạnh"),
    ("kiểm tra", "khảo sát"),
    ("nhằm", "để"),
    ("người dân", "bà con"),
    ("nhiều", "hàng loạt"),
    ("tiếp tục", "sẽ tiếp tục"),
    ("phối hợp với", "cùng"),
    ("hoàn thành", "thực hiện xong"),
    ("đề nghị", "yêu cầu"),
    ("nhấn mạnh", "lưu ý"),
)
_LEAD_TIME_RE = re.compile(r"^(Sáng|Chiều|Tối|Trưa) (\d{1,2}-\d{1,2}), (.+?)\.(.*)$", re.S)


def reword(text: str, rng: random.Random, share: float = 0.7) -> str:
    """Swap phrases for synonyms (each with probability ``share``)."""
    for old, new in _SYNONYMS:
        if old in text and rng.random() < share:
            text = text.replace(old, new)
    return text


def reworded_title(title: str, rng: random.Random) -> str:
    out = reword(title, rng, 0.9)
    if ": " in out:
        head, tail = out.split(": ", 1)
        out = tail[:1].upper() + tail[1:] + " tại " + head if rng.random() < 0.5 else tail[:1].upper() + tail[1:]
    elif out == title:
        out = "Đồng Nai: " + out[:1].lower() + out[1:] if not out.startswith("Đồng Nai") else out + " thời gian tới"
    return out


def rewritten_lead(sapo: str, rng: random.Random) -> str:
    """The lead reworded, its time phrase moved to the end, and (half the time) cut to one sentence."""
    m = _LEAD_TIME_RE.match(sapo)
    out = f"{m.group(3)[:1].upper()}{m.group(3)[1:]} vào {m.group(1).lower()} {m.group(2)}.{m.group(4)}" if m else sapo
    out = reword(out, rng, 0.9)
    if rng.random() < 0.5 and ". " in out.strip():
        out = out.split(". ", 1)[0] + "."
    return out


def _sentences(paragraph: str) -> list[str]:
    return [s if s.endswith(".") else s + "." for s in paragraph.split(". ") if s]


def apply_edit(kind: str, content: Content, rng: random.Random, other: Content | None = None) -> Content:
    """A republication of ``content`` edited one way (``other``: the second story of a merge)."""
    title, sapo = content.title, content.sapo_core
    paragraphs, captions = list(content.paragraphs), list(content.captions)
    if kind == "reworded_headline":
        title = reworded_title(title, rng)
    elif kind == "rewritten_lead":
        title = reworded_title(title, rng) if rng.random() < 0.5 else title
        sapo = rewritten_lead(sapo, rng)
    elif kind == "paragraphs_dropped":  # keep the opening, drop a third to a half of the rest
        keep = max(1, round(len(paragraphs) * rng.uniform(0.5, 0.7)))
        rest = sorted(rng.sample(range(1, len(paragraphs)), max(0, keep - 1))) if len(paragraphs) > 1 else []
        paragraphs = [paragraphs[0]] + [paragraphs[i] for i in rest]
    elif kind == "paragraphs_reordered":
        if len(paragraphs) > 2:
            head, tail = paragraphs[:1], paragraphs[1:]
            rng.shuffle(tail)
            paragraphs = head + tail
        else:  # one or two paragraphs: reorder their sentences
            sentences = [s for p in paragraphs for s in _sentences(p)]
            rng.shuffle(sentences)
            half = max(1, len(sentences) // 2)
            paragraphs = [" ".join(sentences[:half]), " ".join(sentences[half:])]
    elif kind == "merged" and other is not None:  # this story, then the other's lead and a part
        part = other.paragraphs[: max(1, len(other.paragraphs) // 3)]
        paragraphs = paragraphs + [other.sapo_core] + part
    elif kind == "captions_bylines":
        captions = [
            rng.choice(textgen.CAPTIONS).format_map(
                {
                    "role": rng.choice(textgen.ROLES),
                    "person": "đồng chí " + rng.choice(textgen.GIVEN),
                    "K": rng.choice(textgen.KCN),
                    "C": rng.choice(textgen.COMMUNES),
                    "P": rng.choice(textgen.PROJECTS),
                    "CR": rng.choice(textgen.CROPS),
                }
            )
            for _ in range(rng.randint(1, 3))
        ]
    elif kind == "theo_bao_dong_nai":
        paragraphs = paragraphs + [
            rng.choice(("Theo Báo Đồng Nai", "(Theo Báo Đồng Nai)", "Nguồn: Báo Đồng Nai điện tử"))
        ]
    elif kind == "numbers_rewritten":
        paragraphs = [_rewrite_numbers(p, rng) for p in paragraphs]
    edited = Content(
        topic=content.topic,
        title=title,
        sapo_core=sapo,
        paragraphs=paragraphs,
        captions=captions,
        tags=list(content.tags),
    )
    return edited


_BIG_RE = re.compile(r"\b(\d{1,3})\.(\d{3})( triệu)?\b")


def with_big_numbers(content: Content, rng: random.Random) -> Content:
    """The original of a numbers_rewritten pair: one sentence with figures written 1.500-style."""
    a, b = rng.randint(1, 9) * 1000 + rng.choice((0, 500)), rng.randint(11, 95) * 100
    sentence = (
        f"Tổng kinh phí thực hiện hơn {a // 1000}.{a % 1000:03d} triệu đồng, hỗ trợ "
        f"{b // 1000}.{b % 1000:03d} hộ dân trên địa bàn."
    )
    paragraphs = list(content.paragraphs)
    paragraphs[-1] = paragraphs[-1] + " " + sentence
    return Content(
        topic=content.topic,
        title=content.title,
        sapo_core=content.sapo_core,
        paragraphs=paragraphs,
        captions=list(content.captions),
        tags=list(content.tags),
    )


def _rewrite_numbers(text: str, rng: random.Random) -> str:
    """1.500 → 1500 or "1,5 nghìn" (a reader sees the same figure)."""

    def one(m: re.Match) -> str:
        value, unit = int(m.group(1) + m.group(2)), m.group(3) or ""
        if rng.random() < 0.5 or value % 100:
            return f"{value}{unit}"
        return f"{value / 1000:g}".replace(".", ",") + (" tỷ" if unit else " nghìn")

    return _BIG_RE.sub(one, text)


# --- planning ------------------------------------------------------------------------------------


def _text_section(planner: Planner, sid: str, rng: random.Random):
    secs = [s for s in planner.sections(sid, True) if s.item_type is None]
    return rng.choice(secs)


def _later_channel(planner: Planner, rng: random.Random, exclude: set[str], when: datetime) -> str | None:
    choices = [
        sid for sid in CHANNEL_ORDER if sid in planner.sources and sid not in exclude and planner.live(sid, when.date())
    ]
    return rng.choice(choices) if choices else None


def _copy(
    planner: Planner, rng: random.Random, original: Item, content: Content, kind: str, when: datetime, exclude: set[str]
) -> Item | None:
    if when > planner.last_time:
        return None
    sid = _later_channel(planner, rng, exclude | {original.source_id}, when)
    if sid is None:
        return None
    item = planner.make_item(sid, _text_section(planner, sid, rng), when, original.story_id, content=content)
    item.edit_kind, item.edit_of = kind, original
    if kind == "captions_bylines":
        item.author = item.byline = rng.choice(textgen.GOV_AUTHORS + textgen.PARTY_AUTHORS)
    if kind == "theo_bao_dong_nai" or original.source_id == "baodongnai":
        item.credit = "Báo Đồng Nai"
    return item


def plan_heavy(planner: Planner) -> int:
    """Add the heavy copies and the look-alike families to ``planner.items``; returns the number
    of stories added inside [window_start, target_end] (all approvable)."""
    rng = random.Random(f"replica-edits-{planner.p.seed}")
    p = planner.p
    window0 = datetime.combine(p.window_start, datetime.min.time())
    end = datetime.combine(p.target_end, datetime.max.time())
    candidates = [
        it
        for it in planner.items
        if window0 <= it.published <= end
        and it.content.word_count >= 150
        and not it.content.title.startswith(("[", "Tin nhanh", "Phóng sự"))
        and (sec := planner.sources[it.source_id].section(it.section)) is not None
        and sec.integrate
        and sec.item_type is None
    ]
    rng.shuffle(candidates)
    used: set[int] = set()
    for kind in EDIT_KINDS:
        made = 0
        while made < COPIES_PER_KIND and candidates:
            original = candidates.pop()
            if id(original) in used:
                continue
            used.add(id(original))
            other = None
            if kind == "merged":
                near = [
                    it
                    for it in candidates
                    if it.story_id != original.story_id
                    and id(it) not in used
                    and abs(it.published - original.published) <= timedelta(days=1)
                ]
                if not near:
                    continue
                other = rng.choice(near)
                used.add(id(other))
            if kind == "numbers_rewritten":
                original.content = with_big_numbers(original.content, rng)
            content = apply_edit(kind, original.content, rng, other.content if other else None)
            start = max(original.published, other.published) if other else original.published
            when = start + timedelta(minutes=rng.randint(30, 40 * 60))
            exclude = {other.source_id} if other else set()
            item = _copy(planner, rng, original, content, kind, when, exclude)
            if item is not None:
                if other is not None:
                    item.merged_with = other
                made += 1
    added = 0
    for family, group, when, content in lookalikes.plan_families(
        rng, p.window_start + timedelta(days=3), p.target_end - timedelta(days=3)
    ):
        sid = rng.choice([s for s in CHANNEL_ORDER if s in planner.sources and planner.live(s, when.date())])
        item = planner.make_item(sid, _text_section(planner, sid, rng), when, planner.new_story(), content=content)
        item.family, item.family_group = family, group
        added += 1
        if rng.random() < REPUBLISHED_SHARE:
            # a daily item is republished the same day: a channel does not carry yesterday's
            # "Hôm nay có gì?" beside today's (the same headline on one day is one item to dedup)
            latest = 30 * 60 if family not in lookalikes.DAILY else (23 - when.hour) * 60
            copy_when = when + timedelta(minutes=rng.randint(30, max(30, latest)))
            copy_sid = _later_channel(planner, rng, {sid}, copy_when)
            if copy_sid is not None and copy_when <= end:
                copy = planner.make_item(
                    copy_sid,
                    _text_section(planner, copy_sid, rng),
                    copy_when,
                    item.story_id,
                    content=apply_edit("theo_bao_dong_nai", content, rng),
                )
                copy.family, copy.family_group = family, group
                copy.edit_kind, copy.edit_of = "lookalike_republished", item
    return added


# --- the manifest's truth ------------------------------------------------------------------------


def _ref(item: Item) -> list[str]:
    return [item.source_id, item.path]


def add_to_manifest(manifest: dict, items: list[Item]) -> None:
    """``manifest["dedup_truth"]``: true pairs (same story) and true non-pairs, each with its kind."""
    pairs: list[dict] = []
    for item in items:
        original = getattr(item, "edit_of", None)
        if original is not None:
            pairs.append({"a": _ref(original), "b": _ref(item), "kind": item.edit_kind, "same_story": True})
        other = getattr(item, "merged_with", None)
        if other is not None:  # the second story of a merge: joining it would join two stories
            pairs.append({"a": _ref(other), "b": _ref(item), "kind": "merged_other_part", "same_story": False})
    family: dict[str, list[Item]] = {}
    for item in items:
        if getattr(item, "family", None):
            family.setdefault(item.family, []).append(item)
    for name, members in sorted(family.items()):
        members.sort(key=lambda it: it.published)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if b.published - a.published > LOOKALIKE_WINDOW:
                    break
                if a.story_id != b.story_id and a.source_id != b.source_id:
                    pairs.append({"a": _ref(a), "b": _ref(b), "kind": name, "same_story": False})
    manifest["dedup_truth"] = {
        "edits": "heavy",
        "edit_kinds": list(EDIT_KINDS),
        "families": list(lookalikes.FAMILIES),
        "pairs": pairs,
        "family_items": [
            {"item": _ref(it), "family": it.family, "group": it.family_group}
            for members in family.values()
            for it in members
        ],
    }


def family_of(item: Item) -> str | None:
    return getattr(item, "family", None)


__all__ = ["EDIT_KINDS", "EDIT_MODES", "add_to_manifest", "apply_edit", "check_mode", "plan_heavy", "reword"]
