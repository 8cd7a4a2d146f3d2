"""Per-domain politeness shared by every worker: slots reserved in PostgreSQL.

Why PostgreSQL and not Redis: every worker already talks to the pipeline database (Redis exists
only in a Celery deployment, as the broker, and a LocalExecutor or ``dag.test()`` run has none);
the database's clock is one clock for workers on any number of machines, so skewed worker
clocks cannot let two requests through together; and one upsert per request costs ~1 ms against
a politeness interval of seconds. The table is ``staging.domain_slot`` (``sql/008_domain_slot.sql``).

How: one atomic ``INSERT … ON CONFLICT DO UPDATE`` per request reserves the next slot of the
netloc, ``greatest(now, next_allowed)``, and moves ``next_allowed`` one interval past it. The
row lock serialises concurrent reservations; nobody holds a lock while sleeping. The caller
sleeps until its slot measured from the statement's start (``statement_timestamp()``), which
errs on the late side when the statement waited for the lock. What it cannot bound is the jitter
between a worker waking up and its request reaching the server (milliseconds).

:func:`rate_limiter_for` picks the implementation: ``PORTAL_ETL_RATE_LIMITER=postgres`` (the
default for pipeline runs) or ``process`` (:class:`InProcessRateLimiter`: one process only, for
unit tests and single-process tools).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from portal_etl import settings
from portal_etl.fetch.ratelimit import InProcessRateLimiter, RateLimiter

ENV_LIMITER = settings.RATE_LIMITER_ENV
LIMITER_KINDS = ("postgres", "process")

# Returns the wait in seconds: the reserved slot's start minus the statement's start.
_RESERVE_SQL = """
INSERT INTO staging.domain_slot AS s (netloc, next_allowed, reserved)
VALUES (%(netloc)s, statement_timestamp() + make_interval(secs => %(interval)s), 1)
ON CONFLICT (netloc) DO UPDATE
   SET next_allowed = greatest(statement_timestamp(), s.next_allowed) + make_interval(secs => %(interval)s),
       reserved = s.reserved + 1
RETURNING extract(epoch FROM s.next_allowed - make_interval(secs => %(interval)s) - statement_timestamp())
"""


class PostgresRateLimiter:
    """A :class:`~portal_etl.fetch.ratelimit.RateLimiter` whose slots live in ``staging.domain_slot``.

    Opens its own autocommit connection on first use (so a reservation never rides on, or
    commits, the caller's transaction); thread-safe; ``close()`` when done.
    """

    def __init__(self, dsn: str | None = None, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self._dsn = dsn
        self._sleep = sleep
        self._lock = threading.Lock()
        self._conn = None

    def _connection(self):
        if self._conn is None or self._conn.closed:
            from portal_etl.db import connect

            self._conn = connect(self._dsn, "portal-etl-ratelimit")
            self._conn.autocommit = True
        return self._conn

    def reserve(self, netloc: str, min_interval: float) -> float:
        """Reserve the next slot for ``netloc``; seconds to wait for it (≥ 0)."""
        if min_interval <= 0:
            return 0.0  # no politeness asked for: no round trip either
        with self._lock, self._connection().cursor() as cur:
            cur.execute(_RESERVE_SQL, {"netloc": netloc, "interval": float(min_interval)})
            delay = float(cur.fetchone()[0])
        return max(0.0, delay)

    def wait(self, netloc: str, min_interval: float) -> None:
        delay = self.reserve(netloc, min_interval)
        if delay > 0:
            self._sleep(delay)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def rate_limiter_for(dsn: str | None = None, kind: str | None = None) -> RateLimiter:
    """The limiter a pipeline run uses: ``kind`` or ``PORTAL_ETL_RATE_LIMITER`` (default postgres)."""
    kind = (kind or settings.rate_limiter_kind() or "postgres").strip().lower()
    if kind == "postgres":
        return PostgresRateLimiter(dsn)
    if kind == "process":
        return InProcessRateLimiter()
    raise ValueError(f"{ENV_LIMITER} must be one of {', '.join(LIMITER_KINDS)}, not {kind!r}")
