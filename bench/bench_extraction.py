"""Extraction speed: our per-site adapters against trafilatura's generic extraction, same pages.

Both get the same decoded HTML in the same process, one core; speed is pages per second of
process CPU time, so another job on the machine slows the wall clock but not the figure much.
The two run in alternating blocks of the same pages, so a burst of load elsewhere (which still
costs CPU time through caches and frequency) falls on both sides of the ratio alike.
"""

from __future__ import annotations

import gc

from bench.common import BenchContext, Result
from bench.pages import CHANNELS, adapters, load_pages

SECTION = "extraction"
TARGET_RATIO = 5.0
QUICK_PAGES = 100  # per channel
# Both extractors run faster once warm (trafilatura by ~40 % after a few hundred pages: regex and
# allocator caches; it keeps no per-document cache with deduplicate=False), so each gets an
# untimed pass over up to WARM_PAGES of the same pages first. That is the whole quick sample.
WARM_PAGES = 200
BLOCK = 25  # pages per alternation


def _interleaved(ctx: BenchContext, ours, generic, pages) -> tuple[float, float, float, float]:
    """(ours CPU, ours wall, generic CPU, generic wall) seconds over ``pages``, timed in alternating blocks."""
    for page in pages[:WARM_PAGES]:
        ours(page)
        generic(page)
    gc.collect()
    sums = [0.0, 0.0, 0.0, 0.0]
    for start in range(0, len(pages), BLOCK):
        block = pages[start:start + BLOCK]
        for slot, fn in ((0, ours), (2, generic)):
            with ctx.timer() as t:
                for page in block:
                    fn(page)
            sums[slot] += t.cpu
            sums[slot + 1] += t.wall
    return sums[0], sums[1], sums[2], sums[3]


def run(ctx: BenchContext) -> list[Result]:
    import trafilatura

    pages = load_pages(ctx.default_replica(), QUICK_PAGES if ctx.quick else None)
    by_channel = {c: [p for p in pages if p.source_id == c] for c in CHANNELS}
    adapter = adapters()

    def ours(page):
        # list_entry/feed_entry only add fallback dates (lazy); every replica page carries its own
        return adapter[page.source_id].parse_article(page.html, page.url)

    def generic(page):
        return trafilatura.extract(page.html, include_comments=False)

    results: list[Result] = []
    totals = {"ours_cpu": 0.0, "ours_wall": 0.0, "traf_cpu": 0.0, "traf_wall": 0.0, "pages": 0}
    for channel, mine in by_channel.items():
        ours_cpu, ours_wall, traf_cpu, traf_wall = _interleaved(ctx, ours, generic, mine)
        totals["ours_cpu"] += ours_cpu
        totals["ours_wall"] += ours_wall
        totals["traf_cpu"] += traf_cpu
        totals["traf_wall"] += traf_wall
        totals["pages"] += len(mine)
        results.append(_result(f"{channel} adapter pages/s per core", len(mine), ours_cpu, ours_wall,
                               traf_cpu, traf_wall))
    results.append(_result("all channels adapter pages/s per core", totals["pages"], totals["ours_cpu"],
                           totals["ours_wall"], totals["traf_cpu"], totals["traf_wall"]))
    return results


def _result(name: str, n: int, ours_cpu: float, ours_wall: float, traf_cpu: float, traf_wall: float) -> Result:
    ours, traf = n / ours_cpu, n / traf_cpu
    ratio = ours / traf
    return Result(
        section=SECTION, name=name, value=ours, unit="pages/s", anchor=traf,
        anchor_name="trafilatura.extract", ratio=ratio, target=f">= {TARGET_RATIO:g}x trafilatura",
        met=ratio >= TARGET_RATIO,
        detail={"pages": n, "ours_cpu_s": round(ours_cpu, 3), "ours_wall_s": round(ours_wall, 3),
                "trafilatura_cpu_s": round(traf_cpu, 3), "trafilatura_wall_s": round(traf_wall, 3),
                "ours_ms_per_page": round(1000 * ours_cpu / n, 3),
                "trafilatura_ms_per_page": round(1000 * traf_cpu / n, 3)},
    )
