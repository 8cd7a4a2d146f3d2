"""The benchmark metric in bench/body_metric.py matches the article-extraction benchmark's README."""

from __future__ import annotations

import pytest

from bench.body_metric import evaluate, score, shingles, tp_fp_fn


def test_identical_texts_score_one() -> None:
    text = "Ngày 5/6, UBND tỉnh Đồng Nai tổ chức hội nghị tổng kết công tác năm."
    assert tp_fp_fn(text, text) == (1.0, 0.0, 0.0)
    got = evaluate({"a": text}, {"a": text})
    assert (got.f1, got.precision, got.recall) == (1.0, 1.0, 1.0)


def test_disjoint_texts_score_zero() -> None:
    tp, fp, fn = tp_fp_fn("one two three four five", "six seven eight nine ten")
    assert tp == 0 and fp == pytest.approx(0.5) and fn == pytest.approx(0.5)
    assert evaluate({"a": "one two three four five"}, {"a": "six seven eight nine ten"}).f1 == 0.0


def test_shingles_are_counted_with_multiplicity() -> None:
    assert shingles("a b c d a b c d")[("a", "b", "c", "d")] == 2
    # the prediction repeats the text: 9 shingles, the 3 true ones once each (a second copy of a
    # true shingle is a false positive, not a match), 3 at the seam and 3 repeats extra
    tp, fp, fn = tp_fp_fn("w x y z q r", "w x y z q r w x y z q r")
    assert (tp, fp, fn) == pytest.approx((3 / 9, 6 / 9, 0.0))
    # and a truth that says a shingle twice needs it twice
    assert tp_fp_fn("a b c d a b c d", "a b c d") == pytest.approx((1 / 5, 0.0, 4 / 5))


def test_short_text_is_one_shingle_and_empty_text_none() -> None:
    assert shingles("Hello, world!") == {("Hello", "world"): 1}
    assert shingles("  ... ") == {}
    assert tp_fp_fn("Hello world", "Hello world") == (1.0, 0.0, 0.0)
    assert tp_fp_fn("Hello world", "Hello there") == (0.0, 0.5, 0.5)


def test_tokens_are_unicode_words() -> None:
    assert shingles("Bình luận—tin_mới 2024") == {("Bình", "luận", "tin_mới", "2024"): 1}


def test_means_skip_pages_without_prediction_or_truth() -> None:
    # page b predicts nothing: no precision term (TP+FP = 0) but recall 0; page c both empty
    pages = [tp_fp_fn("a b c d e", "a b c d e"), tp_fp_fn("a b c d e", ""), tp_fp_fn("", "")]
    got = score(pages)
    assert got.precision == 1.0
    assert got.recall == pytest.approx(0.5)
    assert got.f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)


def test_partial_overlap_is_normalised_per_page() -> None:
    true = "one two three four five six"  # 3 shingles
    pred = "one two three four five six seven"  # 4 shingles, 3 of them true
    tp, fp, fn = tp_fp_fn(true, pred)
    assert (tp, fp, fn) == pytest.approx((0.75, 0.25, 0.0))
    long_page = tp_fp_fn(true * 50, pred * 50)
    assert sum(long_page) == pytest.approx(1.0)
