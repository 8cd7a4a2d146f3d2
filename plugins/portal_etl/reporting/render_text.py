"""The report as text: a terminal table (people) and CSV rows (spreadsheets).

Both are flat views of the payload; the CSV keeps codes beside the Vietnamese labels so a
machine can read it back, and plain integers so a spreadsheet sums them.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from portal_etl.pipeline.process.common import REASONS
from portal_etl.reporting.english_versions import LABELS as EN_LABELS
from portal_etl.reporting.english_versions import TITLE as EN_TITLE
from portal_etl.reporting.vi_format import (
    ALL_LABEL,
    CHANGE_LABEL,
    CHANNEL_LABEL,
    COUNT_METRICS,
    METRIC_LABELS,
    RATE_NOTE,
    SCOPE_LABELS,
    TITLE,
    TYPE_LABEL,
    fmt_int,
    fmt_pct,
    fmt_signed,
    month_label,
    reason_label,
)

SCOPES = ("month", "cumulative")
ALL = "*"  # the code of "every channel" / "every type" in flat rows


def scope_title(payload: dict[str, Any], scope: str) -> str:
    period = payload["period"]
    if scope == "month":
        return month_label(period["month"])
    return f"Lũy kế từ {period['cumulative_since_label']} đến hết {month_label(period['month']).lower()}"


def flat_rows(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per scope × (total | channel | type | channel × type): the CSV and the XLSX data sheet."""
    names = {c["source_id"]: c["name"] for c in payload["channels"]}
    labels = {t["code"]: t["label"] for t in payload["item_types"]}
    rows = []
    for scope in SCOPES:
        block = payload[scope]
        entries = [(ALL, ALL, block["total"])]
        entries += [(c, ALL, block["channels"][c]) for c in names]  # the payload's lists give the order
        entries += [(ALL, t, block["types"][t]) for t in labels]
        entries += [(c, t, block["channel_types"][c][t]) for c in names for t in labels]
        for source_id, item_type, f in entries:
            rows.append({
                "scope": scope, "scope_label": SCOPE_LABELS[scope],
                "source_id": source_id, "channel": names.get(source_id, ALL_LABEL),
                "item_type": item_type, "type_label": labels.get(item_type, ALL_LABEL),
                **{k: f[k] for k in ("published", "published_before_window", "integrated", "duplicates_merged",
                                     "rejected")},
                **{f"rejected_{r}": f["rejected_by_reason"].get(r, 0) for r in REASONS},
                "waiting_review": f["waiting_review"], "publish_rate": f["publish_rate"],
            })  # fmt: skip
    return rows


def column_labels() -> dict[str, str]:
    """Flat-row key → Vietnamese column heading."""
    return {
        "scope": "Mã phạm vi", "scope_label": "Phạm vi", "source_id": "Mã kênh", "channel": CHANNEL_LABEL,
        "item_type": "Mã loại", "type_label": TYPE_LABEL,
        **{k: METRIC_LABELS[k] for k in ("published", "published_before_window", "integrated",
                                         "duplicates_merged", "rejected")},
        **{f"rejected_{r}": f"Bị loại: {reason_label(r)}" for r in REASONS},
        "waiting_review": METRIC_LABELS["waiting_review"], "publish_rate": METRIC_LABELS["publish_rate"],
    }  # fmt: skip


def render_csv(payload: dict[str, Any]) -> str:
    """CSV with a Vietnamese header row then the codes row-by-row; rate as a fraction."""
    labels = column_labels()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(labels), lineterminator="\n")
    writer.writerow(labels)
    for row in flat_rows(payload):
        writer.writerow({**row, "publish_rate": "" if row["publish_rate"] is None else row["publish_rate"]})
    return out.getvalue()


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths,
                                                                                       strict=True)))
    out = [line, "-" * len(line)]
    for r in rows:
        out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths,
                                                                                                strict=True))))
    return out


def _figure_cells(f: dict[str, Any]) -> list[str]:
    return [*(fmt_int(f[k]) for k in COUNT_METRICS), fmt_pct(f["publish_rate"])]


def english_lines(payload: dict[str, Any], names: dict[str, str]) -> list[str]:
    """The English-version figures (absent from payloads made before they existed)."""
    english = payload.get("english_versions")
    if not english:
        return []
    keys = ("integrated", "source", "machine", "any")
    lines = ["", f"== {EN_TITLE}"]
    for scope in SCOPES:
        block = english[scope]
        rows = [[names.get(c, c), *(fmt_int(block["channels"].get(c, {}).get(k, 0)) for k in keys)] for c in names]
        rows.append([ALL_LABEL, *(fmt_int(block["total"][k]) for k in keys)])
        lines += ["", f"{scope_title(payload, scope)}:"]
        lines += _table([CHANNEL_LABEL, *(EN_LABELS[k] for k in keys)], rows)
    return lines


def render_table(payload: dict[str, Any]) -> str:
    """The report for a terminal."""
    names = {c["source_id"]: c["name"] for c in payload["channels"]}
    labels = {t["code"]: t["label"] for t in payload["item_types"]}
    metric_headers = [METRIC_LABELS[k] for k in COUNT_METRICS] + [METRIC_LABELS["publish_rate"]]
    lines = [TITLE.upper(), month_label(payload["period"]["month"]).upper(), ""]
    for scope in SCOPES:
        block = payload[scope]
        lines += [f"== {scope_title(payload, scope)}", "", "Theo kênh:"]
        rows = [[names[c], *_figure_cells(block["channels"][c])] for c in names]
        rows.append([ALL_LABEL, *_figure_cells(block["total"])])
        lines += _table([CHANNEL_LABEL, *metric_headers], rows) + ["", "Theo loại tin:"]
        rows = [[labels[t], *_figure_cells(block["types"][t])] for t in labels]
        lines += _table([TYPE_LABEL, *metric_headers], rows) + ["", "Lý do bị loại:"]
        reasons = [r for r in REASONS if block["total"]["rejected_by_reason"].get(r)]
        rows = [[reason_label(r), *(fmt_int(block["channels"][c]["rejected_by_reason"].get(r, 0)) for c in names),
                 fmt_int(block["total"]["rejected_by_reason"][r])] for r in reasons]
        lines += (_table(["Lý do", *names.values(), ALL_LABEL], rows) if rows else ["(không có)"]) + [""]
    mom = payload["month_over_month"]
    lines += [f"== {CHANGE_LABEL} ({month_label(payload['period']['previous_month'])})", ""]
    rows = []
    for c, d in [*((c, mom["channels"][c]) for c in names), (ALL, mom["total"])]:
        i = d["integrated"]
        rows.append([names.get(c, ALL_LABEL), fmt_int(i["previous"]), fmt_int(i["current"]), fmt_signed(i["change"]),
                     fmt_pct(i["change_pct"], signed=True)])
    lines += _table([CHANNEL_LABEL, "Tháng trước", "Tháng này", "Thay đổi", "%"], rows)
    lines += english_lines(payload, names)
    lines += ["", RATE_NOTE]
    return "\n".join(lines) + "\n"
