"""Settled articles: which candidates a re-run of a month may leave unfetched.

Requests are what a crawl of the real sites costs (one per ``politeness.min_interval_seconds``
per domain), and a real NukeViet 4.5 site never answers 304, so a no-change re-run used to ask
for every article again. An article whose extracted content stayed the same over the registry's
``fetch.settled.fetches`` fetches is settled once those fetches span ``fetch.settled.days`` days,
or once the first of them came that many days after the article's publication (corrections
come in the first days; a backfill reads pages that are months old). The staged item stands as
it is; list pages are still read, so new and removed items are found either way.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from portal_etl.registry.schema import Settled


def is_settled(stability: dict[str, Any] | None, published_at: datetime | None, rule: Settled) -> bool:
    """Whether the fetch history in ``stability`` (``db.staging.load_stability``) settles the page."""
    if not stability or stability["fetches"] < rule.fetches or stability["since"] is None:
        return False
    need = timedelta(days=rule.days)
    span = stability["confirmed_at"] - stability["since"]
    age_at_first = stability["since"] - published_at if published_at is not None else timedelta(0)
    return span >= need or age_at_first >= need
