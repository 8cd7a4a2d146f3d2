"""Extra NukeViet-style sites for the replica: many sources, so scaling out to the portal's
sub-sites is tested offline.

The national portal integrates 102 sub-sites. ``add_provincial_sites`` adds one replica site
per extra registry entry (adapter ``nukeviet``) to an already generated scenario: a few items a
month, each its own story (no cross-site copies, so every approvable item is integrated), drawn
by the generator's own planner and rendered by the NukeViet renderer, so the pages, pager,
feeds and robots.txt are those the adapter meets on the real provincial sites. The items join
``manifest.json`` (their source ids are the entries' ids), and the manifest's ``expected``
figures grow by them. Deterministic: the same ids, months and seed give the same bytes.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

from portal_etl.normalize import title_key
from portal_etl.registry import Registry
from portal_replica import render_nukeviet
from portal_replica.common import ROUTES_SUFFIX
from portal_replica.planner import Planner, assign_ids, month_iter
from portal_replica.scenario import ScenarioParams
from portal_replica.truth import derive, manifest_item

ITEMS_PER_MONTH = 4  # small sub-sites publish a handful of items a month; enough to show yield


def add_provincial_sites(
    out_dir: Path,
    registry: Registry,
    source_ids: list[str],
    first_month: str,
    last_month: str,
    *,
    items_per_month: int = ITEMS_PER_MONTH,
    seed: int = 20240528,
) -> dict[str, int]:
    """Render ``source_ids`` (NukeViet entries of ``registry``) into ``out_dir``; integrated per month."""
    out_dir = Path(out_dir)
    manifest_path = out_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    params = ScenarioParams(**manifest["scenario"])
    first = date.fromisoformat(f"{first_month}-01")
    last_y, last_m = (int(x) for x in last_month.split("-"))
    last = date(last_y + last_m // 12, last_m % 12 + 1, 1) - timedelta(days=1)
    if not params.start <= first <= last <= params.end:
        raise ValueError(f"months {first_month}..{last_month} are outside the scenario {params.start}..{params.end}")
    for sid in source_ids:
        if registry.get(sid).adapter != "nukeviet":
            raise ValueError(f"{sid}: provincial replica sites are NukeViet sites")

    planner = Planner(params, registry)
    planner.rng = random.Random(f"replica-provincial-{seed}")
    planner.sources = {sid: registry.get(sid) for sid in source_ids}
    taken = {title_key(it["title"]) for it in manifest["items"]}
    for sid in source_ids:
        n = 0
        for y, m in month_iter(first, last):
            days = [d for d in range(1, 29) if first <= date(y, m, d) <= last]
            for k in range(items_per_month):
                when = planner.day_time(date(y, m, planner.rng.choice(days)))
                # the last item of a month goes to a section the portal does not integrate
                integrate = k < items_per_month - 1 or items_per_month == 1
                section = planner.pick_section(sid, integrate, text_only=True)
                n += 1
                # Each item is its own story, so its headline must be one no item of the scenario
                # has: the planner's TextGen keeps its own draws distinct, but it is a fresh one and
                # knows nothing of the channels' stories. A provincial item that got the headline
                # of a channel's story of the same days is rightly merged by the pipeline
                # (``same_title_cross_channel``) while the manifest counted two stories (2 of 297
                # in the 102-source April before this check).
                while True:
                    content, infographic = planner.make_content(sid, section, when)
                    if title_key(content.title) not in taken:
                        break
                planner.make_item(sid, section, when, f"{sid}-{n:04d}", content=content, infographic=infographic)
    items = planner.items
    assign_ids(items, registry, random.Random(f"replica-provincial-ids-{seed}"))
    window0 = datetime.combine(params.window_start, time(0, 0))
    for item in items:
        derive(item, registry.get(item.source_id), window0)
        item.primary = item.approvable  # one item per story
    items.sort(key=lambda it: (it.published, it.source_id, it.path))

    sites = out_dir / "sites"
    offset0 = len(manifest["sources"])
    for index, sid in enumerate(source_ids):
        source = registry.get(sid)
        routes = render_nukeviet.render_site(source, [it for it in items if it.source_id == sid], params, sites / sid)
        routes.update(source_id=sid, adapter=source.adapter, port_offset=offset0 + index)
        (sites / f"{sid}{ROUTES_SUFFIX}").write_text(
            json.dumps(routes, ensure_ascii=False, sort_keys=True), encoding="utf-8"
        )
        manifest["sources"][sid] = {"port_offset": offset0 + index, "adapter": source.adapter}

    by_month: dict[str, int] = {}
    for item in items:
        if item.primary:
            month = item.published.strftime("%Y-%m")
            by_month[month] = by_month.get(month, 0) + 1
    manifest["items"].extend(manifest_item(it) for it in items)
    expected = manifest["expected"]
    for month, count in by_month.items():
        expected["integrated_by_month"][month] = expected["integrated_by_month"].get(month, 0) + count
    expected["integrated_by_month"] = dict(sorted(expected["integrated_by_month"].items()))
    expected["integrated_total"] += sum(by_month.values())
    counted = [it for it in items if it.primary and params.window_start <= it.published.date() <= params.target_end]
    expected["integrated_total_to_target_end"] += len(counted)
    for it in counted:
        by_source = expected["integrated_by_source_to_target_end"]
        by_source[it.source_id] = by_source.get(it.source_id, 0) + 1
    expected["stories_total"] += len(items)
    expected["items_total"] += len(items)
    manifest["provincial"] = {
        "source_ids": list(source_ids),
        "months": [first_month, last_month],
        "items_per_month": items_per_month,
        "integrated_by_month": by_month,
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return by_month
