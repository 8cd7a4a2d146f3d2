"""Stage 2 — layered, incremental, order-independent deduplication into stories.

For every queued item the edges to all other normalised items are recomputed:

1. ``same_url`` (equal ``url_key``) or ``same_native_id`` (equal ``native_key``, per channel);
2. ``same_title_day`` (equal ``title_day_key``: channel + normalised title + local day), and
   ``same_title_cross_channel``: the same normalised title of at least TITLE_MIN_WORDS words on
   another channel within TITLE_WINDOW — a short stub and the full article republished under
   one headline share too few body shingles for layer 3 to see them;
   ``same_lead_cross_channel``: the same lead (``lead_key``, at least LEAD_MIN_WORDS words) on
   another channel within TITLE_WINDOW, when one of the two is a stub (under STUB_MAX_WORDS body
   words) and one headline's words are all in the other's — the stub republished with a place
   name added to or dropped from its headline. Two full articles that share a lead are left to
   layer 3: the same press-release lead opens different articles about one event;
3. across channels, LSH candidates (a shared band key, published within ±7 days of each other)
   compared by ``jaccard_estimate``: ≥ DUP_THRESHOLD ⇒ ``near_duplicate``, in
   [REVIEW_THRESHOLD, DUP_THRESHOLD) ⇒ ``review_grey_zone`` (never merges);
4. the details (:func:`judge_details`, ``dedup.details``) of layer 3's pairs and of the same
   headline across channels: texts that differ mainly in dates, numbers or places are
   ``distinct_details`` (never merges: recurring items such as monthly notices or one meeting in
   each district); a pair the details half explain goes to review; a shortened copy inside its
   original merges as ``contained_copy``.

An edge depends only on its two items, so the edge set — and the stories, the connected
components of the merging edges — are the same whatever order the items arrive in. A story's
key is the smallest ``member_key`` of its items, a function of the component alone; when a
batch joins or splits components, every affected item is re-keyed and queued for the load.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from psycopg2.extras import execute_values

from portal_etl.dedup import classify, deserialize, jaccard_estimate
from portal_etl.dedup.details import CONTAINED_MIN_SIMILARITY, Profile, compare_profiles, quick_verdict
from portal_etl.dedup.details import verdict as detail_verdict
from portal_etl.faults import failpoint
from portal_etl.pipeline.process.common import (
    interval_items,
    mark_pending,
    take_pending,
)
from portal_etl.vocabulary import MERGING_REASONS, POLICY

log = logging.getLogger("portal_etl.process.dedup")

LSH_WINDOW = timedelta(days=7)
# process.lsh_band.band_week (sql/017) buckets publish times by 7 days; the look-up reads the
# item's bucket and its two neighbours, which holds every time within one bucket width
BAND_WEEK = timedelta(days=7)
assert LSH_WINDOW <= BAND_WEEK, "widen the band_week look-up (dedup_stage layer 3) with the window"
# Republications follow within two days; a week-old identical headline is more likely a
# recurring one ("Bản tin ...") than the same story.
TITLE_WINDOW = timedelta(days=2)
# Shorter titles ("Thông báo", "Video clip") recur across unrelated stories.
TITLE_MIN_WORDS = 6
# A body under 80 words is a stub (the registry's default approval.min_words: too short to
# publish). Against a full article its few shingles stay far below REVIEW_THRESHOLD even when all
# of them are shared (Jaccard ≤ |stub| / |article|: ~0.2 for 50 words inside 400), so layer 3
# cannot judge it and the lead does; between two longer items the bodies decide.
STUB_MAX_WORDS = 80
_EXACT_LAYERS = (("url_key", "same_url"), ("native_key", "same_native_id"), ("title_day_key", "same_title_day"))
_LAYER_RANK = {
    "same_url": 0,
    "same_native_id": 1,
    "same_title_day": 2,
    "same_title_cross_channel": 3,
    "same_lead_cross_channel": 4,
    "near_duplicate": 5,
    "contained_copy": 6,
    "review_grey_zone": 7,
    "distinct_details": 8,
}
# layers whose proposal the details may overturn (layer 4); the exact keys and the same lead are
# left as they are: one channel's own id, URL or headline of one day is one item
JUDGED_REASONS = ("same_title_cross_channel",)

Edge = tuple[int, int]


def _pair(a: int, b: int) -> Edge:
    return (a, b) if a < b else (b, a)


def compute_edges(cur, items: set[int]) -> dict[Edge, tuple[str, float | None]]:
    """Edges (reason, similarity) between ``items`` and every normalised item."""
    if not items:
        return {}
    ids = sorted(items)
    # No JIT for these look-ups: once the band table is large (about 300k items) the planner's
    # cost estimate passes jit_above_cost and each batch's LSH join spends 0.15–0.5 s compiling
    # what runs in 0.3 s (bench dedup, full-dedup-jit.json). The setting ends with the transaction.
    cur.execute("SET LOCAL jit = off")
    cur.execute(
        """SELECT item_id, source_id, url_key, native_key, title_day_key FROM process.normalized_item
            WHERE item_id = ANY(%s)""",
        (ids,),
    )
    mine = cur.fetchall()
    keys = {
        col: sorted({row[i] for row in mine if row[i]})
        for i, col in ((2, "url_key"), (3, "native_key"), (4, "title_day_key"))
    }
    reasons: dict[Edge, str] = {}

    def offer(a: int, b: int, reason: str) -> None:
        pair = _pair(a, b)
        if pair not in reasons or _LAYER_RANK[reason] < _LAYER_RANK[reasons[pair]]:
            reasons[pair] = reason

    # layers 1–2: exact keys (index look-ups of the batch's keys only)
    cur.execute(
        """SELECT item_id, url_key, native_key, title_day_key FROM process.normalized_item
            WHERE url_key = ANY(%(u)s) OR native_key = ANY(%(n)s) OR title_day_key = ANY(%(t)s)""",
        {"u": keys["url_key"], "n": keys["native_key"], "t": keys["title_day_key"]},
    )
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for item_id, u, n, t in cur.fetchall():
        for value, (_, reason) in zip((u, n, t), _EXACT_LAYERS, strict=True):
            if value:
                groups[(reason, value)].append(item_id)
    for (reason, _), members in groups.items():
        for a in members:
            if a not in items:
                continue
            for b in members:
                if b != a:
                    offer(a, b, reason)

    # layer 2b: the same long title on another channel, published close in time
    cur.execute(
        """SELECT DISTINCT p.item_id, o.item_id
             FROM process.normalized_item p
             JOIN process.normalized_item o
               ON o.title_key = p.title_key
              AND o.source_id <> p.source_id
              AND o.published_at BETWEEN p.published_at - %(w)s AND p.published_at + %(w)s
            WHERE p.item_id = ANY(%(ids)s)
              AND array_length(regexp_split_to_array(p.title_key, '\\s+'), 1) >= %(min_words)s""",
        {"ids": ids, "w": TITLE_WINDOW, "min_words": TITLE_MIN_WORDS},
    )
    for a, b in cur.fetchall():
        offer(a, b, "same_title_cross_channel")

    # layer 2c: the same lead on another channel, published close in time, for a stub whose
    # headline lost or gained words (all of the shorter headline's words in the longer one)
    cur.execute(
        """SELECT DISTINCT p.item_id, o.item_id
             FROM process.normalized_item p
             JOIN process.normalized_item o
               ON o.lead_key = p.lead_key
              AND o.source_id <> p.source_id
              AND o.published_at BETWEEN p.published_at - %(w)s AND p.published_at + %(w)s
            WHERE p.item_id = ANY(%(ids)s)
              AND p.lead_key IS NOT NULL
              AND least(p.word_count, o.word_count) < %(stub)s
              AND least(cardinality(string_to_array(p.title_key, ' ')),
                        cardinality(string_to_array(o.title_key, ' '))) >= %(min_words)s
              AND (   string_to_array(p.title_key, ' ') <@ string_to_array(o.title_key, ' ')
                   OR string_to_array(o.title_key, ' ') <@ string_to_array(p.title_key, ' '))""",
        {"ids": ids, "w": TITLE_WINDOW, "stub": STUB_MAX_WORDS, "min_words": TITLE_MIN_WORDS},
    )
    for a, b in cur.fetchall():
        offer(a, b, "same_lead_cross_channel")

    # layer 3: LSH candidates across channels, within the publish-time window; the index leads
    # with the publish week (sql/017), so each band is three look-ups into the recent weeks' part
    cur.execute(
        """SELECT DISTINCT p.item_id, o.item_id
             FROM process.lsh_band p
             JOIN process.lsh_band o
               ON o.band_week = ANY(ARRAY[p.band_week - 1, p.band_week, p.band_week + 1])
              AND o.band_key = p.band_key
              AND o.published_at BETWEEN p.published_at - %(w)s AND p.published_at + %(w)s
              AND o.source_id <> p.source_id
            WHERE p.item_id = ANY(%(ids)s)""",
        {"ids": ids, "w": LSH_WINDOW},
    )
    candidates = {_pair(a, b) for a, b in cur.fetchall()}

    pairs = set(reasons) | candidates
    needed = sorted({i for pair in pairs for i in pair})
    cur.execute("SELECT item_id, signature FROM process.normalized_item WHERE item_id = ANY(%s)", (needed,))
    sigs = {item_id: deserialize(sig) for item_id, sig in cur.fetchall()}
    edges: dict[Edge, tuple[str, float | None]] = {}
    judged: list[tuple[Edge, str | None, float]] = []
    for pair in sorted(pairs):
        if pair[0] not in sigs or pair[1] not in sigs:
            continue  # band rows of an item deleted from staging outright
        sim = jaccard_estimate(sigs[pair[0]], sigs[pair[1]])
        reason = reasons.get(pair)
        if reason is None or reason in JUDGED_REASONS:
            judged.append((pair, reason, sim))
            continue
        edges[pair] = (reason, sim)
    edges.update(judge_details(cur, judged))
    return edges


def judge_details(cur, judged: list[tuple[Edge, str | None, float]]) -> dict[Edge, tuple[str, float | None]]:
    """Layer 4: what differs between the similar pairs. MinHash (or a shared headline) proposes;
    the details (``dedup.details``) may veto (``distinct_details``: the texts differ mainly in
    dates, numbers or places — a look-alike of a recurring item), send the pair to a person
    when the two disagree (``review_grey_zone``), or merge a shortened copy that MinHash puts
    in the grey zone (``contained_copy``). Texts are read only for pairs with a similarity
    worth judging."""
    worth = [(pair, reason, sim) for pair, reason, sim in judged
             if reason is not None or sim >= CONTAINED_MIN_SIMILARITY]  # fmt: skip
    if not worth:
        return {}
    ids = sorted({i for pair, _, _ in worth for i in pair})
    cur.execute(
        "SELECT item_id, title_clean, sapo_clean, body_text_clean FROM process.normalized_item WHERE item_id = ANY(%s)",
        (ids,),
    )
    profiles = {
        item_id: Profile(title, "\n".join(p for p in (title, sapo, body) if p))
        for item_id, title, sapo, body in cur.fetchall()
    }
    edges: dict[Edge, tuple[str, float | None]] = {}
    for pair, reason, sim in worth:
        if reason is None:
            verdict = classify(sim)
            reason = {"duplicate": "near_duplicate", "review": "review_grey_zone"}.get(verdict)
        a, b = profiles.get(pair[0]), profiles.get(pair[1])
        if a is None or b is None:
            if reason is not None:
                edges[pair] = (reason, sim)
            continue
        details = quick_verdict(a, b, sim) or detail_verdict(compare_profiles(a, b))
        if details == "distinct" and reason is not None:  # recorded where a layer proposed a merge or review
            reason = "distinct_details"
        elif details == "review" and reason is not None:
            reason = "review_grey_zone"  # the layers disagree: a person decides
        elif details == "contained" and reason in (None, "review_grey_zone"):
            reason = "contained_copy"
        if reason is not None:
            edges[pair] = (reason, sim)
    return edges


def _edges_touching(cur, items: Iterable[int]) -> list[tuple[int, int, str, float | None, str | None]]:
    ids = sorted(set(items))
    if not ids:
        return []
    cur.execute(
        """SELECT item_a, item_b, reason, similarity, created_by FROM process.dup_edge
            WHERE item_a = ANY(%(ids)s) OR item_b = ANY(%(ids)s)""",
        {"ids": ids},
    )
    return cur.fetchall()


def components(cur, seeds: set[int]) -> list[set[int]]:
    """Connected components (over merging edges) of the seed items, found by breadth-first
    expansion through the edge index: the cost is the size of the touched components."""
    parent: dict[int, int] = {s: s for s in seeds}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    frontier = set(seeds)
    while frontier:
        cur.execute(
            """SELECT item_a, item_b FROM process.dup_edge
                WHERE reason = ANY(%(m)s) AND (item_a = ANY(%(f)s) OR item_b = ANY(%(f)s))""",
            {"m": list(MERGING_REASONS), "f": sorted(frontier)},
        )
        new: set[int] = set()
        for a, b in cur.fetchall():
            for x in (a, b):
                if x not in parent:
                    parent[x] = x
                    new.add(x)
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
        frontier = new
    groups: dict[int, set[int]] = defaultdict(set)
    for x in parent:
        groups[find(x)].add(x)
    return list(groups.values())


def rekey(cur, seeds: set[int]) -> tuple[set[int], set[int]]:
    """Recompute the components of ``seeds`` and write changed story keys.

    Returns (all items of the touched components, items whose key changed)."""
    if not seeds:
        return set(), set()
    comps = components(cur, seeds)
    members = sorted({i for comp in comps for i in comp})
    cur.execute(
        """SELECT n.item_id, n.member_key, s.story_key FROM process.normalized_item n
             LEFT JOIN process.item_story s USING (item_id) WHERE n.item_id = ANY(%s)""",
        (members,),
    )
    info = {item_id: (mk, sk) for item_id, mk, sk in cur.fetchall()}
    changed: list[tuple[int, str]] = []
    for comp in comps:
        key = min(info[i][0] for i in comp)
        changed.extend((i, key) for i in sorted(comp) if info[i][1] != key)
    if changed:
        execute_values(
            cur,
            """INSERT INTO process.item_story (item_id, story_key) VALUES %s
               ON CONFLICT (item_id) DO UPDATE SET story_key = EXCLUDED.story_key, updated_at = now()""",
            changed,
            page_size=1000,
        )
    return set(members), {i for i, _ in changed}


def dedup_items(cur, items: set[int]) -> dict[str, int]:
    """Recompute the edges of ``items`` (queued by normalisation or a reviewer), re-key the
    touched stories and queue what the policy and the load must look at again."""
    if not items:
        return {"dedup_items": 0, "edges_added": 0, "edges_removed": 0, "items_rekeyed": 0, "items_withdrawn": 0}
    ids = sorted(items)
    cur.execute(
        """SELECT n.item_id FROM process.normalized_item n JOIN staging.item i USING (item_id)
            WHERE n.item_id = ANY(%s) AND i.status = 'staged'""",
        (ids,),
    )
    present = {row[0] for row in cur.fetchall()}
    withdrawn = items - present

    old_edges = _edges_touching(cur, items)
    old_neighbours = {x for a, b, *_ in old_edges for x in (a, b)}
    cur.execute(
        """SELECT s2.item_id FROM process.item_story s1
             JOIN process.item_story s2 ON s2.story_key = s1.story_key
            WHERE s1.item_id = ANY(%s)""",
        (ids,),
    )
    old_comembers = {row[0] for row in cur.fetchall()}

    removed_edges = 0
    if withdrawn:
        gone = sorted(withdrawn)
        # cascades to dup_edge and item_story
        cur.execute("DELETE FROM process.lsh_band WHERE item_id = ANY(%s)", (gone,))
        cur.execute("DELETE FROM process.normalized_item WHERE item_id = ANY(%s)", (gone,))
        cur.execute("DELETE FROM process.decision WHERE item_id = ANY(%s) AND decided_by = %s", (gone, POLICY))
        removed_edges += sum(1 for a, b, *_ in old_edges if a in withdrawn or b in withdrawn)

    new_edges = compute_edges(cur, present)
    existing = {
        (a, b): (reason, sim, by) for a, b, reason, sim, by in old_edges if a not in withdrawn and b not in withdrawn
    }
    to_delete = [
        pair for pair, (reason, sim, by) in existing.items()
        if by is None and new_edges.get(pair) != (reason, sim)
    ]  # fmt: skip
    to_insert = [
        (a, b, reason, sim) for (a, b), (reason, sim) in sorted(new_edges.items())
        if (a, b) not in existing or (existing[(a, b)][2] is None and existing[(a, b)][:2] != (reason, sim))
    ]  # fmt: skip
    if to_delete:
        execute_values(
            cur,
            "DELETE FROM process.dup_edge e USING (VALUES %s) AS d(a, b) WHERE e.item_a = d.a AND e.item_b = d.b",
            to_delete,
            page_size=1000,
        )
    if to_insert:
        execute_values(
            cur,
            """INSERT INTO process.dup_edge (item_a, item_b, reason, similarity) VALUES %s
               ON CONFLICT (item_a, item_b) DO NOTHING""",
            to_insert,
            page_size=1000,
        )
    new_neighbours = {x for pair in new_edges for x in pair}
    seeds = (present | old_neighbours | old_comembers | new_neighbours) - withdrawn
    members, rekeyed = rekey(cur, seeds)

    # the policy looks at grey-zone partners and whether they share the story
    grey = _edges_touching(cur, members)
    policy_items = members | {x for a, b, reason, *_ in grey if reason == "review_grey_zone" for x in (a, b)}
    mark_pending(cur, "policy", policy_items)
    mark_pending(cur, "load", present | withdrawn | rekeyed)
    failpoint("process.dedup")  # fault tests: killed inside the dedup transaction
    counts = {
        "dedup_items": len(items),
        "edges_added": len(to_insert),
        "edges_removed": len(to_delete) + removed_edges,
        "items_rekeyed": len(rekeyed),
        "items_withdrawn": len(withdrawn),
    }
    log.info("dedup: %s", counts)
    return counts


def deduplicate_in(cur, start: datetime | None, end: datetime | None) -> dict[str, int]:
    items = take_pending(cur, "dedup")
    if start is not None and end is not None:
        # defensive: items of the interval that never got a story (normally none)
        cur.execute(
            """SELECT n.item_id FROM process.normalized_item n
                 LEFT JOIN process.item_story s USING (item_id)
                WHERE s.item_id IS NULL AND n.published_at >= %s AND n.published_at < %s""",
            (start, end),
        )
        items |= {row[0] for row in cur.fetchall()} & interval_items(cur, start, end)
    return dedup_items(cur, items)


__all__ = ["LSH_WINDOW", "STUB_MAX_WORDS", "compute_edges", "components", "dedup_items", "deduplicate_in", "rekey"]
