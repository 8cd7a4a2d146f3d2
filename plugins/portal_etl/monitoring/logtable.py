"""The metrics block printed at the end of every task log: aligned, one figure per line."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any


def _fmt(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, timedelta):
        return f"{value.total_seconds():.1f}s"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def format_metrics(title: str, metrics: Mapping[str, Any]) -> str:
    """``title`` then ``name  value`` lines; nested mappings are flattened with a dot."""
    flat: dict[str, Any] = {}
    for key, value in metrics.items():
        if isinstance(value, Mapping):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    width = max((len(k) for k in flat), default=0)
    return "\n".join([title, *(f"  {k:<{width}}  {_fmt(v):>8}" for k, v in flat.items())])


def log_metrics(log: logging.Logger, title: str, metrics: Mapping[str, Any]) -> None:
    log.info("%s", format_metrics(title, metrics))
