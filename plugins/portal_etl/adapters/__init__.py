"""Site adapters: turn a channel's list pages, article pages and feeds into plain records.

``get_adapter(source)`` picks the adapter named by the registry entry (``adapter: nukeviet`` or
``adapter: baodongnai``); selectors come from code defaults overridden by
``source.adapter_options``, so a new site on a known platform is a registry entry, not code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from portal_etl.adapters.baodongnai import BaoDongNaiAdapter
from portal_etl.adapters.base import Adapter
from portal_etl.adapters.nukeviet import NukeVietAdapter
from portal_etl.registry.schema import Source

ADAPTERS: dict[str, type[Adapter]] = {
    "nukeviet": NukeVietAdapter,
    "baodongnai": BaoDongNaiAdapter,
}


def get_adapter(source: Source, now: Callable[[], datetime] | None = None) -> Adapter:
    """The adapter instance for ``source`` (``now`` overrides the clock, for tests)."""
    try:
        klass = ADAPTERS[source.adapter]
    except KeyError:
        raise ValueError(f"no adapter {source.adapter!r} (known: {', '.join(ADAPTERS)})") from None
    return klass(source, now=now)


__all__ = ["ADAPTERS", "Adapter", "BaoDongNaiAdapter", "NukeVietAdapter", "get_adapter"]
