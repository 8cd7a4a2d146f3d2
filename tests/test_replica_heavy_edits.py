"""The heavy-edit replica scenario (``portal-replica generate --edits heavy``, issue #15)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from portal_replica import edits, lookalikes
from portal_replica.generator import ScenarioParams, generate, plan
from portal_replica.manifest import load_manifest


@pytest.fixture(scope="module")
def heavy(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("heavy")
    generate(ScenarioParams(edits="heavy"), out)
    return load_manifest(out)


def test_default_scenario_does_not_record_or_change_with_the_edit_model() -> None:
    params = ScenarioParams()
    assert params.edits == "default" and "edits" not in params.as_json()
    default = plan(params)
    assert default.expected["integrated_total_to_target_end"] == 2555
    assert not any(hasattr(it, "edit_kind") or hasattr(it, "family") for it in default.items)
    with pytest.raises(ValueError, match="edits"):
        ScenarioParams(edits="medium")


def test_heavy_scenario_adds_every_edit_kind_and_family_and_counts_them(heavy: dict) -> None:
    truth = heavy["dedup_truth"]
    kinds = Counter(p["kind"] for p in truth["pairs"] if p["same_story"])
    assert set(edits.EDIT_KINDS) <= set(kinds) and min(kinds[k] for k in edits.EDIT_KINDS) >= 50
    non_pairs = Counter(p["kind"] for p in truth["pairs"] if not p["same_story"])
    assert set(lookalikes.FAMILIES) <= set(non_pairs) and non_pairs["merged_other_part"] >= 50
    # every look-alike story is integrated: the target grows by exactly their number
    family_stories = {it["story_id"] for it in heavy["items"]
                      if [it["source_id"], it["path"]] in [f["item"] for f in truth["family_items"]]}  # fmt: skip
    assert heavy["expected"]["integrated_total_to_target_end"] == 2555 + len(family_stories)
    assert heavy["scenario"]["edits"] == "heavy"


def test_heavy_truth_pairs_are_consistent_with_the_stories(heavy: dict) -> None:
    story = {(it["source_id"], it["path"]): it["story_id"] for it in heavy["items"]}
    for pair in heavy["dedup_truth"]["pairs"]:
        a, b = story[tuple(pair["a"])], story[tuple(pair["b"])]
        assert (a == b) == pair["same_story"], pair
        assert pair["a"][0] != pair["b"][0], pair  # dedup compares across channels


def test_heavy_scenario_is_deterministic(tmp_path, heavy: dict) -> None:
    generate(ScenarioParams(edits="heavy"), tmp_path)
    again = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert again["dedup_truth"] == heavy["dedup_truth"]
