"""What would change if the integration policy changed — computed, never written, so an editor
can weigh a policy change before making it.

``portal-etl report --month YYYY-MM --what-if 'integrate-section=SOURCE:SECTION'`` (or
``min-words=N`` / ``min-words=SOURCE:N``; several may be given) answers "which items would enter,
and what would the month's and the cumulative publish rates be" before anyone edits the registry.

Why it equals a real re-run: nothing here restates a rule. The changed registry goes through the
policy stage's own :func:`~portal_etl.pipeline.process.policy.policy_inputs` and
:func:`~portal_etl.pipeline.process.policy.policy_verdict` for every stored item of the channels
the change touches, and the stories whose decisions change through the load's own
:func:`~portal_etl.pipeline.process.load.desired_state` (which member is the primary, in which
month); the difference to the stored figures is added to ``month_summary``'s. All of it in one
read-only transaction: PostgreSQL refuses any write. Reviewer decisions stay, as in a re-run.
The answer is that of re-running every month with the changed policy.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from portal_etl.db import connect
from portal_etl.months import LOCAL_TZ, Month
from portal_etl.pipeline.process.load import desired_state, story_members
from portal_etl.pipeline.process.policy import policy_inputs, policy_verdict
from portal_etl.registry import Registry, load_usable_registry
from portal_etl.reporting.payload import aggregate, publish_rate, read_summary, summary_span

_CHANGE = re.compile(
    r"^\s*(?:(?P<section_kw>integrate-section)\s*=\s*(?P<source>[a-z0-9_]+):(?P<section>\S+)"
    r"|(?P<words_kw>min-words)\s*=\s*(?:(?P<words_source>[a-z0-9_]+):)?(?P<words>\d+))\s*$"
)
CHANGE_SYNTAX = "integrate-section=SOURCE:SECTION | min-words=N | min-words=SOURCE:N"


class WhatIfError(ValueError):
    """A policy change that cannot be applied (bad syntax, unknown channel or section)."""


@dataclass(frozen=True)
class PolicyChange:
    """One change to the policy: integrate a section, or a new ``approval.min_words``."""

    text: str
    source_id: str | None  # None: every channel (min-words only)
    section: str | None = None
    min_words: int | None = None


def parse_change(text: str) -> PolicyChange:
    """``integrate-section=SOURCE:SECTION``, ``min-words=N`` or ``min-words=SOURCE:N``."""
    match = _CHANGE.match(text)
    if match is None:
        raise WhatIfError(f"cannot read the policy change {text!r}: expected {CHANGE_SYNTAX}")
    if match["section_kw"]:
        return PolicyChange(text.strip(), match["source"], section=match["section"].strip("/"))
    return PolicyChange(text.strip(), match["words_source"], min_words=int(match["words"]))


def changed_registry(registry: Registry, changes: list[PolicyChange]) -> Registry:
    """The registry as it would be with ``changes`` applied (validated: unknown names fail)."""
    sources = {s.id: s for s in registry.sources}
    for change in changes:
        targets = [change.source_id] if change.source_id else list(sources)
        for source_id in targets:
            if source_id not in sources:
                raise WhatIfError(f"{change.text}: no channel {source_id!r} (known: {', '.join(sources)})")
            source = sources[source_id]
            if change.section is not None:
                if source.section(change.section) is None:
                    known = ", ".join(s.path for s in source.sections)
                    raise WhatIfError(f"{change.text}: {source_id} has no section {change.section!r} (known: {known})")
                sections = [s.model_copy(update={"integrate": True}) if s.path == change.section else s
                            for s in source.sections]  # fmt: skip
                sources[source_id] = source.model_copy(update={"sections": sections})
            else:
                approval = source.approval.model_copy(update={"min_words": change.min_words})
                sources[source_id] = source.model_copy(update={"approval": approval})
    return Registry(sources=list(sources.values()))


def change_notes(registry: Registry, changes: list[PolicyChange]) -> list[str]:
    """Why a change may bring nothing: the section is integrated already, or holds translations
    (policy rule 0: never a story of their own, whatever ``integrate`` says)."""
    notes = []
    for change in changes:
        if change.section is None or change.source_id is None:
            continue
        source = registry.get(change.source_id)
        section = source.section(change.section)
        if section is not None and section.integrate:
            notes.append(f"{change.text}: the section is integrated already")
        if section is not None and section.language and section.language != source.language:
            notes.append(
                f"{change.text}: its items are translations ({section.language}), attached to their "
                "originals, never integrated as stories of their own"
            )
    return notes


def _touched_sources(registry: Registry, changes: list[PolicyChange]) -> list[str]:
    return sorted({c.source_id for c in changes if c.source_id} or set(registry.ids)) if changes else []


def _article_deltas(before: dict, after: dict, source_of: dict[int, str]) -> Counter:
    """(month, primary channel) → change in integrated stories between two planned states."""
    delta: Counter[tuple[str, str]] = Counter()
    for articles, sign in ((before, -1), (after, 1)):
        for item_id, month in articles.values():
            delta[(month, source_of[item_id])] += sign
    return delta


def _scope_figures(figures: dict[str, Any], delta: Counter, months: set[str], channels: list[str]) -> dict:
    def one(f: dict[str, Any], source_id: str | None) -> dict[str, Any]:
        change = sum(n for (m, s), n in delta.items() if m in months and source_id in (None, s))
        in_window = f["published"] - f["published_before_window"]
        return {"published_in_window": in_window, "integrated_before": f["integrated"],
                "integrated_after": f["integrated"] + change, "publish_rate_before": f["publish_rate"],
                "publish_rate_after": publish_rate(f["integrated"] + change, in_window)}  # fmt: skip

    return {"channels": {c: one(figures["channels"][c], c) for c in channels}, "total": one(figures["total"], None)}


def _item_rows(cur, item_ids: list[int], months: dict[int, str], reasons: dict[int, str | None]) -> list[dict]:
    cur.execute(
        """SELECT item_id, source_id, title_clean, canonical_url, published_at FROM process.normalized_item
            WHERE item_id = ANY(%s) ORDER BY published_at, source_id, canonical_url, item_id""",
        (item_ids,),
    )
    return [
        {
            "item_id": item_id,
            "source_id": source_id,
            "title": title,
            "url": url,
            "published_date": published.astimezone(LOCAL_TZ).date().isoformat(),
            "story_month": months[item_id],
            "reason_before": reasons.get(item_id),
        }
        for item_id, source_id, title, url, published in cur.fetchall()
    ]


def compute_what_if(cur, month: str, changes: list[PolicyChange], registry: Registry) -> dict[str, Any]:
    """The what-if of ``changes`` for ``month`` ('YYYY-MM', local), on the caller's cursor (which
    should be in a read-only transaction: nothing here writes)."""
    new_registry = changed_registry(registry, changes)
    sources = _touched_sources(registry, changes)
    cur.execute(
        """SELECT n.item_id FROM process.normalized_item n JOIN staging.item i USING (item_id)
            WHERE i.status = 'staged' AND n.source_id = ANY(%s)""",
        (sources,),
    )
    ids = {row[0] for row in cur.fetchall()}
    rows, earlier = policy_inputs(cur, ids, new_registry) if ids else ([], {})
    new_outcome: dict[int, str] = {}
    decisions_changed = 0
    for row in rows:
        verdict = policy_verdict(row, new_registry, earlier)
        if verdict is None:
            continue  # a reviewer's decision: a re-run keeps it too
        if (verdict.outcome, verdict.reason) != (row["outcome"], row["reason"]):
            decisions_changed += 1
        if verdict.outcome != row["outcome"]:
            new_outcome[row["item_id"]] = verdict.outcome
    keys = sorted({row["story_key"] for row in rows if row["item_id"] in new_outcome and row["story_key"]})
    members = story_members(cur, keys) if keys else []
    before, _ = desired_state(members, registry)
    after, _ = desired_state([{**m, "outcome": new_outcome.get(m["item_id"], m["outcome"])} for m in members],
                             new_registry)  # fmt: skip
    source_of = {m["item_id"]: m["source_id"] for m in members}
    delta = _article_deltas(before, after, source_of)

    window_start = min(s.approval.window_start for s in registry.sources)
    first = str(Month.of(window_start))
    summary = read_summary(cur, *summary_span(month, registry))
    channels = list(registry.ids) + sorted({r["source_id"] for r in summary} - set(registry.ids))
    types = sorted({r["item_type"] for r in summary})
    cumulative_months = {r["month"] for r in summary if first <= r["month"] <= month} | {
        m for m, _ in delta if first <= m <= month
    }
    month_figures = aggregate([r for r in summary if r["month"] == month], channels, types)
    cumulative_figures = aggregate([r for r in summary if r["month"] in cumulative_months], channels, types)

    old_primaries = {item_id for item_id, _ in before.values()}
    new_primaries = {item_id for item_id, _ in after.values()}
    reasons = {row["item_id"]: row["reason"] for row in rows}
    entering = sorted(new_primaries - old_primaries)
    leaving = sorted(old_primaries - new_primaries)
    return {
        "month": month,
        "changes": [c.text for c in changes],
        "notes": change_notes(registry, changes),
        "channels_recomputed": sources,
        "items_recomputed": len(rows),
        "decisions_changed": decisions_changed,
        "month_figures": _scope_figures(month_figures, delta, {month}, channels),
        "cumulative_figures": _scope_figures(cumulative_figures, delta, cumulative_months, channels),
        "cumulative_since": window_start.isoformat(),
        "entering": _item_rows(cur, entering, {i: m for i, m in after.values()}, reasons) if entering else [],
        "leaving": _item_rows(cur, leaving, {i: m for i, m in before.values()}, reasons) if leaving else [],
    }


def what_if(
    month: str,
    changes: list[str] | list[PolicyChange],
    dsn: str | None = None,
    *,
    registry: Registry | None = None,
) -> dict[str, Any]:
    """Parse ``changes`` and compute their what-if for ``month`` in a read-only transaction."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise WhatIfError(f"month {month!r}: expected YYYY-MM")
    parsed = [c if isinstance(c, PolicyChange) else parse_change(c) for c in changes]
    if not parsed:
        raise WhatIfError(f"no policy change given: expected {CHANGE_SYNTAX}")
    reg = registry if registry is not None else load_usable_registry()
    conn = connect(dsn, "portal-etl-what-if")
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)  # one snapshot; writes refused
        with conn, conn.cursor() as cur:
            return compute_what_if(cur, month, parsed, reg)
    finally:
        conn.close()
