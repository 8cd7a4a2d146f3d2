# ruff: noqa: E501 - HTML templates are kept as literal markup, one element a line
"""The English section of the Báo Đồng Nai replica (``/english/<topic>/YYYYMM/<slug>-<hex>``),
generated when ``ScenarioParams.english`` is on (the default), with its known pairs in the manifest.

Three kinds of English item, as the real section has (shared/sources.md §2; pages signed
"By … - Translated by …", the Vietnamese caption kept under the English one):

* ``translation``  translates one Vietnamese article: the same photos (same image files), the same
  day or the next, every number and proper name of the original (names without diacritics);
* ``ambiguous``    a shortened translation illustrated with a photo of its own: the names and
  numbers match but no photo does, so a linker should ask an editor rather than decide;
* ``english_only`` written for English readers, no Vietnamese original.

Planned from its own random stream after the Vietnamese scenario, so turning it on changes no
Vietnamese item, page or figure. English items are never approvable (their section is not
integrated): they attach to their original as translations.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from portal_etl.registry import Source
from portal_replica import textgen
from portal_replica.common import bdn_slug, count_words, file_for_path, iso_local, romanise, to_epoch
from portal_replica.render_bdn import BaoDongNaiSite, bdn_time
from portal_replica.scenario import Item, Scenario, ScenarioParams
from portal_replica.themes.base import BdnArticle, esc

SOURCE_ID = "baodongnai"
SECTION = "english"
# how much the desk translates and shortens: ScenarioParams.english_translated_share / _ambiguous_share
ENGLISH_ONLY_PER_TRANSLATION = 0.3
TRANSLATORS = ("Hai Yen", "Thu Hang", "Minh Thanh", "Bao Ngoc", "Huy Anh")
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_NUMBER = re.compile(r"(?<![\w.,])\d+(?![\w])")
_PERSON = re.compile(
    "(?:"
    + "|".join(textgen.FAMILY)
    + ") (?:"
    + "|".join(textgen.MIDDLE)
    + ") (?:"
    + "|".join(textgen.GIVEN)
    + r")(?!\w)"
)
_PLACES = sorted(
    {*textgen.DISTRICTS, *(c.split(" ", 1)[1] for c in textgen.COMMUNES), *textgen.KCN, *textgen.RELICS},
    key=len,
    reverse=True,
)
_PLACE = re.compile("(?<!\\w)(?:" + "|".join(re.escape(p) for p in _PLACES) + ")(?!\\w)")

EN_TITLES = {
    "politics": (
        "{P} reviews Party building work",
        "Party committee of {P} holds conference",
        "Provincial delegation works with {P} on key tasks",
        "{P} admits new Party members",
    ),
    "economy": (
        "{P} speeds up investment projects",
        "Industrial parks in {P} attract new investors",
        "{P} farmers earn more from high-value crops",
        "Dong Nai boosts exports through {P}",
    ),
    "society": (
        "{P} supports disadvantaged residents",
        "Free health checks for people in {P}",
        "{P} builds houses for poor households",
        "Job support for workers in {P}",
    ),
    "culture": (
        "{P} celebrates traditional festival",
        "Relics of {P} to be preserved",
        "{P} welcomes tourists during holidays",
        "Cultural exchange held in {P}",
    ),
}
EN_FILLER = (
    "The province will continue to focus on implementing the tasks set out for this year.",
    "Local authorities have rolled out many synchronous solutions over the past period.",
    "Delegates discussed difficulties and proposed practical solutions.",
    "The programme received an enthusiastic response from officials and local people.",
    "Leaders asked departments and localities to coordinate closely in the coming time.",
    "The results are an important basis for the locality to fulfil its annual targets.",
    "Many effective models at the grassroots level have been praised and replicated.",
    "The event aims to improve the material and spiritual life of local people.",
    "Participants agreed that the work should be carried out regularly and continuously.",
    "The locality will review and report the results to the provincial People's Committee.",
)
EN_CAPTIONS = (
    "Delegates at the event.",
    "An overview of the conference.",
    "Workers at an industrial park.",
    "Local leaders present gifts to residents.",
    "Construction under way.",
)
TOPIC_SUB = {"politics": "politics", "economy": "economy", "society": "society", "culture": "culture"}


def facts(text: str) -> tuple[list[str], list[str], list[str]]:
    """Numbers, people and places of a Vietnamese text, names without diacritics (as the English
    pages write them)."""
    numbers = _NUMBER.findall(text)
    people = [romanise(p) for p in _PERSON.findall(text)]
    places = [romanise(p) for p in _PLACE.findall(text)]
    return numbers, people, places


@dataclass
class EnglishItem:
    kind: str  # translation | ambiguous | english_only
    original: Item | None
    published: datetime
    topic: str
    title: str
    sapo: str
    paragraphs: list[str]
    captions: list[tuple[str, str]]  # (English caption, Vietnamese caption)
    author: str
    translator: str
    sub: str
    native_id: str = ""
    alias: str = ""
    path: str = ""
    edited: datetime | None = None
    story_id: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def served_title(self) -> str:
        return self.title

    @property
    def section(self) -> str:
        return f"{SECTION}/{self.sub}" if self.sub else SECTION

    @property
    def word_count(self) -> int:
        return sum(count_words(p) for p in self.paragraphs)

    @property
    def item_type(self) -> str:
        return "bai" if self.word_count >= 500 else "tin"


class _Writer:
    """English prose around a Vietnamese text's facts (deterministic, from ``rng``)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def paragraph(self, vi_text: str, keep_all: bool = True) -> str:
        numbers, people, places = facts(vi_text)
        r = self.rng
        out = [r.choice(EN_FILLER)]
        for person in dict.fromkeys(people):
            out.append(f"{person} stressed that the locality must keep up its efforts.")
        if places:
            out.append(f"The activities took place in {', '.join(dict.fromkeys(places))}.")
        if numbers:
            out.append(f"Figures cited included {', '.join(numbers)}.")
        if keep_all and r.random() < 0.5:
            out.append(r.choice(EN_FILLER))
        return " ".join(out)

    def title(self, topic: str, vi_title: str) -> str:
        numbers, people, places = facts(vi_title)
        place = places[0] if places else "Dong Nai"
        text = self.rng.choice(EN_TITLES.get(topic, EN_TITLES["politics"])).format(P=place)
        if numbers:
            text += f" ({', '.join(numbers)})"
        return text

    def sapo(self, when: datetime, vi_sapo: str) -> str:
        numbers, people, places = facts(vi_sapo)
        text = f"(DN) - On {MONTHS_EN[when.month - 1]} {when.day}, local leaders met in "
        text += f"{', '.join(dict.fromkeys(places)) or 'Dong Nai'}."
        if people:
            text += f" {', '.join(dict.fromkeys(people))} attended."
        if numbers:
            text += f" Key figures: {', '.join(numbers)}."
        return text


