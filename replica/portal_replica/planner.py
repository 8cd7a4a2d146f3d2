"""The planner: draws every item of a scenario (stories, copies, noise) with one random stream,
and gives the drawn items their ids and URLs.

The construction guarantees the target (see generator.py); truth.py recomputes it from the items.
"""

from __future__ import annotations

import calendar
import random
from datetime import date, datetime, time, timedelta

from portal_etl.registry import Registry
from portal_replica import textgen
from portal_replica.common import CHANNEL_ORDER, alias_of, bdn_slug
from portal_replica.scenario import Item, ScenarioParams
from portal_replica.textgen import Content, TextGen

# Which topics each known section carries; unknown integrated text sections get politics.
SECTION_TOPICS = {
    "xay-dung-dang": ("politics",),
    "tin-hoat-dong": ("politics", "economy", "society"),
    "van-ban": ("directive",),
    "thoi-su-chinh-tri": ("politics",),
    "kinh-te": ("economy",),
    "van-hoa-xa-hoi": ("society", "culture"),
    "thong-bao": ("notice",),
    "chinh-tri": ("politics",),
    "xa-hoi": ("society",),
    "van-hoa": ("culture",),
    "the-thao": ("sports",),
}
MEDIA_TOPICS = ("politics", "economy", "society", "culture")
CHANNEL_SHARE = {"baodongnai": 0.55, "dongnai_gov": 0.30, "dongnai_party": 0.15}
TYPE_WEIGHT = {None: 0.83, "video": 0.08, "podcast": 0.05, "photo": 0.04}
HOUR_WEIGHTS = {
    6: 1,
    7: 3,
    8: 4,
    9: 5,
    10: 5,
    11: 4,
    12: 2,
    13: 2,
    14: 4,
    15: 5,
    16: 5,
    17: 4,
    18: 3,
    19: 3,
    20: 3,
    21: 2,
    22: 1,
}


def _length_band(words: int) -> int:
    """Length classes a copy's edit must not cross: short, stub, tin, the gap, bài."""
    return sum(words >= limit for limit in (80, 120, 421, 550))


def month_iter(first: date, last: date):
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _largest_remainder(total: int, weights: list[float]) -> list[int]:
    s = sum(weights)
    if total <= 0 or s <= 0:
        return [0] * len(weights)
    raw = [total * w / s for w in weights]
    base = [int(r) for r in raw]
    rest = total - sum(base)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - base[i]), i))
    for i in order[:rest]:
        base[i] += 1
    return base


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


