"""Vietnamese wording and number formatting of the monthly report.

The department reads the report in Vietnamese: thousands are grouped with '.', decimals use
',' (2.555; 37,5%), months read "Tháng 4/2024". Every label the renderers show lives here, so
the wording is reviewed in one place.
"""

from __future__ import annotations

# item types in display order, with their Vietnamese labels (docs/vocabulary.md)
ITEM_TYPE_LABELS: dict[str, str] = {
    "tin": "tin",
    "bai": "bài",
    "video": "video clip",
    "podcast": "podcast",
    "infographic": "infographic",
    "photo": "phóng sự ảnh",
    "unknown": "chưa rõ loại",
}
ALWAYS_SHOWN_TYPES = ("tin", "bai", "video")  # the three the portal counts; others when present

REASON_LABELS: dict[str, str] = {
    "section_not_integrated": "chuyên mục không tích hợp",
    "before_window": "đăng trước ngày bắt đầu tích hợp",
    "too_short": "quá ngắn",
    "no_date": "không có ngày đăng",
    "language": "khác ngôn ngữ",
    "unknown_section": "chuyên mục chưa đăng ký",
    "possible_duplicate": "có thể trùng lặp",
    "editor": "biên tập viên loại",
}

METRIC_LABELS: dict[str, str] = {
    "published": "Đã đăng",
    "published_before_window": "Đăng trước ngày tích hợp",
    "integrated": "Đã tích hợp",
    "duplicates_merged": "Trùng lặp đã gộp",
    "rejected": "Bị loại",
    "waiting_review": "Chờ duyệt",
    "publish_rate": "Tỉ lệ tích hợp",
}
COUNT_METRICS = ("published", "integrated", "duplicates_merged", "rejected", "waiting_review")

TITLE = "Báo cáo tích hợp tin, bài lên Cổng Thông tin điện tử Đảng Cộng sản Việt Nam"
SCOPE_LABELS = {"month": "Trong tháng", "cumulative": "Lũy kế"}
ALL_LABEL = "Tổng cộng"
CHANNEL_LABEL = "Kênh"
TYPE_LABEL = "Loại tin"
CHANGE_LABEL = "So với tháng trước"
RATE_NOTE = (
    "Tỉ lệ tích hợp = số tin, bài đã tích hợp ÷ số tin, bài kênh đã đăng từ ngày bắt đầu "
    "tích hợp (các chuyên mục được thu thập)."
)
CHART_TITLE = "Số tin, bài được tích hợp theo tháng và kênh"
RATE_CHART_TITLE = "Tỉ lệ tích hợp theo kênh, 12 tháng gần nhất"
# the "what keeps items out" section (reporting/gaps.py)
GAPS_TITLE = "Vì sao tin, bài chưa được tích hợp"
GAP_GROUP_LABELS: dict[str, str] = {
    "channel": "Kênh có thể khắc phục",
    "policy": "Do chính sách tích hợp",
    "editor": "Biên tập viên đã loại",
}
WAITING_LABEL = "chờ biên tập viên duyệt"
GAP_COLUMN_LABELS: dict[str, str] = {
    "published_date": "Ngày đăng",
    "title": "Tiêu đề",
    "url": "Liên kết",
    "reason": "Lý do",
    "group": "Nhóm",
    "publish_rate": "Tỉ lệ tích hợp tháng",
    "publish_rate_if_fixed": "Tỉ lệ nếu kênh khắc phục",
    "would_enter_if_fixed": "Thêm nếu kênh khắc phục",
}


def month_label(month: str) -> str:
    """'2024-04' → 'Tháng 4/2024'."""
    year, mon = month.split("-")
    return f"Tháng {int(mon)}/{year}"


def short_month(month: str) -> str:
    """'2024-04' → '4/2024' (chart axis)."""
    year, mon = month.split("-")
    return f"{int(mon)}/{year}"


def day_label(iso_day: str) -> str:
    """'2023-03-29' → '29/3/2023'."""
    year, mon, day = iso_day.split("-")
    return f"{int(day)}/{int(mon)}/{year}"


def fmt_int(value: int | None) -> str:
    """2555 → '2.555'; None → '–'."""
    if value is None:
        return "–"
    sign = "-" if value < 0 else ""
    return sign + f"{abs(int(value)):,}".replace(",", ".")


def fmt_signed(value: int | None) -> str:
    """12 → '+12', -1234 → '-1.234', 0 → '0'."""
    if value is None:
        return "–"
    return ("+" if value > 0 else "") + fmt_int(value)


def fmt_pct(ratio: float | None, digits: int = 1, signed: bool = False) -> str:
    """0.375 → '37,5%'; None (no denominator) → '–'."""
    if ratio is None:
        return "–"
    text = f"{ratio * 100:+.{digits}f}" if signed else f"{ratio * 100:.{digits}f}"
    return text.replace(".", ",") + "%"


def type_label(code: str) -> str:
    return ITEM_TYPE_LABELS.get(code, code)


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, code)


def gap_reason_label(reason: str | None, waiting_review: bool) -> str:
    """'quá ngắn'; 'chờ biên tập viên duyệt: có thể trùng lặp'."""
    label = reason_label(reason) if reason else ""
    if waiting_review:
        return f"{WAITING_LABEL}: {label}" if label else WAITING_LABEL
    return label