def _romanised_author(item: Item) -> str:
    return romanise(item.author.split(" - ")[0])


def plan_english(scenario: Scenario) -> list[EnglishItem]:
    """The English items of a planned scenario (its Vietnamese items are left untouched)."""
    params = scenario.params
    rng = random.Random(f"replica-english-{params.seed}")
    writer = _Writer(rng)
    window0 = datetime.combine(params.window_start, time(0, 0))
    last = datetime.combine(params.end, time(12, 0))  # a translation must fit before the end
    end_of_scenario = datetime.combine(params.end, time(23, 59))
    originals = [
        it
        for it in scenario.items
        if it.source_id == SOURCE_ID
        and it.approvable
        and it.item_type in ("tin", "bai")
        and window0 <= it.published < last
        and it.content.topic in TOPIC_SUB
    ]
    out: list[EnglishItem] = []
    translated, ambiguous = params.english_translated_share, params.english_ambiguous_share
    for vi in originals:
        roll = rng.random()
        if roll < translated and vi.content.captions:
            out.append(_translate(vi, "translation", rng, writer, end_of_scenario))
        elif translated <= roll < translated + ambiguous:
            out.append(_translate(vi, "ambiguous", rng, writer, end_of_scenario))
    n_only = round(len(out) * ENGLISH_ONLY_PER_TRANSLATION)
    days = (params.end - params.window_start).days
    tg = textgen.TextGen(random.Random(f"replica-english-text-{params.seed}"))
    for _ in range(n_only):
        day = params.window_start + timedelta(days=rng.randrange(max(1, days)))
        when = datetime.combine(day, time(rng.randint(8, 20), rng.randrange(60)))
        topic = rng.choice(tuple(TOPIC_SUB))
        content = tg.content(topic, when, 150, 380, n_captions=1)  # facts of a story never published in vi
        reporter = romanise(rng.choice(textgen.BDN_REPORTERS))
        out.append(
            EnglishItem(
                kind="english_only",
                original=None,
                published=when,
                topic=topic,
                title=writer.title(topic, content.title),
                sapo=writer.sapo(when, content.sapo_core),
                paragraphs=[writer.paragraph(p) for p in content.paragraphs],
                captions=[(rng.choice(EN_CAPTIONS), c) for c in content.captions],
                author=reporter,
                translator=rng.choice(TRANSLATORS),
                sub=_sub(rng, topic),
            )
        )
    _assign(out, scenario, rng)
    return out


