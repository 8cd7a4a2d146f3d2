"""The report's English-version figures: integrated articles that have an English version, by
origin (the source's own translation or a machine translation), per channel (the article's
primary channel), for the month and cumulatively (issue #8).

Read from ``integration.article`` and ``integration.article_translation`` in the report's
snapshot; a payload block of plain integers, rendered by the text and HTML renderers.
"""

from __future__ import annotations

from typing import Any

ORIGINS = ("source", "machine")
LANGUAGE = "en"
LABELS = {"integrated": "Đã tích hợp", "source": "Bản tiếng Anh của nguồn", "machine": "Bản dịch máy",
          "any": "Có bản tiếng Anh", "none": "Chưa có bản tiếng Anh"}
TITLE = "Bản tiếng Anh của tin, bài đã tích hợp"


def _empty() -> dict[str, int]:
    return {"integrated": 0, "source": 0, "machine": 0, "any": 0, "none": 0}


def read_english_versions(cur, month: str, first_month: str, channels: list[str]) -> dict[str, Any]:
    """``{"month"|"cumulative": {"total": F, "channels": {id: F}}}`` with F = integrated, source,
    machine, any, none (articles by their story month)."""
    cur.execute(
        """SELECT a.story_month, a.primary_source_id, t.origin, count(*)
             FROM integration.article a
             LEFT JOIN integration.article_translation t ON t.story_key = a.story_key AND t.language = %s
            WHERE a.story_month >= %s AND a.story_month <= %s
            GROUP BY 1, 2, 3""",
        (LANGUAGE, first_month, month),
    )
    rows = cur.fetchall()
    out: dict[str, Any] = {}
    for scope in ("month", "cumulative"):
        total = _empty()
        by_channel = {c: _empty() for c in channels}
        for story_month, source_id, origin, n in rows:
            if scope == "month" and story_month != month:
                continue
            for figures in (total, by_channel.setdefault(source_id, _empty())):
                figures["integrated"] += n
                if origin in ORIGINS:
                    figures[origin] += n
                    figures["any"] += n
                else:
                    figures["none"] += n
        out[scope] = {"total": total, "channels": by_channel}
    return out
