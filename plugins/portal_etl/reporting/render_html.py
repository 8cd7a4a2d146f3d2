"""The report as one self-contained HTML page (the e-mail body and the file on disk): the chart
is embedded as a base64 data URI, so the page shows everything with no other file."""

from __future__ import annotations

import base64
from html import escape
from typing import Any

from portal_etl.reporting.english_versions import LABELS as EN_LABELS
from portal_etl.reporting.english_versions import TITLE as EN_TITLE
from portal_etl.reporting.render_text import SCOPES, scope_title
from portal_etl.reporting.vi_format import (
    ALL_LABEL,
    CHANGE_LABEL,
    CHANNEL_LABEL,
    CHART_TITLE,
    COUNT_METRICS,
    GAP_COLUMN_LABELS,
    GAP_GROUP_LABELS,
    GAPS_TITLE,
    METRIC_LABELS,
    RATE_CHART_TITLE,
    RATE_NOTE,
    TITLE,
    TYPE_LABEL,
    day_label,
    fmt_int,
    fmt_pct,
    fmt_signed,
    gap_reason_label,
    month_label,
    reason_label,
)
from portal_etl.vocabulary import REASONS

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 17px; margin-top: 28px; } h3 { font-size: 15px; } h4 { font-size: 14px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #bbb; padding: 4px 8px; } th { background: #eef2f7; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } tr.total td { font-weight: bold; }
p.note { font-size: 13px; color: #555; }
"""


def _row(cells: list[str], numeric_from: int = 1, css: str = "") -> str:
    tds = "".join(
        f'<td class="n">{escape(c)}</td>' if i >= numeric_from else f"<td>{escape(c)}</td>" for i, c in enumerate(cells)
    )
    return f'<tr class="{css}">{tds}</tr>' if css else f"<tr>{tds}</tr>"


def _table(headers: list[str], rows: list[str]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _cells(f: dict[str, Any]) -> list[str]:
    return [*(fmt_int(f[k]) for k in COUNT_METRICS), fmt_pct(f["publish_rate"])]


def _scope_section(payload: dict[str, Any], scope: str) -> str:
    names = {c["source_id"]: c["name"] for c in payload["channels"]}
    labels = {t["code"]: t["label"] for t in payload["item_types"]}
    block = payload[scope]
    headers = [METRIC_LABELS[k] for k in COUNT_METRICS] + [METRIC_LABELS["publish_rate"]]
    by_channel = [_row([names[c], *_cells(block["channels"][c])]) for c in names]  # payload list order
    by_channel.append(_row([ALL_LABEL, *_cells(block["total"])], css="total"))
    by_type = [_row([labels[t], *_cells(block["types"][t])]) for t in labels]
    reasons = [r for r in REASONS if block["total"]["rejected_by_reason"].get(r)]
    reason_rows = [
        _row(
            [
                reason_label(r),
                *(fmt_int(block["channels"][c]["rejected_by_reason"].get(r, 0)) for c in names),
                fmt_int(block["total"]["rejected_by_reason"][r]),
            ]
        )
        for r in reasons
    ]
    parts = [
        f'<section id="{scope}"><h2>{escape(scope_title(payload, scope))}</h2>',
        "<h3>Theo kênh</h3>",
        _table([CHANNEL_LABEL, *headers], by_channel),
        "<h3>Theo loại tin</h3>",
        _table([TYPE_LABEL, *headers], by_type),
        "<h3>Lý do bị loại</h3>",
        _table(["Lý do", *names.values(), ALL_LABEL], reason_rows) if reason_rows else "<p>Không có.</p>",
        "</section>",
    ]
    return "\n".join(parts)


def _change_section(payload: dict[str, Any]) -> str:
    names = {c["source_id"]: c["name"] for c in payload["channels"]}
    mom = payload["month_over_month"]
    rows = []
    for source_id, d in [*((c, mom["channels"][c]) for c in names), ("", mom["total"])]:
        i, p, r = d["integrated"], d["published"], d["publish_rate"]
        rows.append(
            _row(
                [
                    names.get(source_id, ALL_LABEL),
                    fmt_int(i["previous"]),
                    fmt_int(i["current"]),
                    fmt_signed(i["change"]),
                    fmt_pct(i["change_pct"], signed=True),
                    fmt_int(p["previous"]),
                    fmt_int(p["current"]),
                    fmt_pct(r["previous"]),
                    fmt_pct(r["current"]),
                ],
                css="total" if not source_id else "",
            )
        )
    previous = month_label(payload["period"]["previous_month"])
    headers = [
        CHANNEL_LABEL,
        f"Tích hợp {previous.lower()}",
        "Tích hợp tháng này",
        "Thay đổi",
        "Thay đổi (%)",
        "Đã đăng tháng trước",
        "Đã đăng tháng này",
        "Tỉ lệ tháng trước",
        "Tỉ lệ tháng này",
    ]
    return f'<section id="change"><h2>{escape(CHANGE_LABEL)}</h2>{_table(headers, rows)}</section>'


def _english_section(payload: dict[str, Any]) -> str:
    """Integrated articles with an English version, by origin, per channel."""
    english = payload.get("english_versions")
    if not english:
        return ""
    names = {c["source_id"]: c["name"] for c in payload["channels"]}
    keys = ("integrated", "source", "machine", "any")
    parts = [f'<section id="english"><h2>{escape(EN_TITLE)}</h2>']
    for scope in SCOPES:
        block = english[scope]
        rows = [_row([names[c], *(fmt_int(block["channels"].get(c, {}).get(k, 0)) for k in keys)]) for c in names]
        rows.append(_row([ALL_LABEL, *(fmt_int(block["total"][k]) for k in keys)], css="total"))
        parts += [
            f"<h3>{escape(scope_title(payload, scope))}</h3>",
            _table([CHANNEL_LABEL, *(EN_LABELS[k] for k in keys)], rows),
        ]
    return "\n".join(parts) + "</section>"


def _gaps_section(payload: dict[str, Any]) -> str:
    """What keeps the month's items out, per channel: rates, then every item an editor can act on."""
    gaps = payload.get("gaps")
    if not gaps:
        return ""
    names = {c["source_id"]: c["name"] for c in payload["channels"]}
    summary = [
        _row(
            [
                names.get(c, c),
                fmt_int(g["counts"]["channel"]),
                fmt_int(g["counts"]["policy"]),
                fmt_int(g["counts"]["editor"]),
                fmt_pct(g["publish_rate"]),
                fmt_int(g["would_enter_if_fixed"]),
                fmt_pct(g["publish_rate_if_fixed"]),
            ]
        )
        for c, g in ((c, gaps["channels"][c]) for c in names if c in gaps["channels"])  # payload order
    ]
    headers = [
        CHANNEL_LABEL,
        *(GAP_GROUP_LABELS[k] for k in ("channel", "policy", "editor")),
        GAP_COLUMN_LABELS["publish_rate"],
        GAP_COLUMN_LABELS["would_enter_if_fixed"],
        GAP_COLUMN_LABELS["publish_rate_if_fixed"],
    ]
    parts = [f'<section id="gaps"><h2>{escape(GAPS_TITLE)}</h2>', _table(headers, summary)]
    item_headers = [GAP_COLUMN_LABELS[k] for k in ("published_date", "title", "reason")]
    for source_id, g in ((c, gaps["channels"][c]) for c in names if c in gaps["channels"]):
        if not g["items"]:
            continue
        parts.append(f"<h3>{escape(names.get(source_id, source_id))}</h3>")
        for group in ("channel", "policy", "editor"):
            rows = [
                f'<tr data-item="{it["item_id"]}" data-group="{group}">'
                f"<td>{escape(day_label(it['published_date']))}</td>"
                f'<td><a href="{escape(it["url"])}">{escape(it["title"])}</a></td>'
                f"<td>{escape(gap_reason_label(it['reason'], it['waiting_review']))}</td></tr>"
                for it in g["items"]
                if it["group"] == group
            ]
            if rows:
                parts += [
                    f"<h4>{escape(GAP_GROUP_LABELS[group])} ({fmt_int(len(rows))})</h4>",
                    _table(item_headers, rows),
                ]
    return "\n".join(parts) + "</section>"


def render_html(payload: dict[str, Any], chart_png: bytes, rate_chart_png: bytes | None = None) -> str:
    label = month_label(payload["period"]["month"])
    data_uri = "data:image/png;base64," + base64.b64encode(chart_png).decode("ascii")
    figures = [f'<figure><img id="chart" src="{data_uri}" alt="{escape(CHART_TITLE)}"></figure>']
    if rate_chart_png is not None:
        rate_uri = "data:image/png;base64," + base64.b64encode(rate_chart_png).decode("ascii")
        figures.append(f'<figure><img id="rate-chart" src="{rate_uri}" alt="{escape(RATE_CHART_TITLE)}"></figure>')
    body = [
        f"<h1>{escape(TITLE)}<br>{escape(label)}</h1>",
        *figures,
        *(_scope_section(payload, scope) for scope in SCOPES),
        _change_section(payload),
        _gaps_section(payload),
        _english_section(payload),
        f'<p class="note">{escape(RATE_NOTE)}</p>',
    ]
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(TITLE)} – {escape(label)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