def _sub(rng: random.Random, topic: str) -> str:
    roll = rng.random()
    if roll < 0.1:
        return ""  # /english/YYYYMM/… (seen on the real site)
    if roll < 0.2:
        return "englishtop-stories"
    return TOPIC_SUB[topic]


def _translate(vi: Item, kind: str, rng: random.Random, writer: _Writer, latest: datetime) -> EnglishItem:
    later = min(latest, vi.published + timedelta(minutes=rng.randint(60, 18 * 60)))
    if rng.random() < 0.75:  # mostly the same day, else the next morning
        later = min(later, datetime.combine(vi.published.date(), time(23, 50)))
        later = max(later, vi.published + timedelta(minutes=5))
    paragraphs = vi.paragraphs if kind == "translation" else vi.paragraphs[: max(1, len(vi.paragraphs) // 2)]
    captions = (
        [(rng.choice(EN_CAPTIONS), c) for c in vi.captions]
        if kind == "translation"
        else [(rng.choice(EN_CAPTIONS), "")]
    )
    return EnglishItem(
        kind=kind,
        original=vi,
        published=later,
        topic=vi.content.topic,
        title=writer.title(vi.content.topic, vi.title),
        sapo=writer.sapo(vi.published, vi.sapo),
        paragraphs=[writer.paragraph(p, kind == "translation") for p in paragraphs],
        captions=captions,
        author=_romanised_author(vi),
        translator=rng.choice(TRANSLATORS),
        sub=_sub(rng, vi.content.topic),
    )


def _assign(items: list[EnglishItem], scenario: Scenario, rng: random.Random) -> None:
    used = {it.native_id for it in scenario.items if it.source_id == SOURCE_ID}
    items.sort(key=lambda e: (e.published, e.original.path if e.original else "", e.title))
    for n, item in enumerate(items, 1):
        while True:
            hx = f"{rng.randrange(16**7):07x}"
            if any(c in "abcdef" for c in hx) and hx not in used:
                break
        used.add(hx)
        item.native_id = hx
        item.alias = bdn_slug(item.title)
        sub = f"/{item.sub}" if item.sub else ""
        item.path = f"/{SECTION}{sub}/{item.published:%Y%m}/{item.alias}-{hx}"
        item.story_id = f"e{n:06d}"
        item.edited = item.published + timedelta(minutes=rng.randint(0, 90))


class EnglishSite(BaoDongNaiSite):
    """The English pages: the Vietnamese layout with ``lang="en"``, English labels, the original's
    photo files on a translation, and the byline ``By … - Translated by …``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lang = "en"

    def image(self, item, n: int = 0) -> str:
        if isinstance(item, EnglishItem):
            if item.kind == "translation" and item.original is not None:
                return super().image(item.original, n)
            stamp = item.published.strftime("%Y%m%d%H%M%S")
            return f"/file/e7837c02876411cd0187645a2551379f/{item.published:%m%Y}/en-{item.native_id}-{n}_{stamp}.jpg"
        return super().image(item, n)

    def english_article(self, item: EnglishItem, related: list[EnglishItem]) -> str:
        theme = self.theme_for(item)
        parts = []
        slots = {min(len(item.paragraphs) - 1, i): i for i in range(len(item.captions))}
        photographer = item.author
        for i, para in enumerate(item.paragraphs):
            parts.append(f"<p>{esc(para)}</p>")
            if i in slots:
                c = slots[i]
                en, vi = item.captions[c]
                cell = esc(f"{en} Photo: {photographer}")
                if vi:
                    cell += " <br>" + esc(vi)
                parts.append(theme.caption_table(self.image(item, c + 1), cell))
        parts.append(theme.byline(f"By {item.author} - Translated by {item.translator}"))
        sub_name = item.sub.replace("-", " ").title() if item.sub else "English"
        view = BdnArticle(
            item=item,
            title=item.title,
            author=item.author,
            time=bdn_time(item.published),
            sapo=item.sapo,
            crumbs=[("/", "Home"), (f"/{SECTION}", "English"), (None, sub_name)],
            body="\n".join(parts),
            related=related,
            related_label="Other news",
            image=self.image(item),
            section=sub_name,
            tags=None,
            comments=False,
        )
        return self.article_page(theme, view, False)


def render_english(
    source: Source, items: list[EnglishItem], params: ScenarioParams, site_dir: Path, routes: dict
) -> None:
    """Write the English articles and the ``/english`` list pages; merge their routing data."""
    site = EnglishSite(source, [], params, site_dir)
    newest_first = sorted(items, key=lambda e: (e.published, e.path), reverse=True)
    for i, item in enumerate(newest_first):
        related = (newest_first[max(0, i - 2) : i] + newest_first[i + 1 : i + 3])[:4]
        site.write(
            file_for_path(item.path), site.english_article(item, related), to_epoch(item.edited or item.published)
        )
    site.render_list(SECTION, "English", newest_first)
    routes.setdefault("lastmod", {}).update(site.lastmod)
    routes.setdefault("list_pages", {}).update(site.list_pages)


def manifest_item(item: EnglishItem) -> dict:
    original = item.original
    return {
        "source_id": SOURCE_ID,
        "path": item.path,
        "native_id": item.native_id,
        "story_id": item.story_id,
        "item_type": item.item_type,
        "section": item.section,
        "title": item.title,
        "author": item.author,
        "published_at_local": iso_local(item.published),
        "word_count": item.word_count,
        "approvable": False,
        "reject_reason": "section_not_integrated",
        "primary": False,
        "also_listed_in": [],
        "quirks": [],
        "language": "en",
        "english_kind": item.kind,
        "translation_of": ({"source_id": original.source_id, "path": original.path} if original is not None else None),
    }


def source_versions_by_month(vi_items: list[dict], rows: list[dict]) -> dict[str, dict[str, int]]:
    """Integrated stories with the source's own English version, by the story's month and primary
    channel (the report's English table): one per story a translation's original belongs to."""
    primary_of = {it["story_id"]: it for it in vi_items if it["primary"]}
    story_of = {(it["source_id"], it["path"]): it["story_id"] for it in vi_items}
    stories = {
        story_of[(r["translation_of"]["source_id"], r["translation_of"]["path"])]
        for r in rows
        if r["english_kind"] == "translation"
    }
    out: dict[str, dict[str, int]] = {}
    for story_id in stories:
        primary = primary_of[story_id]  # an original is approvable, so its story is integrated
        by_channel = out.setdefault(primary["published_at_local"][:7], {})
        by_channel[primary["source_id"]] = by_channel.get(primary["source_id"], 0) + 1
    return {m: dict(sorted(c.items())) for m, c in sorted(out.items())}


def add_to_manifest(manifest: dict, items: list[EnglishItem]) -> None:
    """English items join ``items`` (staged like any page) and their pairs go to ``english``; the
    truth gains the report's English table and the ambiguous items, which wait for an editor."""
    rows = [manifest_item(it) for it in items]
    vi_items = manifest["items"]
    manifest["items"] = vi_items + rows  # appended: the Vietnamese items keep their order
    expected = manifest["expected"]
    expected["items_total"] = len(manifest["items"])
    expected["stories_total"] = expected.get("stories_total", 0) + len(rows)
    expected["english_source_versions_by_month"] = source_versions_by_month(vi_items, rows)
    expected["waiting_review"] = [
        {"source_id": r["source_id"], "path": r["path"], "reason": "possible_duplicate"}
        for r in sorted(rows, key=lambda r: (r["published_at_local"], r["path"]))
        if r["english_kind"] == "ambiguous"
    ]
    manifest["english"] = {
        "section": SECTION,
        "pairs": [
            {
                "en_path": r["path"],
                "kind": r["english_kind"],
                "vi_source_id": (r["translation_of"] or {}).get("source_id"),
                "vi_path": (r["translation_of"] or {}).get("path"),
            }
            for r in rows
        ],
        "counts": {
            k: sum(1 for r in rows if r["english_kind"] == k) for k in ("translation", "ambiguous", "english_only")
        },
    }
