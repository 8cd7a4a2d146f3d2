"""Field accuracy of our adapters against the replica's ground truth, per channel and per field.

Fields are compared as tests/test_replica_extraction.py does: title exact after the Ð→Đ fix
(adapters return NFC), publish time equal to the minute, type, section, native id and author
exact (author only where the truth names one). Body text similarity is difflib's
``SequenceMatcher.ratio`` over the comparison words (``normalize.text.comparison_words``: NFC,
lower case, tone placement and punctuation folded) of the extracted body and the generated
paragraphs; reported as the mean and as the share of pages at >= 0.95. trafilatura's body on a
sample of the same pages is the anchor for the mean (scored against the paragraphs, or sapo plus
paragraphs, whichever is closer, because generic extraction keeps the sapo in the body).
Every figure is checked against ``bench/floors.json``.

The check runs on every theme of the replica (docs/replica-contract.md, "Themes"): the same items
and truth rendered in other markup, read by the adapters with ONE registry configuration. Figures
of the ``default`` theme keep their names (``<channel> <field>``); the others are named
``<theme>/<channel> <field>``. Each theme gets the same seeded page sample per channel (quick
mode takes a smaller one of the themes other than default).
"""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

from bench.common import BenchContext, Result, load_floors
from bench.pages import CHANNELS, adapters, load_pages, truth_bodies

SECTION = "accuracy"
THEMES = ("default", "restyled", "bare", "redesign")  # portal_replica.themes.THEME_CHOICES
PAGES = {"quick": 300, "full": None}  # per channel (None: every page); seeded sample, the same for every theme
# quick mode reads fewer pages of the other themes (generic extraction is slower; CI runs quick twice)
QUICK_THEME_PAGES = 150  # per channel, themes other than default
ANCHOR_PAGES = {"quick": 30, "full": 300}  # per channel and theme, for trafilatura's body similarity
MEDIA_TYPES = ("video", "photo", "infographic", "podcast")  # bodies may legitimately be empty
FIELDS = (
    "title exact",
    "published_at minute",
    "item_type",
    "section",
    "native_id",
    "author",
    "body similarity mean",
    "body similarity >= 0.95 share",
)


def similarity(got: str, want: str) -> float:
    """difflib ratio of the two texts' comparison words (1.0 when both are empty)."""
    from portal_etl.normalize.text import comparison_words

    a, b = comparison_words(got), comparison_words(want)
    if a == b:  # the common case, and the only one where difflib is slow to say so
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _checks(got, truth: dict) -> dict[str, bool | None]:
    from datetime import datetime

    from portal_etl.normalize.text import fix_eth

    want_time = datetime.fromisoformat(truth["published_at_local"]).replace(second=0, microsecond=0)
    return {
        "title exact": fix_eth(got.title) == truth["title"],
        "published_at minute": got.published_at.replace(second=0, microsecond=0) == want_time,
        "item_type": got.item_type == truth["item_type"],
        "section": got.section == truth["section"],
        "native_id": got.native_id == truth["native_id"],
        "author": got.author == truth["author"] if truth.get("author") else None,
    }


def result_name(theme: str, channel: str, field: str) -> str:
    """``<channel> <field>`` for the default theme (the names the floors had before themes), else
    ``<theme>/<channel> <field>``."""
    return f"{channel} {field}" if theme == "default" else f"{theme}/{channel} {field}"


def run(ctx: BenchContext) -> list[Result]:
    floors = load_floors()
    adapter = adapters()  # one registry configuration for every theme
    results: list[Result] = []
    for theme in THEMES:
        results += _run_theme(ctx, theme, adapter, floors)
    return results


def _run_theme(ctx: BenchContext, theme: str, adapter: dict, floors: dict[str, float]) -> list[Result]:
    from portal_etl.models import ParseError

    replica = ctx.replica(theme)
    pages = load_pages(replica, QUICK_THEME_PAGES if ctx.quick and theme != "default" else PAGES[ctx.mode])
    bodies = truth_bodies(replica)

    tally: dict[str, dict[str, list[float]]] = {c: {f: [] for f in FIELDS} for c in CHANNELS}
    errors: dict[str, list[str]] = {c: [] for c in CHANNELS}
    for page in pages:
        truth, field_scores = page.truth, tally[page.source_id]
        try:
            got = adapter[page.source_id].parse_article(page.html, page.url)
        except ParseError as exc:  # a page we cannot parse is wrong in every field
            errors[page.source_id].append(f"{truth['path']}: {exc}")
            for name in FIELDS:
                if name != "author" or truth.get("author"):
                    field_scores[name].append(0.0)
            continue
        for name, ok in _checks(got, truth).items():
            if ok is not None:
                field_scores[name].append(1.0 if ok else 0.0)
        if truth["item_type"] in MEDIA_TYPES and not bodies[(page.source_id, truth["path"])]["body"]:
            continue
        sim = similarity(got.body_text, bodies[(page.source_id, truth["path"])]["body"])
        field_scores["body similarity mean"].append(sim)
        field_scores["body similarity >= 0.95 share"].append(1.0 if sim >= 0.95 else 0.0)

    anchor = _trafilatura_body_similarity(replica, bodies, ANCHOR_PAGES[ctx.mode])
    results = []
    for channel in CHANNELS:
        for name in FIELDS:
            scores = tally[channel][name]
            value = sum(scores) / len(scores) if scores else 0.0
            result_id = result_name(theme, channel, name)
            floor = floors.get(f"{SECTION}/{result_id}")
            result = Result(
                section=SECTION,
                name=result_id,
                value=value,
                unit="ratio",
                target=None if floor is None else f">= {floor} (floors.json)",
                met=None if floor is None else value >= floor,
                detail={
                    "theme": theme,
                    "pages": len(scores),
                    "parse_errors": len(errors[channel]),
                    "parse_error_examples": errors[channel][:3],
                },
            )
            if name == "body similarity mean":
                result.anchor, result.anchor_name = anchor[channel]["mean"], "trafilatura body, same metric"
                result.ratio = value / result.anchor if result.anchor else None
                result.detail["anchor_pages"] = anchor[channel]["pages"]
            results.append(result)
    return results


def _trafilatura_body_similarity(replica: Path, bodies: dict, per_channel: int) -> dict[str, dict]:
    """Mean body similarity of trafilatura's extraction on a seeded sample per channel."""
    import trafilatura

    out = {}
    sample = load_pages(replica, per_channel, seed=11)
    for channel in CHANNELS:
        scores = []
        for page in (p for p in sample if p.source_id == channel):
            truth = bodies[(channel, page.truth["path"])]
            if page.truth["item_type"] in MEDIA_TYPES and not truth["body"]:
                continue
            text = trafilatura.extract(page.html, include_comments=False) or ""
            scores.append(
                max(similarity(text, truth["body"]), similarity(text, truth["sapo"] + "\n\n" + truth["body"]))
            )
        out[channel] = {"mean": sum(scores) / len(scores) if scores else 0.0, "pages": len(scores)}
    return out
