"""The whole processing stage for one data interval, in one transaction."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from portal_etl.pipeline.process.common import _check_interval, get_registry, run_in_transaction
from portal_etl.pipeline.process.dedup_stage import deduplicate_in
from portal_etl.pipeline.process.load import load_in
from portal_etl.pipeline.process.normalize_stage import normalize_in
from portal_etl.pipeline.process.policy import apply_policy_in
from portal_etl.registry import Registry

log = logging.getLogger("portal_etl.process")


def _all_stages(cur, start: datetime, end: datetime, registry: Registry, *, dag_id: str, run_id: str) -> dict:
    counts: dict[str, Any] = {}
    counts.update(normalize_in(cur, start, end, registry))
    counts.update(deduplicate_in(cur, start, end))
    counts.update(apply_policy_in(cur, start, end, registry))
    counts.update(load_in(cur, start, end, registry, dag_id=dag_id, run_id=run_id))
    return counts


def process_interval(
    start: datetime,
    end: datetime,
    *,
    dag_id: str,
    run_id: str,
    dsn: str | None = None,
    registry: Registry | None = None,
) -> dict[str, Any]:
    """Normalise → dedup → policy → load the staged items published in [start, end), plus every
    item whose staged content changed since it was processed; one transaction, one load batch.

    Returns the counts of every stage (and the load's ``batch_id``)."""
    _check_interval(start, end)
    reg = get_registry(registry)
    counts = run_in_transaction(dsn, _all_stages, start, end, reg, dag_id=dag_id, run_id=run_id)
    log.info("processed [%s, %s): %s", start.isoformat(), end.isoformat(), counts)
    return counts
