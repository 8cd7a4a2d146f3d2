"""The report's chart: integrated items per month per channel, as PNG bytes (matplotlib, Agg).

Agg renders without a display (workers have none); matplotlib is imported only here, when a
report is built, never when a DAG file is parsed.
"""

from __future__ import annotations

import io
from typing import Any

from portal_etl.reporting.vi_format import CHART_TITLE, fmt_int, short_month

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
    ax.set_xticks(range(len(months)), [short_month(m) for m in months], rotation=45, ha="right", fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0,5 ticks
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_int(int(v))))
    ax.set_title(CHART_TITLE, fontsize=11)
    ax.set_ylabel("Số tin, bài")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})  # no version stamp: same data, same bytes
    return buf.getvalue()
