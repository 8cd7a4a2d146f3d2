"""The report as text: a terminal table (people) and CSV rows (spreadsheets).

Both are flat views of the payload; the CSV keeps codes beside the Vietnamese labels so a
machine can read it back, and plain integers so a spreadsheet sums them.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from portal_etl.reporting.english_versions import LABELS as EN_LABELS
from portal_etl.reporting.english_versions import TITLE as EN_TITLE
from portal_etl.reporting.vi_format import (
    ALL_LABEL,
    CHANGE_LABEL,
    CHANNEL_LABEL,
    COUNT_METRICS,
    GAP_COLUMN_LABELS,
    GAP_GROUP_LABELS,
    GAPS_TITLE,
    METRIC_LABELS,
    RATE_NOTE,
    SCOPE_LABELS,
    TITLE,
    TYPE_LABEL,
    day_label,
    fmt_int,
    fmt_pct,
    fmt_signed,
    gap_reason_label,
    month_label,
    reason_label,
    type_label,
)
from portal_etl.vocabulary import REASONS

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


GAPS_SCOPE = "gaps"  # the scope code of the "what keeps items out" rows


def gap_rows(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The "what keeps items out" block as flat rows: per channel one summary row (rates, counts
    by group), then one row per item not integrated (absent from payloads made before it)."""
    gaps = payload.get("gaps")
    if not gaps:
        return []
    names = {c["source_id"]: c["name"] for c in payload["channels"]}
    rows = []
    for source_id, g in ((c, gaps["channels"][c]) for c in names if c in gaps["channels"]):  # payload order
        common = {
            "scope": GAPS_SCOPE,
            "scope_label": GAPS_TITLE,
            "source_id": source_id,
            "channel": names.get(source_id, source_id),
        }
        rows.append(
            {
                **common,
                "item_type": ALL,
                "type_label": ALL_LABEL,
                "publish_rate": g["publish_rate"],
                **{f"gap_{k}": n for k, n in g["counts"].items()},
                "would_enter_if_fixed": g["would_enter_if_fixed"],
                "publish_rate_if_fixed": g["publish_rate_if_fixed"],
            }
        )
        for it in g["items"]:
            rows.append(
                {
                    **common,
                    "item_type": it["item_type"],
                    "type_label": type_label(it["item_type"]),
                    "item_id": it["item_id"],
                    "published_date": it["published_date"],
                    "title": it["title"],
                    "url": it["url"],
                    "gap_reason": it["reason"],
                    "gap_waiting_review": int(it["waiting_review"]),
                    "gap_reason_label": gap_reason_label(it["reason"], it["waiting_review"]),
                    "gap_group": it["group"],
                    "gap_group_label": GAP_GROUP_LABELS[it["group"]],
                }
            )
    return rows


def gap_column_labels() -> dict[str, str]:
    """Gap-row key → Vietnamese column heading (the columns the figure rows leave empty)."""
    return {
        **{f"gap_{g}": f"Số tin: {label.lower()}" for g, label in GAP_GROUP_LABELS.items()},
        "would_enter_if_fixed": GAP_COLUMN_LABELS["would_enter_if_fixed"],
        "publish_rate_if_fixed": GAP_COLUMN_LABELS["publish_rate_if_fixed"],
        "item_id": "Mã tin", "published_date": GAP_COLUMN_LABELS["published_date"],
        "title": GAP_COLUMN_LABELS["title"], "url": GAP_COLUMN_LABELS["url"], "gap_reason": "Mã lý do",
        "gap_reason_label": GAP_COLUMN_LABELS["reason"], "gap_waiting_review": "Chờ duyệt (1: có)",
        "gap_group": "Mã nhóm", "gap_group_label": GAP_COLUMN_LABELS["group"],
    }  # fmt: skip


