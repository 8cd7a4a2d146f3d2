"""Date strings of the channels (shared/sources.md §5) → aware datetimes, or None."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from portal_etl import dates

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thứ ba - 28/05/2024 20:13", vn(2024, 5, 28, 20, 13)),
        ("Tuesday - 28/05/2024 20:13", vn(2024, 5, 28, 20, 13)),
        ("Chủ nhật - 5/1/2025 07:05", vn(2025, 1, 5, 7, 5)),
        ("\n   Thứ tư\u00a0-\u00a029/11/2023\u00a0 07:30  ", vn(2023, 11, 29, 7, 30)),
        ("Thứ hai - 01/04/2024 00:30:15", vn(2024, 4, 1, 0, 30, 15)),
        ("Thứ năm - 31/02/2024 10:00", None),  # impossible day
        ("Thứ năm - 30/04/2024 24:10", None),  # impossible hour
        ("Đã xem: 1.250", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_nukeviet_detail(text, expected) -> None:
    assert dates.parse_nukeviet_detail(text) == expected


def test_results_are_aware_in_the_given_zone() -> None:
    found = dates.parse_nukeviet_detail("Thứ ba - 28/05/2024 20:13")
    assert found.utcoffset() == timedelta(hours=7)
    other = dates.parse_nukeviet_detail("Tuesday - 28/05/2024 20:13", "UTC")
    assert other.utcoffset() == timedelta(0) and other.hour == 20


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("28/05/2024 20:13:00", vn(2024, 5, 28, 20, 13)),
        ("\u00a0 01/05/2024 00:30:59", vn(2024, 5, 1, 0, 30, 59)),
        ("28/05/2024 20:13", None),  # the list format always has seconds
        ("30/02/2024 10:00:00", None),
    ],
)
def test_parse_nukeviet_list(text, expected) -> None:
    assert dates.parse_nukeviet_list(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16:03 23/02/2026", vn(2026, 2, 23, 16, 3)),
        ("04:35 15/03/2016", vn(2016, 3, 15, 4, 35)),
        ("23/02/2026 16:03", None),
        ("16:03 29/02/2023", None),  # 2023 is not a leap year
    ],
)
def test_parse_nukeviet_tag(text, expected) -> None:
    assert dates.parse_nukeviet_tag(text) == expected


def test_parse_dmy_is_local_midnight() -> None:
    assert dates.parse_dmy("(30/04/2024) ") == vn(2024, 4, 30)
    assert dates.parse_dmy("(31/04/2024)") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23:57, 16/07/2025", vn(2025, 7, 16, 23, 57)),
        ("10:02, 05/02/2007", vn(2007, 2, 5, 10, 2)),
        ("  20:13 ,28/05/2024 ", vn(2024, 5, 28, 20, 13)),
        ("20:13 28/05/2024", None),  # the comma is part of the format
        ("20:13, 32/05/2024", None),
    ],
)
def test_parse_baodongnai(text, expected) -> None:
    assert dates.parse_baodongnai(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thứ tư, 29/03/2023 12:00", vn(2023, 3, 29, 12, 0)),
        ("09:59 | 31/05/2013", vn(2013, 5, 31, 9, 59)),
        ("Thứ tư, 29/13/2023 12:00", None),
    ],
)
def test_parse_dangcongsan(text, expected) -> None:
    assert dates.parse_dangcongsan(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-28+0720:13:00", vn(2024, 5, 28, 20, 13)),  # PHP 'T' = "+07" glued to the hour
        ("2024-05-28ICT20:13:00", vn(2024, 5, 28, 20, 13)),
        ("2024-05-28UTC13:13:00", vn(2024, 5, 28, 20, 13)),  # UTC/GMT honoured
        ("2024-05-28+053018:43:00", vn(2024, 5, 28, 20, 13)),  # numeric zone honoured
        ("2024-05-2820:13:00", vn(2024, 5, 28, 20, 13)),
        ("2024-05-28T20:13:00+07:00", vn(2024, 5, 28, 20, 13)),  # well-formed ISO too
        ("2024-02-30+0720:13:00", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_parse_malformed_nukeviet_published_time(text, expected) -> None:
    assert dates.parse_malformed_nukeviet_published_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the observed bug: May ⇒ ":05:" in the minutes field; day without leading zero
        ("Mon, 4 May 2026 02:05:12 GMT", datetime(2026, 5, 4, 2, tzinfo=UTC)),
        ("Tue, 28 May 2024 13:05:00 GMT", datetime(2024, 5, 28, 13, tzinfo=UTC)),
        ("Fri, 1 Dec 2023 23:12:59 +0000", datetime(2023, 12, 1, 23, tzinfo=UTC)),
        ("Fri, 1 Dec 2023 23:12:59 +0700", datetime(2023, 12, 1, 16, tzinfo=UTC)),
        ("Fri, 31 Nov 2023 23:11:59 GMT", None),
        ("Fri, 1 Foo 2023 23:11:59 GMT", None),
        ("", None),
    ],
)
def test_parse_rss_pubdate_hour(text, expected) -> None:
    found = dates.parse_rss_pubdate_hour(text)
    assert found == expected
    if found is not None:
        assert found.minute == 0 and found.second == 0 and found.utcoffset() == timedelta(0)


def test_parse_iso() -> None:
    assert dates.parse_iso("2024-05-01T08:00:00+07:00") == vn(2024, 5, 1, 8)
    assert dates.parse_iso("2024-05-01T01:00:00Z") == vn(2024, 5, 1, 8)
    assert dates.parse_iso("2024-05-01T08:00:00") == vn(2024, 5, 1, 8)  # naive ⇒ local
    assert dates.parse_iso("01/05/2024") is None


def test_local_month_uses_the_local_zone() -> None:
    # 30 April 17:30 UTC is already 1 May 00:30 in Đồng Nai
    assert dates.local_month(datetime(2024, 4, 30, 17, 30, tzinfo=UTC)) == "2024-05"
    assert dates.local_month(datetime(2024, 4, 30, 16, 59, tzinfo=UTC)) == "2024-04"
    assert dates.local_month(vn(2024, 5, 1, 0, 0), "UTC") == "2024-04"
    assert dates.local_month(datetime(2024, 3, 31, 23, 0)) == "2024-03"  # naive: as is
    assert dates.local_month(datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=-5)))) == ("2024-01")


def test_local_midnight() -> None:
    from datetime import date

    assert dates.local_midnight(date(2023, 10, 9)) == vn(2023, 10, 9)