class Planner:
    def __init__(self, params: ScenarioParams, registry: Registry) -> None:
        self.p = params
        self.reg = registry
        self.rng = random.Random(f"replica-plan-{params.seed}")
        self.text = TextGen(random.Random(f"replica-text-{params.seed}"))
        self.items: list[Item] = []
        self.story_n = 0
        self.sources = {sid: registry.get(sid) for sid in CHANNEL_ORDER if sid in registry.ids}
        self.party_id = "dongnai_party"
        self.min_words = {s.id: s.approval.min_words for s in self.sources.values()}
        self.first_time = datetime.combine(params.start, time(0, 0))
        self.last_time = datetime.combine(params.end, time(23, 59))

    # -- basic draws --------------------------------------------------------------------------
    def live(self, sid: str, day: date) -> bool:
        if sid == self.party_id and day < self.p.party_live:
            return False
        return self.p.start <= day <= self.p.end

    def new_story(self) -> str:
        self.story_n += 1
        return f"s{self.story_n:06d}"

    def day_time(self, day: date) -> datetime:
        hours = list(HOUR_WEIGHTS)
        hour = self.rng.choices(hours, weights=[HOUR_WEIGHTS[h] for h in hours])[0]
        return datetime.combine(day, time(hour, self.rng.randrange(60)))

    def sections(self, sid: str, integrated: bool | None = None):
        source = self.sources[sid]
        # a section in another language (the English section) holds translations: planned apart
        # (english.py), never drawn here, so the Vietnamese scenario does not depend on it
        return [
            s
            for s in source.sections
            if s.language in (None, source.language)
            if integrated is None or s.integrate == integrated
        ]

    def pick_section(self, sid: str, integrated: bool = True, text_only: bool = False):
        secs = self.sections(sid, integrated)
        if text_only:
            secs = [s for s in secs if s.item_type is None] or secs
        weights = []
        n_text = sum(1 for s in secs if s.item_type is None) or 1
        for s in secs:
            w = TYPE_WEIGHT.get(s.item_type, 0.04)
            weights.append(w / n_text if s.item_type is None else w)
        return self.rng.choices(secs, weights=weights)[0]

    def section_for_topic(self, sid: str, topic: str, item_type: str | None):
        secs = self.sections(sid, True)
        if item_type == "video":
            vids = [s for s in secs if s.item_type == "video"]
            if vids:
                return vids[0]
        text = [s for s in secs if s.item_type is None]
        matching = [s for s in text if topic in SECTION_TOPICS.get(s.path, ("politics",))]
        return self.rng.choice(matching or text or secs)

    def author_for(self, sid: str) -> tuple[str, str]:
        r = self.rng
        if sid == "baodongnai":
            first = r.choice(textgen.BDN_REPORTERS)
            roll = r.random()
            if roll < 0.70:
                return first, first
            second = r.choice([n for n in textgen.BDN_REPORTERS if n != first])
            if roll < 0.85:
                return f"{first} - {second}", f"{first}- {second}"
            if roll < 0.95:
                return f"{first} - {second}", f"Thực hiện: {first} - {second}"
            return "T.H (tổng hợp)", "T.H (tổng hợp)"
        pool = textgen.GOV_AUTHORS if sid == "dongnai_gov" else textgen.PARTY_AUTHORS
        name = r.choice(pool)
        return name, name

    def sapo_prefix(self, sid: str) -> str:
        r = self.rng
        if sid == "baodongnai" and r.random() < 0.9:
            return r.choice(("(ĐN)- ", "(ĐN)- ", "(ĐN) – ", "(ĐN) - "))
        if sid != "baodongnai" and r.random() < 0.04:
            return "(ĐN)- "
        return ""

    def media_for(self, item: Item, section) -> None:
        r = self.rng
        if section.item_type == "video":
            if r.random() < 0.55:
                vid = "".join(
                    r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") for _ in range(11)
                )
                item.video = {"kind": "youtube", "src": f"https://www.youtube.com/embed/{vid}"}
            else:
                item.video = {"kind": "mp4", "src": ""}  # path filled once the id is known
        elif section.item_type == "podcast":
            item.audio = ""

    # -- content per section ----------------------------------------------------------------
    def make_content(
        self, sid: str, section, when: datetime, short: bool = False, topic: str | None = None
    ) -> tuple[Content, bool]:
        r = self.rng
        kind = section.item_type
        topics = SECTION_TOPICS.get(section.path) or (MEDIA_TOPICS if kind else ("politics",))
        topic = topic if topic in topics else r.choice(topics)
        tg = self.text
        infographic = False
        if kind == "video":
            lo, hi = (20, 75) if r.random() < 0.6 else (85, 160)
            prefix = "[Video] " if sid == "baodongnai" and r.random() < 0.5 else ""
            content = tg.content(topic, when, lo, hi, prefix, n_captions=0)
        elif kind == "podcast":
            buoi = r.choice(textgen.BUOI_LOWER)
            prefix = f"Tin nhanh audio {buoi} {when.day}-{when.month}: "
            content = tg.content(topic, when, 120, 260, prefix, n_captions=0)
        elif kind == "photo":
            content = tg.content(topic, when, 120, 250, "Phóng sự ảnh: ", n_captions=r.randint(4, 6))
        else:
            p_info = {"baodongnai": 0.06, "dongnai_gov": 0.02}.get(sid, 0.0)
            if r.random() < p_info:
                infographic = True
                lo, hi = (30, 70) if short else (85, 160)
                content = tg.content(topic, when, lo, hi, "[Infographic] ", n_captions=1)
            elif short:
                content = tg.content(topic, when, 25, 70)
            elif r.random() < 0.3:
                content = tg.content(topic, when, 550, 1200, n_captions=r.randint(1, 3))
            else:
                content = tg.content(topic, when, 120, 420)
        return content, infographic

    def make_item(
        self,
        sid: str,
        section,
        when: datetime,
        story_id: str,
        content: Content | None = None,
        short: bool = False,
        topic: str | None = None,
        infographic: bool = False,
    ) -> Item:
        r = self.rng
        if content is None:
            content, infographic = self.make_content(sid, section, when, short, topic)
        author, byline = self.author_for(sid)
        item = Item(
            source_id=sid,
            section=section.path,
            story_id=story_id,
            published=when,
            content=content,
            author=author,
            byline=byline,
            sapo_prefix=self.sapo_prefix(sid),
            infographic=infographic,
        )
        item.tone_old = r.random() < 0.10
        if sid == "dongnai_gov" and content.title.startswith("Đ") and r.random() < 0.15:
            item.eth = True
        legacy = sid == "baodongnai" and section.item_type == "podcast"
        if not legacy:
            item.nfd_body = r.random() < 0.04
            item.nfd_title = r.random() < 0.03
        if sid != "baodongnai" and section.item_type is None and r.random() < 0.05:
            others = [s.path for s in self.sections(sid) if s.item_type is None and s.path != section.path]
            if others:
                item.also_listed_in = [r.choice(others)]
        self.media_for(item, section)
        delay = r.random()
        if delay < 0.15:
            item.edited = when
        elif delay < 0.8:
            item.edited = when + timedelta(minutes=r.randint(5, 240))
        else:
            item.edited = when + timedelta(days=r.randint(1, 12), minutes=r.randint(0, 600))
        item.edited = min(item.edited, self.last_time)
        item.views = r.randint(15, 4800)
        item.seq = len(self.items)
        self.items.append(item)
        return item

    # -- copies (republication) -------------------------------------------------------------
    def edited_content(self, content: Content, when: datetime) -> Content:
        r = self.rng
        title = content.title
        roll = r.random()
        if roll < 0.2 and ": " in title:
            title = title.replace(": ", " - ", 1)
        elif roll < 0.35 and title.startswith("Đồng Nai: "):
            rest = title[len("Đồng Nai: ") :]
            title = rest[:1].upper() + rest[1:]
        elif roll < 0.5 and "Đồng Nai" in title and "tỉnh Đồng Nai" not in title:
            title = title.replace("Đồng Nai", "tỉnh Đồng Nai", 1)
            if title.startswith("tỉnh"):
                title = "T" + title[1:]
        elif roll < 0.6 and not title.startswith(("Đồng Nai", "[Infographic]", "Tin nhanh", "Phóng sự", "[Video]")):
            title = "Đồng Nai: " + title
        paragraphs = list(content.paragraphs)
        edit = r.random()
        if edit < 0.3:
            paragraphs.append(self.text.extra_sentence(content.topic, when))
        elif edit < 0.6:
            last = paragraphs[-1]
            cut = last.rfind(". ")
            if cut > 0:
                paragraphs[-1] = last[: cut + 1]
            elif len(paragraphs) > 1:
                paragraphs.pop()
        edited = Content(
            topic=content.topic,
            title=title,
            sapo_core=content.sapo_core,
            paragraphs=paragraphs,
            captions=list(content.captions),
            tags=list(content.tags),
        )
        if _length_band(edited.word_count) != _length_band(content.word_count):
            # the edit would change its class: keep the body (a new Content, its word count uncached)
            edited = Content(
                topic=content.topic,
                title=title,
                sapo_core=content.sapo_core,
                paragraphs=list(content.paragraphs),
                captions=list(content.captions),
                tags=list(content.tags),
            )
        return edited

    def copy_item(self, original: Item, sid: str, when: datetime, section=None, short: bool = False) -> Item:
        r = self.rng
        src_section = self.sources[original.source_id].section(original.section)
        kind = "video" if src_section and src_section.item_type == "video" else None
        if section is None:
            section = self.section_for_topic(sid, original.content.topic, kind)
        content = self.edited_content(original.content, when)
        if short:
            content = Content(
                topic=content.topic,
                title=content.title,
                sapo_core=content.sapo_core,
                paragraphs=self.text.body(content.topic, when, 25, 70),
                captions=[],
                tags=content.tags,
            )
        item = self.make_item(sid, section, when, original.story_id, content=content, infographic=original.infographic)
        if item.video and original.video and original.video["kind"] == "youtube":
            item.video = dict(original.video)
        if r.random() < 0.3:
            item.tone_old = not original.tone_old
        else:
            item.tone_old = original.tone_old
        if original.source_id == "baodongnai" and sid != "baodongnai":
            item.credit = "Báo Đồng Nai"
            item.author, item.byline = original.author, original.author
            item.sapo_prefix = original.sapo_prefix if r.random() < 0.5 else ""
        elif sid == "baodongnai" and not item.sapo_prefix and r.random() < 0.5:
            item.sapo_prefix = "(ĐN)- "
        return item

    def copy_delay(self) -> timedelta:
        roll = self.rng.random()
        if roll < 0.6:
            minutes = self.rng.randint(20, 8 * 60)
        elif roll < 0.9:
            minutes = self.rng.randint(8 * 60, 30 * 60)
        else:
            minutes = self.rng.randint(30 * 60, 48 * 60)
        return timedelta(minutes=minutes)

    def other_channel(self, exclude: set[str], when: datetime) -> str | None:
        choices = [
            sid for sid in CHANNEL_ORDER if sid in self.sources and sid not in exclude and self.live(sid, when.date())
        ]
        if not choices:
            return None
        weights = [CHANNEL_SHARE.get(sid, 0.2) for sid in choices]
        return self.rng.choices(choices, weights=weights)[0]

    def republish(self, primary: Item) -> None:
        r = self.rng
        used = {primary.source_id}
        n_copies = 2 if r.random() < 0.08 else 1
        for _ in range(n_copies):
            if r.random() < 0.03:
                when = primary.published  # tie to the minute: channel order decides
            else:
                when = primary.published + self.copy_delay()
            if when > self.last_time:
                return
            sid = self.other_channel(used, when)
            if sid is None:
                return
            section = None
            if r.random() < 0.06:
                non = self.sections(sid, False)
                section = r.choice(non) if non else None
            self.copy_item(primary, sid, when, section=section, short=r.random() < 0.04)
            used.add(sid)

    def earlier_before_window(self, primary: Item) -> None:
        """An earlier copy on the eve of the window: rejected before_window, the later one wins."""
        r = self.rng
        day = self.p.window_start - timedelta(days=1)
        when = datetime.combine(day, time(r.randint(8, 22), r.randrange(60)))
        sid = self.other_channel({primary.source_id}, when)
        if sid is not None and when >= self.first_time:
            self.copy_item(primary, sid, when)

    def earlier_unapprovable(self, primary: Item) -> bool:
        """Give a planned story an earlier copy that cannot be approved (the later copy wins)."""
        r = self.rng
        window0 = datetime.combine(self.p.window_start, time(0, 0))
        for _ in range(6):
            when = primary.published - self.copy_delay()
            if when < self.first_time:
                continue
            sid = self.other_channel({primary.source_id}, when)
            if sid is None:
                continue
            if when < window0 and r.random() < 0.7:
                self.copy_item(primary, sid, when)  # before_window
            elif r.random() < 0.5:
                non = self.sections(sid, False)
                if not non:
                    continue
                self.copy_item(primary, sid, when, section=r.choice(non))
            else:  # too_short stub in a text section
                section = self.section_for_topic(sid, primary.content.topic, None)
                self.copy_item(primary, sid, when, section=section, short=True)
            return True
        return False

    # -- plan ---------------------------------------------------------------------------------
    def month_days(self, y: int, m: int, first: date, last: date) -> list[date]:
        lo = max(first, date(y, m, 1))
        hi = min(last, date(y, m, calendar.monthrange(y, m)[1]))
        return _days(lo, hi) if lo <= hi else []

    def plan_period(self, first: date, last: date, total: int, planned: bool) -> list[Item]:
        """``total`` approvable stories with primary time in [first, last] (local days)."""
        r = self.rng
        months = list(month_iter(first, last))
        weights = []
        for y, m in months:
            days = self.month_days(y, m, first, last)
            weights.append(len(days) / calendar.monthrange(y, m)[1] * r.uniform(0.75, 1.25))
        per_month = _largest_remainder(total, weights)
        primaries: list[Item] = []
        for (y, m), n in zip(months, per_month, strict=True):
            days = self.month_days(y, m, first, last)
            if not days or n == 0:
                continue
            chans = [sid for sid in CHANNEL_ORDER if sid in self.sources]
            shares = []
            for sid in chans:
                live_days = [d for d in days if self.live(sid, d)]
                shares.append(CHANNEL_SHARE.get(sid, 0.2) * len(live_days) / len(days) * r.uniform(0.85, 1.15))
            per_chan = _largest_remainder(n, shares)
            slots: list[list] = []  # [source_id, when]
            for sid, k in zip(chans, per_chan, strict=True):
                live_days = [d for d in days if self.live(sid, d)]
                slots.extend([sid, self.day_time(r.choice(live_days))] for _ in range(k))
            self.place_boundaries(slots, y, m, first, last)
            if planned and (y, m) == (first.year, first.month) and first.day != 1:
                cands = [sl for sl in slots if self.live(sl[0], first) and sl[1].day != 1]
                if cands:  # just after the window opens: 00:15 on its first day
                    r.choice(cands)[1] = datetime.combine(first, time(0, 15))
            party_live = self.p.party_live
            if (y, m) == (party_live.year, party_live.month) and first <= party_live <= last:
                cands = [sl for sl in slots if sl[0] == self.party_id and sl[1].day != 1]
                if cands:  # the portal's launch day has news
                    cands[0][1] = datetime.combine(party_live, time(9, r.randrange(60)))
            for sid, when in slots:
                section = self.pick_section(sid, True)
                primaries.append(self.make_item(sid, section, when, self.new_story()))
        if planned:
            window0 = datetime.combine(self.p.window_start, time(0, 0))
            early = [it for it in primaries if it.published < window0 + timedelta(days=2)]
            for item in early[:2]:
                self.earlier_before_window(item)
        for item in primaries:
            if planned and r.random() < 0.02:
                self.earlier_unapprovable(item)
            if r.random() < 0.12:
                self.republish(item)
        return primaries

    def place_boundaries(self, slots: list[list], y: int, m: int, first: date, last: date) -> None:
        """Several slots at 00:00–01:59 on the 1st, a few late on the month's last day."""
        r = self.rng
        day1 = date(y, m, 1)
        scale = max(self.p.scale, 1.0)
        after_target = (self.p.target_end + timedelta(days=1)).timetuple()[:2]
        if first <= day1 <= last:
            cands = [s for s in slots if self.live(s[0], day1)]
            k = min(len(cands), max(3, round(r.randint(3, 5) * scale)))
            for i, slot in enumerate(r.sample(cands, k)):
                if i == 0 and (y, m) == after_target:
                    slot[1] = datetime.combine(day1, time(0, 30))
                else:
                    slot[1] = datetime.combine(day1, time(r.randint(0, 1), r.randrange(60)))
        last_day = date(y, m, calendar.monthrange(y, m)[1])
        if first <= last_day <= last:
            cands = [s for s in slots if s[1].day != 1 and self.live(s[0], last_day)]
            k = min(len(cands), r.randint(1, 2))
            for i, slot in enumerate(r.sample(cands, k)):
                minute = 50 if i == 0 else r.randint(30, 59)
                slot[1] = datetime.combine(last_day, time(23, minute))

    def noise_single(self, first: date, last: date, count: int, integrated: bool, short: bool = False) -> None:
        r = self.rng
        days = _days(first, last)
        if not days:
            return
        for _ in range(count):
            day = r.choice(days)
            chans = [
                sid
                for sid in CHANNEL_ORDER
                if sid in self.sources and self.live(sid, day) and self.sections(sid, integrated)
            ]
            if not chans:
                continue
            sid = r.choices(chans, weights=[CHANNEL_SHARE.get(c, 0.2) for c in chans])[0]
            section = self.pick_section(sid, integrated, text_only=short)
            self.make_item(sid, section, self.day_time(day), self.new_story(), short=short)

    def plan(self) -> None:
        p = self.p
        target = round(p.target_integrated * p.scale)
        window_days = (p.target_end - p.window_start).days + 1
        rate = target / window_days
        r = self.rng
        # 1. the target: exactly `target` stories whose primary lies in the counted range
        self.plan_period(p.window_start, p.target_end, target, planned=True)
        # 2. after target_end (approvable, not counted)
        after_first = p.target_end + timedelta(days=1)
        if after_first <= p.end:
            n_after = round(rate * ((p.end - after_first).days + 1) * r.uniform(0.9, 1.1))
            self.plan_period(after_first, p.end, n_after, planned=False)
        # 3. before the window, integrated sections (rejected before_window)
        before_last = p.window_start - timedelta(days=1)
        if p.start <= before_last:
            n_before = round(rate * ((before_last - p.start).days + 1))
            self.noise_single(p.start, before_last, n_before, integrated=True)
            day1 = p.start
            for _ in range(3):
                sid = "baodongnai" if r.random() < 0.6 else "dongnai_gov"
                if sid in self.sources and self.live(sid, day1):
                    when = datetime.combine(day1, time(r.randint(0, 1), r.randrange(60)))
                    self.make_item(sid, self.pick_section(sid, True), when, self.new_story())
            eve = datetime.combine(before_last, time(23, 45))
            sid = "baodongnai" if "baodongnai" in self.sources else next(iter(self.sources))
            self.make_item(sid, self.pick_section(sid, True, text_only=True), eve, self.new_story())
        # 4. non-integrated sections over the whole period
        total_days = (p.end - p.start).days + 1
        self.noise_single(p.start, p.end, round(0.06 * rate * total_days), integrated=False)
        # 5. too-short items in integrated sections (rejected too_short)
        self.noise_single(p.window_start, p.end, max(3, round(0.015 * rate * total_days)), integrated=True, short=True)


