"""HTTP fetch layer: polite, bounded, SSRF-guarded page fetching and HTML decoding.

``Fetcher.get(url, state)`` returns a :class:`FetchResult` whose ``outcome`` is one of
:data:`OUTCOMES` (documented in :mod:`portal_etl.fetch.outcomes`); it never raises for network
or HTTP problems.
"""

from portal_etl.fetch.client import (
    DEFAULT_USER_AGENT,
    MAX_REDIRECTS,
    Fetcher,
    FetchResult,
    PageState,
    parse_retry_after,
)
from portal_etl.fetch.decode import decode_html, looks_like_html
from portal_etl.fetch.outcomes import OUTCOMES
from portal_etl.fetch.ratelimit import InProcessRateLimiter, RateLimiter
from portal_etl.fetch.robots import RobotsRules

__all__ = [
    "DEFAULT_USER_AGENT",
    "MAX_REDIRECTS",
    "OUTCOMES",
    "FetchResult",
    "Fetcher",
    "InProcessRateLimiter",
    "PageState",
    "RateLimiter",
    "RobotsRules",
    "decode_html",
    "looks_like_html",
    "parse_retry_after",
]
