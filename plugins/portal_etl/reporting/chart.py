"""The report's charts as PNG bytes (matplotlib, Agg): integrated items per month per channel
(bars), and the publish rate per channel over the last 12 months (lines).

Agg renders without a display (workers have none); matplotlib is imported only here, when a
report is built, never when a DAG file is parsed.
"""

from __future__ import annotations

import io
from typing import Any

from portal_etl.reporting.vi_format import ALL_LABEL, CHART_TITLE, RATE_CHART_TITLE, fmt_int, fmt_pct, short_month

# colour-blind-safe (Okabe–Ito) colours, one per channel in registry order
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")
WIDTH_PX, HEIGHT_PX, DPI = 1000, 460, 100


def render_chart(payload: dict[str, Any]) -> bytes:
    """Grouped bars: for each month of the series, one bar per channel."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    months = payload["series"]["months"]
    channels = payload["channels"]
    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    ax = fig.add_subplot()
    width = 0.8 / max(len(channels), 1)
    for i, channel in enumerate(channels):
        values = payload["series"]["integrated"][channel["source_id"]]
        xs = [m + (i - (len(channels) - 1) / 2) * width for m in range(len(months))]
        ax.bar(xs, values, width=width, label=channel["name"], color=COLOURS[i % len(COLOURS)])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0,5 ticks
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_int(int(v))))
    return _png(fig, ax, months, CHART_TITLE, "Số tin, bài", "upper left")


def _png(fig: Any, ax: Any, months: list[str], title: str, ylabel: str, legend_loc: str) -> bytes:
    """Month labels, title, grid and legend, then the PNG bytes (no version stamp: same data,
    same bytes)."""
    ax.set_xticks(range(len(months)), [short_month(m) for m in months], rotation=45, ha="right", fontsize=8)
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc=legend_loc)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def render_rate_chart(payload: dict[str, Any]) -> bytes:
    """Lines: the publish rate of each channel (and in total, dashed) month by month; a month
    without a rate is a gap in its line, and markers keep a lone month visible."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    series = payload.get("rate_series") or {"months": [], "channels": {}, "total": []}
    months = series["months"]
    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    ax = fig.add_subplot()
    nan = float("nan")
    for i, channel in enumerate(payload["channels"]):
        values = series["channels"].get(channel["source_id"], [])
        ax.plot(
            range(len(values)),
            [nan if v is None else v for v in values],
            marker="o",
            linewidth=2,
            label=channel["name"],
            color=COLOURS[i % len(COLOURS)],
        )
    ax.plot(
        range(len(series["total"])),
        [nan if v is None else v for v in series["total"]],
        linestyle="--",
        color="#555555",
        linewidth=1.5,
        label=ALL_LABEL,
    )
    ax.set_ylim(-0.03, 1.05)  # a rate: the whole scale (a 0 % marker stays visible above the axis)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_pct(v, digits=0)))
    return _png(fig, ax, months, RATE_CHART_TITLE, "Tỉ lệ tích hợp", "lower left")
