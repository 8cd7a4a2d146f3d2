"""Deterministic generator of the offline replica of the three Đồng Nai channels.

``plan(params)`` builds every item in memory and computes the truth with the contract's rules
(docs/replica-contract.md, "Items, stories and the default policy"); ``generate(params, out)``
renders the pages under ``out/sites/<source_id>/`` and writes ``out/manifest.json``.

The construction guarantees the target: every *planned* story has exactly one approvable item
at its planned time inside [window_start, target_end + 1 day); its other items are either later
(republications, possibly tied to the minute) or not approvable (earlier stubs, non-integrated
sections, before the window). Noise stories (before the window, non-integrated sections, too
short) have no approvable item at all. The truth is nevertheless recomputed from the items by
the generic rule and checked against the target, so a construction bug fails loudly.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from datetime import datetime, time
from pathlib import Path

from portal_etl.registry import Registry, load_registry
from portal_etl.registry.loader import ENV_OVERRIDES
from portal_replica import edits, english, render_bdn, render_nukeviet
from portal_replica.common import CHANNEL_ORDER, ROUTES_SUFFIX
from portal_replica.planner import Planner, assign_ids
from portal_replica.scenario import QUIRK_ORDER, Scenario, ScenarioParams
from portal_replica.truth import compute_truth, derive, manifest_item

# the names callers use (tests, bench, the command): the parameters, the planned truth, the files
__all__ = ["QUIRK_ORDER", "Scenario", "ScenarioParams", "compute_truth", "generate", "manifest_item", "plan"]


def _registry() -> Registry:
    """The registry's sections; an overrides file (URLs only) is deliberately ignored."""
    saved = os.environ.pop(ENV_OVERRIDES, None)
    try:
        return load_registry()
    finally:
        if saved is not None:
            os.environ[ENV_OVERRIDES] = saved


def plan(params: ScenarioParams | None = None, registry: Registry | None = None) -> Scenario:
    """Build every item and the truth in memory (no files)."""
    params = params or ScenarioParams()
    registry = registry or _registry()
    planner = Planner(params, registry)
    planner.plan()
    added = edits.plan_heavy(planner) if params.edits == "heavy" else 0  # look-alike stories
    items = planner.items
    assign_ids(items, registry, random.Random(f"replica-ids-{params.seed}"))
    window0 = datetime.combine(params.window_start, time(0, 0))
    for item in items:
        derive(item, registry.get(item.source_id), window0)
    items.sort(key=lambda it: (it.published, CHANNEL_ORDER.index(it.source_id), it.path))
    expected = compute_truth(items, params)
    target = round(params.target_integrated * params.scale) + added
    if expected["integrated_total_to_target_end"] != target:  # pragma: no cover
        raise RuntimeError(
            f"replica generator bug: {expected['integrated_total_to_target_end']} integrated stories, target {target}"
        )
    sources = {
        sid: {"port_offset": i, "adapter": registry.get(sid).adapter}
        for i, sid in enumerate(CHANNEL_ORDER)
        if sid in registry.ids
    }
    return Scenario(params, registry, items, expected, sources)


def generate(params: ScenarioParams, out_dir: Path) -> dict:
    """Write ``out_dir/sites/<source_id>/…`` and ``out_dir/manifest.json``; return ``expected``."""
    scenario = plan(params)
    out_dir = Path(out_dir)
    sites = out_dir / "sites"
    if sites.exists():  # pages of an earlier scenario must not survive into this one
        shutil.rmtree(sites)
    sites.mkdir(parents=True)
    english_items = english.plan_english(scenario) if scenario.params.english else []
    for sid, meta in scenario.sources.items():
        source = scenario.registry.get(sid)
        its = [it for it in scenario.items if it.source_id == sid]
        renderer = render_nukeviet if source.adapter == "nukeviet" else render_bdn
        routes = renderer.render_site(source, its, scenario.params, sites / sid)
        if sid == english.SOURCE_ID:  # the real site always has the section; without the flag it is empty
            english.render_english(source, english_items, scenario.params, sites / sid, routes)
        routes["source_id"] = sid
        routes["adapter"] = source.adapter
        routes["port_offset"] = meta["port_offset"]
        (sites / f"{sid}{ROUTES_SUFFIX}").write_text(
            json.dumps(routes, ensure_ascii=False, sort_keys=True), encoding="utf-8"
        )
    manifest = {
        "scenario": scenario.params.as_json(),
        "sources": scenario.sources,
        "items": [manifest_item(it) for it in scenario.items],
        "expected": scenario.expected,
    }
    if english_items:
        english.add_to_manifest(manifest, english_items)
    if scenario.params.edits == "heavy":
        edits.add_to_manifest(manifest, scenario.items)
    text = json.dumps(manifest, ensure_ascii=False, indent=1)
    (out_dir / "manifest.json").write_text(text + "\n", encoding="utf-8")
    return scenario.expected
