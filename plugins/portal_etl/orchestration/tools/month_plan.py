"""Which months of which channels a past-month command runs: one planner for ``ingest``,
``process`` and ``backfill``, so the three accept and refuse the same ranges with the same words.

Checked before Airflow is touched: the months are ``YYYY-MM`` and in order; each channel is known
and configured; a named channel was live for the whole range, while "every channel" starts each
one at the month it went live (and leaves out one that was not live yet); ingest months are over
(Airflow backfills only complete intervals; the current month is its scheduled run's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from portal_etl.months import LOCAL_TZ, Month

REPROCESS_CHOICES = ("completed", "failed", "none")

Cell = tuple[str, str]  # (month "YYYY-MM", source_id): one channel's month, one line of progress


class RangeError(ValueError):
    """A requested month range is invalid; the message says why."""


def parse_month(text: str) -> Month:
    """A 'YYYY-MM' month (RangeError otherwise)."""
    try:
        return Month.parse(text)
    except ValueError as exc:
        raise RangeError(f"{text!r} is not a month in YYYY-MM form") from exc


def month_span(from_month: str, to_month: str, now: datetime | None = None) -> list[Month]:
    """``--from`` … ``--to`` inclusive; refused when reversed or reaching past the current month."""
    first, last = parse_month(from_month), parse_month(to_month)
    if last < first:
        raise RangeError(f"--to {last} is before --from {first}")
    now = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ)
    if last > Month.of(now):
        raise RangeError(f"{last} is in the future (today is {now:%d-%m-%Y})")
    return Month.span(first, last)


@dataclass(frozen=True)
class MonthPlan:
    """The checked request: channels, months, and how to treat months that already have a run."""

    source_ids: list[str]
    months: list[Month]
    reprocess: str = "completed"
    process: bool = True  # then one integrate_articles run over the range
    # a channel that went live inside the range starts at its first live month
    first_month: dict[str, Month] = field(default_factory=dict)
    refresh_settled: bool = False  # fetch settled articles too (pipeline/settled.py)

    @property
    def start(self) -> datetime:
        return self.months[0].start

    @property
    def end(self) -> datetime:
        """Exclusive end of the range: the 1st of the month after the last, 00:00 local."""
        return self.months[-1].end

    @property
    def span(self) -> str:
        return f"{self.months[0]}..{self.months[-1]}"

    def months_of(self, source_id: str) -> list[Month]:
        first = self.first_month.get(source_id, self.months[0])
        return [m for m in self.months if m >= first]

    @property
    def cells(self) -> list[Cell]:
        return [(str(m), s) for m in self.months for s in self.source_ids if m in self.months_of(s)]


def plan_months(
    from_month: str,
    to_month: str,
    source_ids: list[str] | None = None,
    *,
    registry: Any = None,
    now: datetime | None = None,
    reprocess: str = "completed",
    process: bool = True,
    refresh_settled: bool = False,
) -> MonthPlan:
    """Validate an ingest request (see the module docstring) and return its plan."""
    if reprocess not in REPROCESS_CHOICES:
        raise RangeError(f"--reprocess must be one of {', '.join(REPROCESS_CHOICES)}")
    now = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ)
    months = month_span(from_month, to_month, now)
    if months[-1].end > now:
        raise RangeError(
            f"{months[-1]} is not over yet (it ends {months[-1].end:%d-%m-%Y} 00:00 local, when its "
            "scheduled run starts); run up to the previous month"
        )
    if registry is None:
        from portal_etl.registry import load_registry

        registry = load_registry()
    chosen = list(dict.fromkeys(source_ids or [s.id for s in registry.sources if s.configured]))
    if not chosen:
        raise RangeError("no configured source to run")
    first_month: dict[str, Month] = {}
    not_live: list[str] = []
    for source_id in chosen:
        try:
            source = registry.get(source_id)
        except KeyError as exc:
            raise RangeError(str(exc.args[0])) from None
        if not source.configured:
            raise RangeError(
                f"source {source_id!r} is not configured (no base_url): "
                "see docs/extraction.md, 'Pointing it at the real sites'"
            )
        live_month = Month.of(source.live_since)
        if months[0] >= live_month:
            continue
        if source_ids:  # a channel asked for by name: the whole range or nothing
            raise RangeError(f"{source_id}: {months[0]} is before the channel went live ({source.live_since:%d-%m-%Y})")
        if live_month <= months[-1]:  # "every channel": each from the month it went live
            first_month[source_id] = live_month
        else:
            not_live.append(source_id)
    chosen = [s for s in chosen if s not in not_live]
    if not chosen:
        raise RangeError(f"no channel was live in {months[0]}..{months[-1]}")
    return MonthPlan(chosen, months, reprocess, process, first_month, refresh_settled)
