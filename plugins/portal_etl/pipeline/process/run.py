"""The whole processing chain for one data interval, in one transaction."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from portal_etl.pipeline.process.chain import interval_context, run_chain
from portal_etl.pipeline.process.common import run_in_transaction
from portal_etl.registry import Registry

log = logging.getLogger("portal_etl.process")


def process_interval(
    start: datetime,
    end: datetime,
    *,
    dag_id: str,
    run_id: str,
    dsn: str | None = None,
    registry: Registry | None = None,
) -> dict[str, Any]:
    """Every stage of the chain over the staged items published in [start, end), plus every
    item whose staged content changed since it was processed; one transaction, one load batch.

    Returns the counts of every stage (and the load's ``batch_id``)."""
    ctx = interval_context(start, end, dag_id, run_id, registry)
    counts = run_in_transaction(dsn, run_chain, ctx)
    log.info("processed [%s, %s): %s", start.isoformat(), end.isoformat(), counts)
    return counts
