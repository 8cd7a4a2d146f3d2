"""Article-body finding on real pages: our layout-independent finder against trafilatura.

The pages are the public article-extraction benchmark (Scrapinghub/Zyte; real news and blog
pages, mostly English) in ``<repo>/../shared/benchmarks/article-extraction`` or
``$PORTAL_ETL_SHARED_DIR/benchmarks/article-extraction``; the score is that benchmark's own
shingle metric (``bench.body_metric``). Three extractors get the same decoded HTML in the same
process: ``portal_etl.adapters.content`` alone (parse + find + prune + text), trafilatura alone
(``extract(include_comments=False)``, default options) and the chain (our finder, trafilatura
only when our result looks implausible), which also reports how often its fallback fired.
Speed is pages per second of process CPU time; the extractors run in alternating blocks of the
same pages so load elsewhere on the machine falls on all sides alike.
"""

from __future__ import annotations

import gc
import gzip
import json
import os
from collections.abc import Callable
from pathlib import Path

from bench.body_metric import Scores, score, tp_fp_fn
from bench.common import BenchContext, Result

SECTION = "body_real"
DATASET = Path("benchmarks") / "article-extraction"
SHARED_ENV = "PORTAL_ETL_SHARED_DIR"
QUICK_PAGES = 60  # the first pages by id: a fixed subset, so quick runs compare with each other
WARM_PAGES = 10  # untimed pages per extractor first (imports, regex and allocator caches)
BLOCK = 20  # pages per alternation


def dataset_dir(repo: Path) -> Path | None:
    """The benchmark's directory: $PORTAL_ETL_SHARED_DIR/…, else <repo>/../shared/…; None if absent."""
    candidates = []
    if os.environ.get(SHARED_ENV):
        candidates.append(Path(os.environ[SHARED_ENV]) / DATASET)
    candidates.append(repo.parent / "shared" / DATASET)
    for path in candidates:
        if (path / "ground-truth.json").is_file() and (path / "html").is_dir():
            return path
    return None


def load(path: Path, limit: int | None) -> list[tuple[str, str, str]]:
    """``(id, html, true body)`` per page, sorted by id (``limit`` keeps the first ones)."""
    truth = json.loads((path / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        raw = gzip.decompress((path / "html" / f"{key}.html.gz").read_bytes())
        pages.append((key, raw.decode("utf-8", errors="replace"), truth[key].get("articleBody") or ""))
    return pages


def _timed(
    ctx: BenchContext, extractors: dict[str, Callable[[str], str]], pages: list[tuple[str, str, str]]
) -> tuple[dict[str, dict[str, str]], dict[str, float]]:
    """Every extractor's text per page id and its CPU seconds, run in alternating blocks."""
    for fn in extractors.values():
        for _, html, _ in pages[:WARM_PAGES]:
            fn(html)
    gc.collect()
    texts: dict[str, dict[str, str]] = {name: {} for name in extractors}
    cpu = dict.fromkeys(extractors, 0.0)
    for start in range(0, len(pages), BLOCK):
        block = pages[start : start + BLOCK]
        for name, fn in extractors.items():
            out = texts[name]
            with ctx.timer() as t:
                for key, html, _ in block:
                    out[key] = fn(html) or ""
            cpu[name] += t.cpu
    return texts, cpu


def run(ctx: BenchContext) -> list[Result]:
    path = dataset_dir(ctx.repo)
    if path is None:
        reason = (
            f"article-extraction benchmark not found (set {SHARED_ENV} or put it in "
            f"{ctx.repo.parent / 'shared' / DATASET}); section skipped"
        )
        print(f"bench: {SECTION}: {reason}", flush=True)
        return [
            Result(section=SECTION, name="skipped: dataset absent", value=0, unit="pages", detail={"skipped": reason})
        ]

    import lxml.html
    import trafilatura

    from portal_etl.adapters.content import main_text, main_text_with_fallback

    pages = load(path, QUICK_PAGES if ctx.quick else None)
    truth = {key: body for key, _, body in pages}
    methods: dict[str, str] = {}

    def ours(html: str) -> str:
        return main_text(lxml.html.document_fromstring(html))

    def generic(html: str) -> str:
        return trafilatura.extract(html, include_comments=False) or ""

    def chain(html: str) -> str:
        text, method = main_text_with_fallback(html)
        methods[html] = method
        return text

    extractors: dict[str, Callable[[str], str]] = {"ours": ours, "trafilatura": generic, "chain": chain}
    if not ctx.quick:  # trafilatura's other two settings, for the record
        extractors["trafilatura favor_precision"] = lambda html: (
            trafilatura.extract(html, include_comments=False, favor_precision=True) or ""
        )
        extractors["trafilatura favor_recall"] = lambda html: (
            trafilatura.extract(html, include_comments=False, favor_recall=True) or ""
        )
    texts, cpu = _timed(ctx, extractors, pages)
    scores = {name: score(tp_fp_fn(truth[key], out[key]) for key in truth) for name, out in texts.items()}
    fallbacks = sum(1 for _, html, _ in pages if methods.get(html) == "trafilatura")

    n = len(pages)
    anchor = scores["trafilatura"]
    speed = {name: n / max(seconds, 1e-9) for name, seconds in cpu.items()}
    results = []
    for name, label in (("ours", "density finder"), ("chain", "finder + trafilatura fallback")):
        results += _accuracy(label, scores[name], anchor, n)
        results.append(
            Result(
                section=SECTION,
                name=f"{label} pages/s per core",
                value=speed[name],
                unit="pages/s",
                anchor=speed["trafilatura"],
                anchor_name="trafilatura.extract",
                ratio=speed[name] / speed["trafilatura"],
                target=None,
                met=None,
                detail={
                    "pages": n,
                    "cpu_s": round(cpu[name], 3),
                    "trafilatura_cpu_s": round(cpu["trafilatura"], 3),
                    "ms_per_page": round(1000 * cpu[name] / n, 3),
                },
            )
        )
    results.append(
        Result(
            section=SECTION,
            name="chain fallback share",
            value=fallbacks / n,
            unit="share of pages",
            detail={"pages": n, "fallbacks": fallbacks},
        )
    )
    for name in (key for key in extractors if key == "trafilatura" or key.startswith("trafilatura ")):
        s = scores[name]
        results.append(
            Result(
                section=SECTION,
                name=f"{name} F1",
                value=s.f1,
                unit="F1",
                detail={
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "pages": n,
                    "pages_per_cpu_s": round(speed[name], 1),
                },
            )
        )
    return results


def _accuracy(label: str, mine: Scores, anchor: Scores, pages: int) -> list[Result]:
    out = []
    for metric in ("f1", "precision", "recall"):
        value, ref = getattr(mine, metric), getattr(anchor, metric)
        is_f1 = metric == "f1"
        out.append(
            Result(
                section=SECTION,
                name=f"{label} {'F1' if is_f1 else metric}",
                value=value,
                unit="F1" if is_f1 else metric,
                anchor=ref,
                anchor_name="trafilatura.extract",
                ratio=value / ref if ref else None,
                target=">= trafilatura" if is_f1 else None,
                met=value >= ref if is_f1 else None,
                detail={"pages": pages},
            )
        )
    return out
