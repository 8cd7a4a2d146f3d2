"""What a backfill did, for the operator: progress lines while it runs, a summary table at the end.

The "what changed" column is measured, not inferred from run states: the staged items and the
integrated articles of the range are snapshotted (id, content hash, row version ``xmin``)
before and after, so a re-run of a month that was already done reports exactly what it
touched — usually nothing.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TextIO

from portal_etl.db import connect
from portal_etl.months import Month
from portal_etl.orchestration.tools.month_plan import Cell

TERMINAL_STATES = ("success", "failed")

_STAGED_SQL = """
SELECT source_id, integration.local_month(published_at), item_id, content_hash, xmin::text
  FROM staging.item
 WHERE published_at >= %(start)s AND published_at < %(end)s AND source_id = ANY(%(sources)s)
"""
_ARTICLES_SQL = """
SELECT primary_source_id, story_month, story_key, content_hash, xmin::text
  FROM integration.article
 WHERE story_month BETWEEN %(first)s AND %(last)s
"""
_METRICS_SQL = """
SELECT source_id, run_id, new_items, updated_items, parse_errors, last_error
  FROM staging.run_metrics
 WHERE dag_id = %(dag_id)s AND run_id = ANY(%(run_ids)s)
"""


@dataclass
class Snapshot:
    """Row identities and versions of the range: staged items and integrated articles."""

    staged: dict[Cell, dict[int, tuple[str, str]]] = field(default_factory=dict)
    articles: dict[Cell, dict[str, tuple[str, str]]] = field(default_factory=dict)


def take_snapshot(source_ids: list[str], start: datetime, end: datetime, dsn: str | None = None) -> Snapshot:
    snap = Snapshot()
    conn = connect(dsn, application_name="portal-etl-backfill")
    try:
        with conn.cursor() as cur:
            cur.execute(_STAGED_SQL, {"start": start, "end": end, "sources": source_ids})
            for source_id, month, item_id, content_hash, xmin in cur.fetchall():
                snap.staged.setdefault((month, source_id), {})[item_id] = (content_hash, xmin)
            last = date.fromordinal(end.date().toordinal() - 1) if end.day == 1 else end.date()
            cur.execute(_ARTICLES_SQL, {"first": str(Month.of(start.date())), "last": str(Month.of(last))})
            for source_id, month, story_key, content_hash, xmin in cur.fetchall():
                snap.articles.setdefault((month, source_id), {})[story_key] = (content_hash, xmin)
        conn.rollback()
    finally:
        conn.close()
    return snap


def diff_rows(before: dict, after: dict) -> Counter:
    """new / changed (content differs) / rewritten (same content, row written again) / removed."""
    counts: Counter = Counter()
    for key, (content, xmin) in after.items():
        if key not in before:
            counts["new"] += 1
        elif before[key][0] != content:
            counts["changed"] += 1
        elif before[key][1] != xmin:
            counts["rewritten"] += 1
    counts["removed"] = sum(1 for key in before if key not in after)
    return +counts  # drop zeros


def fetch_run_metrics(dag_id: str, run_ids: list[str], dsn: str | None = None) -> dict[str, dict]:
    """staging.run_metrics of the given ingest runs, by run id."""
    if not run_ids:
        return {}
    conn = connect(dsn, application_name="portal-etl-backfill")
    try:
        with conn.cursor() as cur:
            cur.execute(_METRICS_SQL, {"dag_id": dag_id, "run_ids": run_ids})
            rows = cur.fetchall()
        conn.rollback()
    finally:
        conn.close()
    return {
        run_id: {
            "source_id": source_id,
            "new_items": new,
            "updated_items": updated,
            "parse_errors": errors,
            "last_error": last_error,
        }
        for source_id, run_id, new, updated, errors, last_error in rows
    }


class TextProgress:
    """One line per state change on stderr, with a bar of finished cells: works without a TTY."""

    WIDTH = 24

    def __init__(self, cells: list[Cell], stream: TextIO | None = None) -> None:
        self.states: dict[Cell, str] = dict.fromkeys(cells, "pending")
        self.stream = stream or sys.stderr

    def update(self, cell: Cell, state: str, detail: str = "") -> None:
        if self.states.get(cell) == state:
            return
        previous, self.states[cell] = self.states.get(cell, "pending"), state
        done = sum(1 for s in self.states.values() if s in TERMINAL_STATES)
        total = len(self.states)
        filled = round(self.WIDTH * done / total) if total else self.WIDTH
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        month, source_id = cell
        print(
            f"[{bar}] {done:>3}/{total}  {month} {source_id:<16} {previous} → {state}"
            + (f"  {detail}" if detail else ""),
            file=self.stream,
            flush=True,
        )

    def note(self, text: str) -> None:
        print(text, file=self.stream, flush=True)


def _changes(counts: Counter) -> str:
    if not counts:
        return "no change"
    signs = {"new": "+", "changed": "~", "rewritten": "=", "removed": "-"}
    return " ".join(f"{signs[k]}{counts[k]}" for k in ("new", "changed", "rewritten", "removed") if counts[k])


@dataclass
class CellResult:
    month: str
    source_id: str
    state: str
    new_items: int | None = None
    updated_items: int | None = None
    staged: int = 0
    staged_changes: Counter = field(default_factory=Counter)
    integrated: int = 0
    integrated_changes: Counter = field(default_factory=Counter)


def build_results(
    cells: list[Cell], states: dict[Cell, str], metrics: dict[Cell, dict], before: Snapshot, after: Snapshot
) -> list[CellResult]:
    results = []
    for cell in cells:
        month, source_id = cell
        run = metrics.get(cell) or {}
        results.append(
            CellResult(
                month=month,
                source_id=source_id,
                state=states.get(cell, "not run"),
                new_items=run.get("new_items"),
                updated_items=run.get("updated_items"),
                staged=len(after.staged.get(cell, {})),
                staged_changes=diff_rows(before.staged.get(cell, {}), after.staged.get(cell, {})),
                integrated=len(after.articles.get(cell, {})),
                integrated_changes=diff_rows(before.articles.get(cell, {}), after.articles.get(cell, {})),
            )
        )
    return results


def other_article_changes(cells: list[Cell], before: Snapshot, after: Snapshot) -> Counter:
    """Article changes in the range whose primary channel was not among the backfilled sources."""
    total: Counter = Counter()
    for cell in set(before.articles) | set(after.articles):
        if cell not in cells:
            total += diff_rows(before.articles.get(cell, {}), after.articles.get(cell, {}))
    return total


def render_summary(results: list[CellResult], process_state: str | None, others: Counter) -> str:
    """The table printed at the end: month × source, run state, run metrics, what changed."""
    header = (
        f"{'month':<8} {'source':<16} {'ingest run':<11} {'new':>5} {'upd':>5} "
        f"{'staged':>7} {'staged changes':<16} {'integrated':>10} {'integrated changes':<18}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.month:<8} {r.source_id:<16} {r.state:<11} "
            f"{'-' if r.new_items is None else r.new_items:>5} "
            f"{'-' if r.updated_items is None else r.updated_items:>5} "
            f"{r.staged:>7} {_changes(r.staged_changes):<16} {r.integrated:>10} {_changes(r.integrated_changes):<18}"
        )
    staged_total = sum((r.staged_changes for r in results), Counter())
    integrated_total = sum((r.integrated_changes for r in results), Counter()) + others
    lines.append("-" * len(header))
    lines.append(
        f"{'total':<8} {'':<16} {'':<11} {'':>5} {'':>5} {sum(r.staged for r in results):>7} "
        f"{_changes(staged_total):<16} {sum(r.integrated for r in results):>10} "
        f"{_changes(integrated_total):<18}"
    )
    if others:
        lines.append(f"articles of other channels in the range: {_changes(others)}")
    lines.append(f"integrate_articles: {process_state or 'not run (`portal-etl process` over the range runs it)'}")
    lines.append("changes: +new ~content changed =row rewritten, same content -removed")
    if not staged_total and not integrated_total:
        lines.append("nothing changed in staging or in the integration store")
    return "\n".join(line.rstrip() for line in lines)
