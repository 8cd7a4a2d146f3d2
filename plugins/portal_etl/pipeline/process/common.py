"""Shared plumbing of the processing stages: transactions, the stage lock, the work queue and
registry look-ups (channel order, sections, time zones)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from psycopg2.extras import execute_values

from portal_etl.db import transaction
from portal_etl.months import LOCAL_TZ
from portal_etl.registry import Registry, Section, Source, load_usable_registry
from portal_etl.vocabulary import PROCESS_LOCK_KEY

T = TypeVar("T")

APPLICATION_NAME = "portal-etl-process"


def get_registry(registry: Registry | None) -> Registry:
    return registry if registry is not None else load_usable_registry()


def run_in_transaction(dsn: str | None, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``fn(cur, …)`` in one transaction holding the processing lock."""
    with transaction(dsn, APPLICATION_NAME) as conn, conn.cursor() as cur:
        lock(cur)
        return fn(cur, *args, **kwargs)


def lock(cur) -> None:
    """The processing lock (vocabulary.PROCESS_LOCK_KEY): processing is fast; runs take turns."""
    cur.execute("SELECT pg_advisory_xact_lock(%s)", (PROCESS_LOCK_KEY,))


# --- work queue ---------------------------------------------------------------------------------


def mark_pending(cur, stage: str, item_ids: Iterable[int]) -> None:
    ids = sorted(set(item_ids))
    if not ids:
        return
    execute_values(
        cur,
        "INSERT INTO process.pending (stage, item_id) VALUES %s ON CONFLICT DO NOTHING",
        [(stage, i) for i in ids],
        page_size=1000,
    )


def take_pending(cur, stage: str) -> set[int]:
    """Claim (delete) the queued items of a stage; a failed stage rolls the claim back."""
    cur.execute("DELETE FROM process.pending WHERE stage = %s RETURNING item_id", (stage,))
    return {row[0] for row in cur.fetchall()}


def interval_items(cur, start: datetime | None, end: datetime | None) -> set[int]:
    """Normalised items published in [start, end) (none when the interval is not given)."""
    if start is None or end is None:
        return set()
    _check_interval(start, end)
    cur.execute(
        "SELECT item_id FROM process.normalized_item WHERE published_at >= %s AND published_at < %s",
        (start, end),
    )
    return {row[0] for row in cur.fetchall()}


def _check_interval(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if end <= start:
        raise ValueError(f"empty interval [{start.isoformat()}, {end.isoformat()})")


# --- registry look-ups --------------------------------------------------------------------------


def channel_ranks(registry: Registry) -> dict[str, int]:
    """Registry order = tie order of the primary rule (unknown channels after every known one)."""
    return {s.id: i for i, s in enumerate(registry.sources)}


def rank_of(ranks: dict[str, int], source_id: str) -> int:
    return ranks.get(source_id, len(ranks))


def source_or_none(registry: Registry, source_id: str) -> Source | None:
    try:
        return registry.get(source_id)
    except KeyError:
        return None


def source_tz(registry: Registry, source_id: str) -> ZoneInfo:
    source = source_or_none(registry, source_id)
    return source.tz if source is not None else LOCAL_TZ


def find_section(source: Source, path: str | None) -> Section | None:
    """The registry section of a staged section path, as the adapters resolve it: exact, then the
    first path segment, each also case-insensitively."""
    if not path:
        return None
    for candidate in (path, path.split("/", 1)[0]):
        found = source.section(candidate)
        if found is not None:
            return found
        for section in source.sections:
            if section.path.lower() == candidate.lower():
                return section
    return None


def fetch_dicts(cur, sql: str, params: Any = None) -> list[dict[str, Any]]:
    cur.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
