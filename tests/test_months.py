"""One Month type and one local zone: Python's months, SQL's months and story_month agree."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pgutil import query

from portal_etl.months import LOCAL_TZ, LOCAL_ZONE, Month
from portal_etl.pipeline.process.load import desired_state
from portal_etl.registry import load_registry


def test_parse_print_and_order() -> None:
    assert str(Month.parse("2024-03")) == "2024-03"
    assert Month.parse("2024-3") == Month(2024, 3)
    assert Month(2023, 12) < Month(2024, 1)
    for bad in ("2024-13", "2024-00", "2024", "2024-03-01", "abc-de", ""):
        with pytest.raises(ValueError):
            Month.parse(bad)


def test_next_previous_shift_and_span_cross_years() -> None:
    assert Month(2023, 12).next() == Month(2024, 1)
    assert Month(2024, 1).previous() == Month(2023, 12)
    assert Month(2024, 4).shift(-11) == Month(2023, 5)
    assert Month(2024, 4).shift(20) == Month(2025, 12)
    assert [str(m) for m in Month.span(Month(2023, 11), Month(2024, 2))] == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert Month.span(Month(2024, 2), Month(2024, 1)) == []


def test_bounds_are_local_midnights() -> None:
    start, end = Month(2024, 12).bounds()
    assert (start, end) == (datetime(2024, 12, 1, tzinfo=LOCAL_TZ), datetime(2025, 1, 1, tzinfo=LOCAL_TZ))
    assert start.astimezone(UTC) == datetime(2024, 11, 30, 17, tzinfo=UTC)
    assert Month(2024, 12).first_day == date(2024, 12, 1)


def test_of_reads_an_instant_in_the_local_zone() -> None:
    assert Month.of(datetime(2024, 4, 30, 17, 30, tzinfo=UTC)) == Month(2024, 5)  # 00:30 on 1-5 local
    assert Month.of(datetime(2024, 4, 30, 16, 59, tzinfo=UTC)) == Month(2024, 4)
    assert Month.of(date(2024, 4, 30)) == Month(2024, 4)


def test_story_month_is_the_local_month_whatever_the_channels_zone() -> None:
    """An article's month is the report's: the national portal's zone, not its channel's."""
    registry = load_registry()
    source = registry.sources[0]
    elsewhere = registry.model_copy(
        update={"sources": [source.model_copy(update={"timezone": "UTC"}), *registry.sources[1:]]}
    )
    published = datetime(2024, 4, 30, 20, tzinfo=UTC)  # 30-4 in UTC, 1-5 03:00 local
    member = {
        "story_key": "0123456789abcdef",
        "item_id": 1,
        "source_id": source.id,
        "page_url": "https://x.vn/a",
        "canonical_url": "https://x.vn/a",
        "published_at": published,
        "outcome": "approved",
    }
    articles, _ = desired_state([member], elsewhere)
    assert articles == {"0123456789abcdef": (1, "2024-05")}


def test_sql_reads_the_same_zone_and_months(pipeline_dsn) -> None:
    assert query(pipeline_dsn, "SELECT integration.local_zone()") == [(LOCAL_ZONE,)]
    edge = Month(2024, 5).start
    instants = [edge - timedelta(microseconds=1), edge, datetime(2023, 12, 31, 17, tzinfo=UTC)]
    got = [
        query(pipeline_dsn, "SET LOCAL timezone = 'America/New_York'; SELECT integration.local_month(%s)", t)[0][0]
        for t in instants
    ]
    assert got == [str(Month.of(t)) for t in instants] == ["2024-04", "2024-05", "2024-01"]
