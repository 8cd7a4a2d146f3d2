"""The closed vocabulary of fetch outcomes: every ``Fetcher.get`` returns exactly one of these.

======================  ===================================================================
outcome                 meaning
======================  ===================================================================
``ok``                  2xx response, body read completely, within the size cap.
``not_modified``        304 to a conditional GET (``If-None-Match`` / ``If-Modified-Since``
                        from the previous :class:`PageState`); no body.
``unchanged``           2xx whose body sha256 equals the previous state's hash (servers
                        that ignore conditional requests or change the ETag anyway).
``http_error``          a 4xx/5xx status (after retries for 429/5xx), or a 3xx the fetcher
                        cannot follow (no ``Location``).
``too_large``           body larger than ``max_bytes`` (declared or observed while
                        streaming); reading stopped, no content kept.
``timeout``             connect/read timeout (after retries) or the per-attempt wall-clock
                        budget ran out while the body was still arriving.
``connection_error``    DNS failure, refused/reset connection, TLS or protocol error, bad
                        content encoding (after retries where retrying can help).
``blocked_robots``      robots.txt disallows the URL for our user agent, or robots.txt was
                        unreachable (5xx, 429, network) which RFC 9309 treats as disallow-all.
``blocked_domain``      the URL (or a redirect target) is not in the source's
                        ``allowed_domains``, is a private/loopback IP literal not explicitly
                        allowed (SSRF guard), has a non-http(s) scheme or is malformed.
                        Checked before any connection is made.
``redirect_loop``       a redirect pointed back to a URL already visited in this chain.
``too_many_redirects``  more than ``MAX_REDIRECTS`` redirects.
``not_html``            reserved for the caller: the fetch worked but the body is not an HTML
                        page (see :func:`portal_etl.fetch.decode.looks_like_html`). The
                        fetcher itself never returns it.
======================  ===================================================================
"""

from __future__ import annotations

OK = "ok"
NOT_MODIFIED = "not_modified"
UNCHANGED = "unchanged"
HTTP_ERROR = "http_error"
TOO_LARGE = "too_large"
TIMEOUT = "timeout"
CONNECTION_ERROR = "connection_error"
BLOCKED_ROBOTS = "blocked_robots"
BLOCKED_DOMAIN = "blocked_domain"
REDIRECT_LOOP = "redirect_loop"
TOO_MANY_REDIRECTS = "too_many_redirects"
NOT_HTML = "not_html"

OUTCOMES: tuple[str, ...] = (
    OK,
    NOT_MODIFIED,
    UNCHANGED,
    HTTP_ERROR,
    TOO_LARGE,
    TIMEOUT,
    CONNECTION_ERROR,
    BLOCKED_ROBOTS,
    BLOCKED_DOMAIN,
    REDIRECT_LOOP,
    TOO_MANY_REDIRECTS,
    NOT_HTML,
)

# Outcomes after which the caller holds a usable body (``unchanged`` still carries the bytes).
CONTENT_OUTCOMES: frozenset[str] = frozenset({OK, UNCHANGED})
