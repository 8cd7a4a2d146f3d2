"""The article-extraction benchmark's body metric (Scrapinghub/Zyte), as its README states it.

Kept apart from the bench section so a unit test can pin it down on hand-made cases: a metric
that drifts from the published one makes every figure measured with it incomparable.

1. tokens are the Unicode ``\\w+`` matches of a text; shingles are runs of 4 consecutive tokens,
   a text of 1-3 tokens is one shingle and a text without tokens has none;
2. per page, shingles are counted with multiplicity: TP = Σ min(true, predicted), FP = Σ extra
   predicted, FN = Σ missing, the three divided by their sum (long pages weigh no more);
3. precision = mean over pages with TP+FP > 0 of TP/(TP+FP), 1 when FP = FN = 0; recall likewise
   over pages with TP+FN > 0; F1 = 2PR/(P+R) from the two means.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

SHINGLE = 4
_TOKEN = re.compile(r"\w+")  # str patterns are Unicode-aware by default


def shingles(text: str | None, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """Shingles of ``text`` with their multiplicity (a text shorter than ``n`` tokens is one)."""
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def tp_fp_fn(true: str | None, pred: str | None) -> tuple[float, float, float]:
    """One page's (TP, FP, FN), normalised by their sum so every page weighs the same."""
    want, got = shingles(true), shingles(pred)
    tp = sum((want & got).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def _precision(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else tp / (tp + fn)


@dataclass(frozen=True)
class Scores:
    """Mean precision and recall over pages, and the F1 of the two means."""

    f1: float
    precision: float
    recall: float
    pages: int


def score(pages: Iterable[tuple[float, float, float]]) -> Scores:
    """Benchmark scores from per-page ``tp_fp_fn`` triples."""
    triples = list(pages)
    precisions = [_precision(*t) for t in triples if t[0] + t[1] > 0]
    recalls = [_recall(*t) for t in triples if t[0] + t[2] > 0]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(f1=f1, precision=precision, recall=recall, pages=len(triples))


def evaluate(truth: dict[str, str], predicted: dict[str, str]) -> Scores:
    """Scores of ``predicted`` bodies against ``truth`` bodies, both keyed by page id (a page
    missing from ``predicted`` counts as an empty prediction)."""
    return score(tp_fp_fn(truth[key], predicted.get(key, "")) for key in truth)
