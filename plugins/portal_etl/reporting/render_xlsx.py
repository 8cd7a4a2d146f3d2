"""The report as an XLSX workbook: a readable sheet with the chart, and a data sheet whose cells
are numbers (the flat rows of the CSV), so the department can filter and sum them."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from portal_etl.reporting.render_text import column_labels, flat_rows, gap_column_labels, gap_rows, scope_title
from portal_etl.reporting.vi_format import (
    ALL_LABEL,
    CHANNEL_LABEL,
    COUNT_METRICS,
    METRIC_LABELS,
    RATE_NOTE,
    TITLE,
    month_label,
)

REPORT_SHEET = "Báo cáo"
DATA_SHEET = "Dữ liệu"
GAPS_SHEET = "Chưa tích hợp"  # what keeps items out (reporting/gaps.py), one row per channel then per item
GAPS_KEYS = (
    "source_id",
    "channel",
    "item_type",
    "publish_rate",
    "gap_channel",
    "gap_policy",
    "gap_editor",
    "would_enter_if_fixed",
    "publish_rate_if_fixed",
    "item_id",
    "published_date",
    "title",
    "url",
    "gap_reason",
    "gap_reason_label",
    "gap_waiting_review",
    "gap_group",
    "gap_group_label",
)
INT_FORMAT = "#,##0"
RATE_FORMAT = "0.0%"
# workbook properties pinned so that the same payload gives the same workbook metadata
FIXED_TIME = datetime(2023, 3, 29)


def _write_channel_table(ws, row: int, payload: dict[str, Any], scope: str) -> int:
    from openpyxl.styles import Font

    names = {c["source_id"]: c["name"] for c in payload["channels"]}
    ws.cell(row=row, column=1, value=scope_title(payload, scope)).font = Font(bold=True, size=12)
    row += 1
    headers = [CHANNEL_LABEL, *(METRIC_LABELS[k] for k in COUNT_METRICS), METRIC_LABELS["publish_rate"]]
    for col, text in enumerate(headers, start=1):
        ws.cell(row=row, column=col, value=text).font = Font(bold=True)
    block = payload[scope]
    for source_id, f in [*((c, block["channels"][c]) for c in names), ("", block["total"])]:
        row += 1
        ws.cell(row=row, column=1, value=names.get(source_id, ALL_LABEL))
        for col, key in enumerate(COUNT_METRICS, start=2):
            ws.cell(row=row, column=col, value=f[key]).number_format = INT_FORMAT
        rate = ws.cell(row=row, column=len(headers), value=f["publish_rate"])
        rate.number_format = RATE_FORMAT
    return row + 2


def render_xlsx(payload: dict[str, Any], chart_png: bytes) -> bytes:
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = REPORT_SHEET
    ws.cell(row=1, column=1, value=TITLE).font = Font(bold=True, size=14)
    ws.cell(row=2, column=1, value=month_label(payload["period"]["month"])).font = Font(bold=True, size=13)
    row = 4
    for scope in ("month", "cumulative"):
        row = _write_channel_table(ws, row, payload, scope)
    ws.cell(row=row, column=1, value=RATE_NOTE)
    ws.column_dimensions["A"].width = 48
    for letter in "BCDEFG":
        ws.column_dimensions[letter].width = 16
    image = Image(io.BytesIO(chart_png))
    ws.add_image(image, f"A{row + 2}")

    data = wb.create_sheet(DATA_SHEET)
    labels = column_labels()
    keys = list(labels)
    data.append([labels[k] for k in keys])
    for flat in flat_rows(payload):
        data.append([flat[k] for k in keys])
    rate_col = keys.index("publish_rate") + 1
    for cells in data.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, int):
                cell.number_format = INT_FORMAT
        cells[rate_col - 1].number_format = RATE_FORMAT
    data.freeze_panes = "A2"

    rows = gap_rows(payload)
    if rows:
        gaps = wb.create_sheet(GAPS_SHEET)
        labels = {**column_labels(), **gap_column_labels()}
        gaps.append([labels[k] for k in GAPS_KEYS])
        for flat in rows:
            gaps.append([flat.get(k) for k in GAPS_KEYS])
        for cells in gaps.iter_rows(min_row=2):
            for key, cell in zip(GAPS_KEYS, cells, strict=True):
                if key.startswith("publish_rate"):
                    cell.number_format = RATE_FORMAT
                elif isinstance(cell.value, int):
                    cell.number_format = INT_FORMAT
        gaps.freeze_panes = "A2"

    wb.properties.creator = "portal-etl"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