# ---------------------------------------------------------------------------------------------
# ids


def assign_ids(items: list[Item], registry: Registry, rng: random.Random) -> None:
    by_source: dict[str, list[Item]] = {}
    for item in sorted(items, key=lambda it: (it.published, it.seq)):
        by_source.setdefault(item.source_id, []).append(item)
    used_hex: set[str] = set()
    for sid, its in by_source.items():
        source = registry.get(sid)
        if source.adapter == "nukeviet":
            opts = source.adapter_options
            prefix = f"{opts.get('lang_prefix', '')}/{opts.get('module', 'news')}"
            next_id = 40000 + rng.randint(0, 900) if sid == "dongnai_gov" else 100
            legacy_id = 8000 + rng.randint(0, 500)
            cat_ids = {s.path: 21 + 2 * i for i, s in enumerate(source.sections)}
            for item in its:
                next_id += rng.choice((1, 1, 1, 2, 3))
                item.native_id = str(next_id)
                item.alias = alias_of(item.served_title)
                item.path = f"{prefix}/{item.section}/{item.alias}-{item.native_id}.html"
                if sid == "dongnai_gov" and item.published < datetime(2024, 1, 1):
                    legacy_id += rng.choice((1, 2, 2, 3, 5))
                    item.legacy_news_id = legacy_id
                    item.legacy_path = f"/Pages/newsdetail.aspx?NewsId={legacy_id}&CatId={cat_ids[item.section]}"
        else:
            next_dec = 3158000 + rng.randint(0, 999)
            for item in its:
                if item.published.year < 2024:
                    next_dec += rng.randint(1, 60)
                    item.native_id = str(next_dec)
                else:
                    while True:
                        hx = f"{rng.randrange(16**7):07x}"
                        if any(c in "abcdef" for c in hx) and hx not in used_hex:
                            break
                    used_hex.add(hx)
                    item.native_id = hx
                item.alias = bdn_slug(item.title)
                item.path = f"/{item.section}/{item.published:%Y%m}/{item.alias}-{item.native_id}"
