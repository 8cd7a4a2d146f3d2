"""Date strings of the Đồng Nai channels → timezone-aware datetimes.

Every parser is a small pure function: it takes the text as it appears on the page (extra words
and whitespace around it are tolerated), returns an aware datetime in ``tz`` (default
Asia/Ho_Chi_Minh), or None when the text holds no date of that format or names an impossible one
(31/02, 25:00). Nothing here raises on bad input.

Formats (shared/sources.md §5):

==========================  ===================================  ===============================
where                       example                              function
==========================  ===================================  ===============================
NukeViet article            ``Thứ ba - 28/05/2024 20:13``        :func:`parse_nukeviet_detail`
NukeViet category list      ``28/05/2024 20:13:00``              :func:`parse_nukeviet_list`
NukeViet tag/topic list     ``16:03 23/02/2026``                 :func:`parse_nukeviet_tag`
NukeViet related list       ``(28/05/2024)``                     :func:`parse_dmy`
NukeViet og meta (bug)      ``2024-05-28+0720:13:00``            :func:`parse_malformed_nukeviet_published_time`
NukeViet RSS (bug)          ``Mon, 4 May 2026 02:05:12 GMT``     :func:`parse_rss_pubdate_hour`
Báo Đồng Nai                ``20:13, 28/05/2024``                :func:`parse_baodongnai`
dangcongsan.vn              ``Thứ tư, 29/03/2023 12:00``         :func:`parse_dangcongsan`
JSON-LD / ISO-8601          ``2024-05-28T20:13:00+07:00``        :func:`parse_iso`
==========================  ===================================  ===============================
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from portal_etl.months import LOCAL_ZONE as DEFAULT_TZ

TzLike = str | tzinfo | None

_DMY = r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})"
_HM = r"(?P<H>\d{1,2}):(?P<M>\d{2})"
_HMS = r"(?P<H>\d{1,2}):(?P<M>\d{2}):(?P<S>\d{2})"

# "Thứ ba - 28/05/2024 20:13", "Tuesday - 28/05/2024 20:13" (the weekday is not checked)
_NV_DETAIL = re.compile(_DMY + r"\s+" + _HM + r"(?::(?P<S>\d{2}))?(?!\d)")
_NV_LIST = re.compile(_DMY + r"\s+" + _HMS + r"(?!\d)")
_NV_TAG = re.compile(r"(?<![\d:])" + _HM + r"\s+" + _DMY)
_DMY_ONLY = re.compile(r"(?<![\d/])" + _DMY + r"(?![\d/])")
_BDN = re.compile(r"(?<![\d:])" + _HM + r"\s*,\s*" + _DMY)
_DCS = re.compile(_DMY + r"\s+" + _HM + r"(?!\d)")
_DCS_LEGACY = re.compile(r"(?<![\d:])" + _HM + r"\s*\|\s*" + _DMY)
# PHP date('Y-m-dTH:i:s'): T is the zone abbreviation ("+07", "ICT", "+0530"), glued to the hour.
_NV_META = re.compile(
    r"^\s*(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?P<zone>[+-]\d{2}(?:\d{2})?|[A-Za-z]{1,6})?"
    r"(?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})\s*$"
)
_RSS = re.compile(
    r"(?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]{3})[a-z]*\s+(?P<y>\d{4})\s+(?P<H>\d{1,2}):\d{1,2}(?::\d{1,2})?"
    r"(?:\s+(?P<zone>[+-]\d{4}|[A-Za-z]{1,5}))?"
)
_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
_UTC_NAMES = frozenset({"gmt", "utc", "ut", "z"})


@lru_cache(maxsize=32)
def _zone_by_name(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone(tz: TzLike = None) -> tzinfo:
    """``tz`` as a tzinfo: a zone name, a tzinfo (returned as is) or None for the default."""
    if tz is None:
        return _zone_by_name(DEFAULT_TZ)
    if isinstance(tz, str):
        return _zone_by_name(tz)
    return tz


def _make(
    y: str, m: str, d: str, hh: str = "0", mm: str = "0", ss: str | None = "0", tz: TzLike = None
) -> datetime | None:
    """An aware datetime, or None for an impossible date/time (31/02, 24:00, year 0)."""
    try:
        return datetime(int(y), int(m), int(d), int(hh), int(mm), int(ss or 0), tzinfo=zone(tz))
    except ValueError:
        return None


def _from_match(match: re.Match[str] | None, tz: TzLike) -> datetime | None:
    if match is None:
        return None
    g = match.groupdict()
    return _make(g["y"], g["m"], g["d"], g.get("H") or "0", g.get("M") or "0", g.get("S"), tz)


def parse_nukeviet_detail(text: str | None, tz: TzLike = None) -> datetime | None:
    """NukeViet article date line ``nv_date('l - d/m/Y H:i')``.

    ``"Thứ ba - 28/05/2024 20:13"`` (or ``"Tuesday - 28/05/2024 20:13"`` on /en) → 2024-05-28
    20:13 local. The weekday is ignored; seconds, if a theme adds them, are kept.
    """
    if not text:
        return None
    return _from_match(_NV_DETAIL.search(text), tz)


def parse_nukeviet_list(text: str | None, tz: TzLike = None) -> datetime | None:
    """NukeViet category-list stamp ``nv_date('d/m/Y H:i:s')``: ``"28/05/2024 20:13:00"``."""
    if not text:
        return None
    return _from_match(_NV_LIST.search(text), tz)


def parse_nukeviet_tag(text: str | None, tz: TzLike = None) -> datetime | None:
    """NukeViet tag/topic-list stamp ``nv_date('H:i d/m/Y')``: ``"16:03 23/02/2026"``."""
    if not text:
        return None
    return _from_match(_NV_TAG.search(text), tz)


def parse_dmy(text: str | None, tz: TzLike = None) -> datetime | None:
    """A date-only ``dd/mm/YYYY`` (e.g. ``"(28/05/2024)"`` in NukeViet related lists) → local
    midnight of that day."""
    if not text:
        return None
    return _from_match(_DMY_ONLY.search(text), tz)


def parse_baodongnai(text: str | None, tz: TzLike = None) -> datetime | None:
    """Báo Đồng Nai date line ``"HH:MM, dd/mm/YYYY"``: ``"23:57, 16/07/2025"``."""
    if not text:
        return None
    return _from_match(_BDN.search(text), tz)


def parse_dangcongsan(text: str | None, tz: TzLike = None) -> datetime | None:
    """dangcongsan.vn date line ``"Thứ tư, 29/03/2023 12:00"``; also the legacy
    ``"09:59 | 31/05/2013"``."""
    if not text:
        return None
    found = _from_match(_DCS.search(text), tz)
    if found is None:
        found = _from_match(_DCS_LEGACY.search(text), tz)
    return found


def parse_date_line(text: str | None, tz: TzLike = None) -> datetime | None:
    """Any of the Vietnamese news date lines above, for a site whose format is not known yet:
    ``dd/mm/YYYY HH:MM`` (NukeViet, dangcongsan.vn) ▸ ``HH:MM, dd/mm/YYYY`` (Báo Đồng Nai) ▸
    ``HH:MM | dd/mm/YYYY`` ▸ ``HH:MM dd/mm/YYYY``."""
    if not text:
        return None
    for parse in (parse_nukeviet_detail, parse_baodongnai, parse_dangcongsan, parse_nukeviet_tag):
        found = parse(text, tz)
        if found is not None:
            return found
    return None


def parse_malformed_nukeviet_published_time(text: str | None, tz: TzLike = None) -> datetime | None:
    """NukeViet ``article:published_time``, built with PHP ``date('Y-m-dTH:i:s')``.

    ``T`` there is the zone *abbreviation*, so the value reads ``"2024-05-28+0720:13:00"``
    (``+07`` glued to ``20:13:00``) or ``"2024-05-28ICT20:13:00"``. A numeric abbreviation and
    UTC/GMT are honoured as the offset; any other name (ICT …) is taken as ``tz``. A well-formed ISO-8601 value is
    accepted too (see :func:`parse_iso`).
    """
    if not text:
        return None
    match = _NV_META.match(text)
    if match is None:
        return parse_iso(text, tz)
    g = match.groupdict()
    zone_text = g["zone"] or ""
    if zone_text.lower() in _UTC_NAMES:
        found = _make(g["y"], g["m"], g["d"], g["H"], g["M"], g["S"], UTC)
        return found.astimezone(zone(tz)) if found else None
    if zone_text[:1] in "+-" and zone_text:
        sign = -1 if zone_text[0] == "-" else 1
        hours = int(zone_text[1:3])
        minutes = int(zone_text[3:5] or 0)
        if hours > 14 or minutes > 59:
            return None
        offset = timezone(sign * timedelta(hours=hours, minutes=minutes))
        found = _make(g["y"], g["m"], g["d"], g["H"], g["M"], g["S"], offset)
        return found.astimezone(zone(tz)) if found else None
    return _make(g["y"], g["m"], g["d"], g["H"], g["M"], g["S"], tz)


def parse_iso(text: str | None, tz: TzLike = None) -> datetime | None:
    """ISO-8601 (JSON-LD ``datePublished``, ``itemprop`` values) → aware datetime in ``tz``.

    A value without offset is taken as local time in ``tz``; ``Z`` means UTC.
    """
    if not text:
        return None
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    if found.tzinfo is None:
        return found.replace(tzinfo=zone(tz))
    return found.astimezone(zone(tz))


def parse_rss_pubdate_hour(text: str | None) -> datetime | None:
    """NukeViet RSS ``pubDate`` → the UTC hour it names (minutes and seconds dropped).

    NukeViet writes it with ``gmdate('D, j M Y H:m:s')``: the *minutes* field is the month
    number and the day has no leading zero (``"Mon, 4 May 2026 02:05:12 GMT"`` → 2026-05-04
    02:00 UTC). Only the date and hour can be trusted. A numeric offset (``+0700``) is applied.
    """
    if not text:
        return None
    match = _RSS.search(text)
    if match is None:
        return None
    month = _MONTHS.get(match["mon"].lower())
    if month is None:
        return None
    found = _make(match["y"], str(month), match["d"], match["H"], "0", "0", UTC)
    if found is None:
        return None
    zone_text = (match["zone"] or "").lower()
    if zone_text[:1] in "+-" and zone_text:
        sign = -1 if zone_text[0] == "-" else 1
        found -= sign * timedelta(hours=int(zone_text[1:3]), minutes=int(zone_text[3:5]))
        found = found.replace(minute=0)
    elif zone_text and zone_text not in _UTC_NAMES:
        return found  # a named non-UTC zone (rare in feeds): keep the hour as written
    return found


def local_month(dt: datetime, tz: TzLike = None) -> str:
    """``"YYYY-MM"`` of ``dt`` in ``tz`` (a naive ``dt`` is taken as already local)."""
    local = dt if dt.tzinfo is None else dt.astimezone(zone(tz))
    return f"{local.year:04d}-{local.month:02d}"


def local_midnight(day: date, tz: TzLike = None) -> datetime:
    """00:00 of ``day`` in ``tz``, aware."""
    return datetime(day.year, day.month, day.day, tzinfo=zone(tz))
