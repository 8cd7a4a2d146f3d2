"""Site adapters: turn a channel's list pages, article pages and feeds into plain records.

``get_adapter(source)`` picks the adapter named by the registry entry (``adapter: nukeviet``,
``adapter: baodongnai``, or ``adapter: generic`` for a site of unknown platform). Selectors are
hints: code defaults overridden by ``source.adapter_options``, tried first and validated; when
they miss, layout-independent methods take over, so a re-themed site keeps extracting.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from portal_etl.adapters.baodongnai import BaoDongNaiAdapter
from portal_etl.adapters.base import Adapter
from portal_etl.adapters.generic import GenericAdapter
from portal_etl.adapters.nukeviet import NukeVietAdapter
from portal_etl.registry.schema import Source

ADAPTERS: dict[str, type[Adapter]] = {
    "nukeviet": NukeVietAdapter,
    "baodongnai": BaoDongNaiAdapter,
    "generic": GenericAdapter,
}


def get_adapter(source: Source, now: Callable[[], datetime] | None = None) -> Adapter:
    """The adapter instance for ``source`` (``now`` overrides the clock, for tests)."""
    try:
        klass = ADAPTERS[source.adapter]
    except KeyError:
        raise ValueError(f"no adapter {source.adapter!r} (known: {', '.join(ADAPTERS)})") from None
    return klass(source, now=now)


__all__ = ["ADAPTERS", "Adapter", "BaoDongNaiAdapter", "GenericAdapter", "NukeVietAdapter", "get_adapter"]
