"""Extraction speed: our per-site adapters against trafilatura's generic extraction, same pages.

Both get the same decoded HTML in the same process, one core; speed is pages per second of
process CPU time, so another job on the machine slows the wall clock but not the figure much.
The two run in alternating blocks of the same pages, so a burst of load elsewhere (which still
costs CPU time through caches and frequency) falls on both sides of the ratio alike.

The pages are those of every theme of the replica (docs/replica-contract.md, "Themes": same items,
other markup), so the per-channel and overall figures are over all themes; the target (>= 5x
trafilatura's pages/s per core) applies to each. Per-theme figures are in each result's detail.
"""

from __future__ import annotations

import gc
from itertools import chain, zip_longest

from bench.common import BenchContext, Result
from bench.pages import CHANNELS, Page, adapters, load_pages

SECTION = "extraction"
TARGET_RATIO = 5.0
THEMES = ("default", "restyled", "bare", "redesign")  # portal_replica.themes.THEME_CHOICES
QUICK_PAGES = 50  # per channel and theme (200 per channel)
# Both extractors run faster once warm (trafilatura by ~40 % after a few hundred pages: regex and
# allocator caches; it keeps no per-document cache with deduplicate=False), so each gets an
# untimed pass over up to WARM_PAGES of the same pages first, taken from every theme in turn.
# That is the whole quick sample.
WARM_PAGES = 200
BLOCK = 25  # pages per alternation


def _warm(ours, generic, by_theme: dict[str, list[Page]]) -> None:
    """An untimed pass of both extractors over up to WARM_PAGES pages, one theme after another in turn."""
    mixed = [p for p in chain.from_iterable(zip_longest(*by_theme.values())) if p is not None]
    for page in mixed[:WARM_PAGES]:
        ours(page)
        generic(page)
    gc.collect()


def _interleaved(ctx: BenchContext, ours, generic, pages) -> tuple[float, float, float, float]:
    """(ours CPU, ours wall, generic CPU, generic wall) seconds over ``pages``, timed in alternating blocks."""
    sums = [0.0, 0.0, 0.0, 0.0]
    for start in range(0, len(pages), BLOCK):
        block = pages[start : start + BLOCK]
        for slot, fn in ((0, ours), (2, generic)):
            with ctx.timer() as t:
                for page in block:
                    fn(page)
            sums[slot] += t.cpu
            sums[slot + 1] += t.wall
    return sums[0], sums[1], sums[2], sums[3]


def run(ctx: BenchContext) -> list[Result]:
    import trafilatura

    from portal_etl.models import ParseError

    per_theme = QUICK_PAGES if ctx.quick else None
    pages = {theme: load_pages(ctx.replica(theme), per_theme) for theme in THEMES}
    # one registry configuration for every theme; one adapter instance per theme and channel, as
    # each ingest run (one source, one site as it is that month) builds its own: what an adapter
    # learns during a run (adapters/learned.py, stale selectors) stays within it
    adapter = {theme: adapters() for theme in THEMES}
    theme_of = {id(p): theme for theme, theme_pages in pages.items() for p in theme_pages}

    failed: set[tuple[str, str]] = set()  # (source_id, url) the adapter raised ParseError on

    def ours(page):
        # list_entry/feed_entry only add fallback dates (lazy); every replica page carries its own
        try:
            return adapter[theme_of[id(page)]][page.source_id].parse_article(page.html, page.url)
        except ParseError:  # the work was done and the page refused; the accuracy section scores it
            failed.add((page.source_id, page.url))
            return None

    def generic(page):
        return trafilatura.extract(page.html, include_comments=False)

    keys = ("ours_cpu", "ours_wall", "traf_cpu", "traf_wall")
    zero = dict.fromkeys(keys, 0.0)
    results: list[Result] = []
    totals = {**zero, "pages": 0}
    theme_totals = {theme: {**zero, "pages": 0} for theme in THEMES}
    for channel in CHANNELS:
        by_theme = {theme: [p for p in pages[theme] if p.source_id == channel] for theme in THEMES}
        _warm(ours, generic, by_theme)
        sums = {**zero, "pages": 0}
        themes_detail = {}
        for theme, mine in by_theme.items():
            failed.clear()
            measured = dict(zip(keys, _interleaved(ctx, ours, generic, mine), strict=True))
            themes_detail[theme] = {**_theme_detail(len(mine), measured), "parse_errors": len(failed)}
            for acc in (sums, totals, theme_totals[theme]):
                for key in keys:
                    acc[key] += measured[key]
                acc["pages"] += len(mine)
        result = _result(
            f"{channel} adapter pages/s per core",
            sums["pages"],
            sums["ours_cpu"],
            sums["ours_wall"],
            sums["traf_cpu"],
            sums["traf_wall"],
        )
        result.detail["themes"] = themes_detail
        results.append(result)
    result = _result(
        "all channels adapter pages/s per core",
        totals["pages"],
        totals["ours_cpu"],
        totals["ours_wall"],
        totals["traf_cpu"],
        totals["traf_wall"],
    )
    result.detail["themes"] = {theme: _theme_detail(t["pages"], t) for theme, t in theme_totals.items()}
    results.append(result)
    return results


def _theme_detail(n: int, measured: dict[str, float]) -> dict:
    """Pages, both speeds (pages/s per core) and their ratio of one theme's share of the pages."""
    ours = n / measured["ours_cpu"] if measured["ours_cpu"] else 0.0
    traf = n / measured["traf_cpu"] if measured["traf_cpu"] else 0.0
    return {
        "pages": n,
        "ours_pages_s": round(ours, 1),
        "trafilatura_pages_s": round(traf, 1),
        "ratio": round(ours / traf, 2) if traf else None,
    }


def _result(name: str, n: int, ours_cpu: float, ours_wall: float, traf_cpu: float, traf_wall: float) -> Result:
    ours, traf = n / ours_cpu, n / traf_cpu
    ratio = ours / traf
    return Result(
        section=SECTION,
        name=name,
        value=ours,
        unit="pages/s",
        anchor=traf,
        anchor_name="trafilatura.extract",
        ratio=ratio,
        target=f">= {TARGET_RATIO:g}x trafilatura",
        met=ratio >= TARGET_RATIO,
        detail={
            "pages": n,
            "ours_cpu_s": round(ours_cpu, 3),
            "ours_wall_s": round(ours_wall, 3),
            "trafilatura_cpu_s": round(traf_cpu, 3),
            "trafilatura_wall_s": round(traf_wall, 3),
            "ours_ms_per_page": round(1000 * ours_cpu / n, 3),
            "trafilatura_ms_per_page": round(1000 * traf_cpu / n, 3),
        },
    )
