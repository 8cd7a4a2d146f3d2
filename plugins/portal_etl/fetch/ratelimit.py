"""Per-domain politeness: a minimum interval between two requests to the same netloc.

The fetcher only knows the :class:`RateLimiter` protocol. :class:`InProcessRateLimiter` spaces
the requests of every thread of one process. Several Airflow workers crawling the same site
need a shared implementation with the same one-method interface, e.g. a PostgreSQL table
``(netloc primary key, next_allowed timestamptz)`` updated under ``SELECT … FOR UPDATE``
(reserve ``greatest(now(), next_allowed)``, store it ``+ min_interval``, sleep until the
reserved slot outside the transaction), or a Redis key per netloc doing the same in a Lua
script. Pass it as ``Fetcher(rate_limiter=…)``. The PostgreSQL one is
:class:`portal_etl.fetch.shared_ratelimit.PostgresRateLimiter`, which pipeline runs use.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable


@runtime_checkable
class RateLimiter(Protocol):
    def wait(self, netloc: str, min_interval: float) -> None:
        """Block until a request to ``netloc`` may start, ``min_interval`` seconds after the
        previous one (as reserved by any caller sharing this limiter)."""


class InProcessRateLimiter:
    """Thread-safe slot reservation on a monotonic clock.

    Each call reserves the next free slot for the netloc under a lock and then sleeps until it
    outside the lock, so concurrent threads are spaced ``min_interval`` apart in arrival order
    and one waiting thread never blocks other netlocs.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_allowed: dict[str, float] = {}

    def reserve(self, netloc: str, min_interval: float) -> float:
        """Reserve the next slot and return how long to wait for it (seconds, ≥ 0)."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next_allowed.get(netloc, now))
            self._next_allowed[netloc] = start + max(0.0, min_interval)
            return start - now

    def wait(self, netloc: str, min_interval: float) -> None:
        delay = self.reserve(netloc, min_interval)
        if delay > 0:
            self._sleep(delay)
