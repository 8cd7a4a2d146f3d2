"""Calendar months in the national portal's time zone, the unit of every run and report.

Why one type: ingest runs, processing intervals, the summary, the report and the backfill all
cut time into local months; each writing its own arithmetic made them disagree at the edges.
``LOCAL_ZONE`` is the one declaration of that zone in Python; SQL reads the same name through
``integration.local_zone()`` and ``integration.local_month(timestamptz)`` (sql/022).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = "Asia/Ho_Chi_Minh"  # the national portal's zone; every channel publishes in it too
LOCAL_TZ = ZoneInfo(LOCAL_ZONE)


@dataclass(frozen=True, order=True)
class Month:
    """One calendar month; ordered, hashable, printed as 'YYYY-MM'."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9999:
            raise ValueError(f"no month {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """'YYYY-MM' (ValueError otherwise)."""
        year, month = (int(part) for part in text.split("-"))
        return cls(year, month)

    @classmethod
    def of(cls, value: date | datetime) -> Month:
        """The month of a date, or of an aware datetime read in the local zone."""
        if isinstance(value, datetime):
            value = value.astimezone(LOCAL_TZ)
        return cls(value.year, value.month)

    @classmethod
    def span(cls, first: Month, last: Month) -> list[Month]:
        """``first`` … ``last`` inclusive (empty when last precedes first)."""
        return [first.shift(n) for n in range(last.index - first.index + 1)]

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    def shift(self, months: int) -> Month:
        index = self.index + months
        return Month(index // 12, index % 12 + 1)

    def next(self) -> Month:
        return self.shift(1)

    def previous(self) -> Month:
        return self.shift(-1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def start(self) -> datetime:
        """The 1st, 00:00 local, as an aware datetime."""
        return datetime(self.year, self.month, 1, tzinfo=LOCAL_TZ)

    @property
    def end(self) -> datetime:
        """The next month's 1st, 00:00 local (exclusive)."""
        return self.next().start

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) local."""
        return self.start, self.end

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
