"""The report's English-version figures: integrated articles that have an English version, by
origin (the source's own translation or a machine translation), per channel (the article's
primary channel), for the month and cumulatively: the share of the portal an English reader can
use, and how much of it the newspapers translated themselves.

Read from ``integration.month_summary`` (``english_source`` / ``english_machine`` beside
``integrated``, sql/010), which the load and the translate step keep current: the cumulative
figure costs a few summary rows, not a scan of every article and translation.
"""

from __future__ import annotations

from typing import Any

LABELS = {
    "integrated": "Đã tích hợp",
    "source": "Bản tiếng Anh của nguồn",
    "machine": "Bản dịch máy",
    "any": "Có bản tiếng Anh",
    "none": "Chưa có bản tiếng Anh",
}
TITLE = "Bản tiếng Anh của tin, bài đã tích hợp"


def _empty() -> dict[str, int]:
    return {"integrated": 0, "source": 0, "machine": 0, "any": 0, "none": 0}


def english_versions(rows: list[dict[str, Any]], month: str, channels: list[str]) -> dict[str, Any]:
    """``{"month"|"cumulative": {"total": F, "channels": {id: F}}}`` with F = integrated, source,
    machine, any, none, from summary rows (``month``, ``source_id``, ``integrated``,
    ``english_source``, ``english_machine``) of the months up to ``month``."""
    out: dict[str, Any] = {}
    for scope in ("month", "cumulative"):
        total = _empty()
        by_channel = {c: _empty() for c in channels}
        for row in rows:
            if scope == "month" and row["month"] != month:
                continue
            source, machine = row["english_source"], row["english_machine"]
            for figures in (total, by_channel.setdefault(row["source_id"], _empty())):
                figures["integrated"] += row["integrated"]
                figures["source"] += source
                figures["machine"] += machine
                figures["any"] += source + machine
                figures["none"] += row["integrated"] - source - machine
        out[scope] = {"total": total, "channels": by_channel}
    return out