def render_csv(payload: dict[str, Any]) -> str:
    """CSV with a Vietnamese header row then the codes row-by-row; rate as a fraction. The figure
    rows come first, then the gap rows (scope ``gaps``) in the same columns plus their own."""
    labels = {**column_labels(), **gap_column_labels()}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(labels), lineterminator="\n")
    writer.writerow(labels)
    for row in [*flat_rows(payload), *gap_rows(payload)]:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths, strict=True)))
    out = [line, "-" * len(line)]
    for r in rows:
        out.append(
            "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        )
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


def gap_lines(payload: dict[str, Any], source_ids: list[str] | None = None) -> list[str]:
    """The "what keeps items out" block for a terminal (every channel, or ``source_ids``)."""
    gaps = payload.get("gaps")
    if not gaps:
        return []
    names = {c["source_id"]: c["name"] for c in payload["channels"]}
    shown = [c for c in names if c in gaps["channels"] and (source_ids is None or c in source_ids)]
    lines = ["", f"== {GAPS_TITLE} – {month_label(payload['period']['month'])}", ""]
    rows = [
        [
            names.get(c, c),
            *(fmt_int(gaps["channels"][c]["counts"][g]) for g in GAP_GROUP_LABELS),
            fmt_pct(gaps["channels"][c]["publish_rate"]),
            fmt_int(gaps["channels"][c]["would_enter_if_fixed"]),
            fmt_pct(gaps["channels"][c]["publish_rate_if_fixed"]),
        ]
        for c in shown
    ]
    lines += _table(
        [
            CHANNEL_LABEL,
            *GAP_GROUP_LABELS.values(),
            GAP_COLUMN_LABELS["publish_rate"],
            GAP_COLUMN_LABELS["would_enter_if_fixed"],
            GAP_COLUMN_LABELS["publish_rate_if_fixed"],
        ],
        rows,
    )
    for c in shown:
        for group, label in GAP_GROUP_LABELS.items():
            items = [it for it in gaps["channels"][c]["items"] if it["group"] == group]
            if not items:
                continue
            lines += ["", f"{names.get(c, c)} — {label} ({fmt_int(len(items))}):"]
            lines += [
                f"  {day_label(it['published_date'])}  #{it['item_id']}  {it['title']}\n"
                f"      {gap_reason_label(it['reason'], it['waiting_review'])} · {it['url']}"
                for it in items
            ]
    return lines


def what_if_lines(result: dict[str, Any], names: dict[str, str]) -> list[str]:
    """A what-if (reporting/whatif.py) for a terminal: rates before and after, and the items."""
    month = month_label(result["month"])
    lines = [f"Giả định: {'; '.join(result['changes'])} — {month}", *(f"Lưu ý: {n}" for n in result["notes"])]
    lines += [
        f"Đã tính lại {fmt_int(result['items_recomputed'])} tin, bài của {', '.join(result['channels_recomputed'])}"
        f"; {fmt_int(result['decisions_changed'])} quyết định sẽ đổi. Không ghi gì vào cơ sở dữ liệu."
    ]
    headers = [CHANNEL_LABEL, "Tích hợp hiện nay", "Tích hợp nếu đổi", "Tỉ lệ hiện nay", "Tỉ lệ nếu đổi"]
    for key, title in (("month_figures", month), ("cumulative_figures", f"Lũy kế từ {result['cumulative_since']}")):
        block = result[key]
        entries = [*((names.get(c, c), f) for c, f in block["channels"].items()), (ALL_LABEL, block["total"])]
        rows = [
            [
                name,
                fmt_int(f["integrated_before"]),
                fmt_int(f["integrated_after"]),
                fmt_pct(f["publish_rate_before"]),
                fmt_pct(f["publish_rate_after"]),
            ]
            for name, f in entries
        ]
        lines += ["", f"{title}:", *_table(headers, rows)]
    for key, title in (("entering", "Sẽ được tích hợp"), ("leaving", "Sẽ không còn được tích hợp")):
        items = result[key]
        in_month = [it for it in items if it["story_month"] == result["month"]]
        lines += ["", f"{title}: {fmt_int(len(items))} tin, bài ({fmt_int(len(in_month))} trong {month.lower()})"]
        lines += [
            f"  {day_label(it['published_date'])}  #{it['item_id']}  {names.get(it['source_id'], it['source_id'])}: "
            f"{it['title']}\n      {reason_label(it['reason_before']) if it['reason_before'] else ''} · "
            f"{it['url']}"
            for it in in_month
        ]
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
        rows = [
            [
                reason_label(r),
                *(fmt_int(block["channels"][c]["rejected_by_reason"].get(r, 0)) for c in names),
                fmt_int(block["total"]["rejected_by_reason"][r]),
            ]
            for r in reasons
        ]
        lines += (_table(["Lý do", *names.values(), ALL_LABEL], rows) if rows else ["(không có)"]) + [""]
    mom = payload["month_over_month"]
    lines += [f"== {CHANGE_LABEL} ({month_label(payload['period']['previous_month'])})", ""]
    rows = []
    for c, d in [*((c, mom["channels"][c]) for c in names), (ALL, mom["total"])]:
        i = d["integrated"]
        rows.append(
            [
                names.get(c, ALL_LABEL),
                fmt_int(i["previous"]),
                fmt_int(i["current"]),
                fmt_signed(i["change"]),
                fmt_pct(i["change_pct"], signed=True),
            ]
        )
    lines += _table([CHANNEL_LABEL, "Tháng trước", "Tháng này", "Thay đổi", "%"], rows)
    lines += gap_lines(payload)
    lines += english_lines(payload, names)
    lines += ["", RATE_NOTE]
    return "\n".join(lines) + "\n"
