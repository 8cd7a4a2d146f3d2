"""The HTTP fetcher: polite, bounded, and never raising for network or HTTP problems.

One :meth:`Fetcher.get` = robots.txt check → per-domain rate limit → GET (streamed, size-capped,
wall-clock-bounded) → bounded retries with backoff on 429/5xx/connection errors → redirects
followed by hand, each hop re-checked against ``allowed_domains`` and robots.txt → a
:class:`FetchResult` whose ``outcome`` is one of :data:`portal_etl.fetch.outcomes.OUTCOMES`.
"""

from __future__ import annotations

import hashlib
import http.client
import random
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin, urlsplit

import requests
import urllib3
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError

from portal_etl.fetch import outcomes
from portal_etl.fetch.ratelimit import InProcessRateLimiter, RateLimiter
from portal_etl.fetch.robots import ROBOTS_MAX_BYTES, RobotsCache, RobotsRules
from portal_etl.fetch.urls import UrlRefused, check_url, netloc_key, normalise_domains

if TYPE_CHECKING:
    from portal_etl.registry.schema import Source

# The brief's limit. A CMS needs 1-3 hops (http→https, www, canonical); 10 leaves room for
# shorteners while stopping runaway chains early (requests' own default is 30).
MAX_REDIRECTS = 10
# RFC 9309 §2.3.1.2: crawlers SHOULD follow at least five redirects when fetching robots.txt.
ROBOTS_MAX_REDIRECTS = 5
# Read size per socket read: 64 KiB is the usual TCP receive window scale, so one read drains
# what has arrived without many tiny calls, and the size cap overshoots by at most this much.
CHUNK_BYTES = 64 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# 429 and 5xx are transient by definition, except 501 Not Implemented and 505 HTTP Version
# Not Supported, which will not change on a retry.
RETRY_STATUSES = frozenset({429} | set(range(500, 600))) - {501, 505}

USER_AGENT_TEMPLATE = "portal-etl/{version} (+Đồng Nai news integration; contact via project README)"
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPT_LANGUAGE = "vi,en;q=0.8"


def _package_version() -> str:
    try:
        return version("portal-etl")
    except PackageNotFoundError:  # running from a source checkout (plugins/ on sys.path)
        return "0.1.0"  # keep in step with pyproject.toml [project] version


def ascii_safe(text: str) -> str:
    """Header-safe ASCII: Vietnamese letters lose their marks (``Đồng`` → ``Dong``), control
    characters and line breaks (header injection) become spaces."""
    text = text.translate(str.maketrans({"Đ": "D", "đ": "d", "Ð": "D", "ð": "d"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


DEFAULT_USER_AGENT = ascii_safe(USER_AGENT_TEMPLATE.format(version=_package_version()))


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 HTTP-dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class PageState:
    """What a previous fetch of a URL left behind, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None
    content_sha256: str | None = None

    def conditional_headers(self) -> dict[str, str]:
        headers = {}
        for name, value in (("If-None-Match", self.etag), ("If-Modified-Since", self.last_modified)):
            if value and "\r" not in value and "\n" not in value:
                headers[name] = value
        return headers


@dataclass
class FetchResult:
    """The outcome of one :meth:`Fetcher.get` (redirects and retries included).

    ``headers`` are those of the last response, keys lower-cased. ``sha256`` is the hex digest
    of ``content`` (``ok``/``unchanged`` only). ``bytes_read`` counts body bytes received
    (after content decoding), also for ``too_large``/``timeout`` where ``content`` is empty.
    ``attempts`` counts HTTP requests sent for the page (retries and redirect hops; robots.txt
    not included). ``redirects`` lists every redirect target in order, ``final_url`` is the
    last URL requested (or refused).
    """

    url: str
    final_url: str
    status: int | None
    outcome: str
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    sha256: str | None = None
    bytes_read: int = 0
    duration_ms: int = 0
    attempts: int = 0
    redirects: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == outcomes.OK

    def page_state(self) -> PageState | None:
        """State to store for the next conditional GET, when this fetch produced a body."""
        if self.outcome not in outcomes.CONTENT_OUTCOMES:
            return None
        return PageState(
            etag=self.headers.get("etag"),
            last_modified=self.headers.get("last-modified"),
            content_sha256=self.sha256,
        )


@dataclass
class _Exchange:
    """One HTTP request/response (or its failure), before retry/redirect decisions."""

    kind: str  # "response", or an outcome: timeout / connection_error / too_large
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""
    bytes_read: int = 0
    error: str | None = None
    retryable: bool = False


class Fetcher:
    """Fetch pages of one source. Thread-safe; reuse one instance for a whole crawl.

    Politeness: ``min_interval_seconds`` between requests to one netloc (raised to the
    robots.txt ``Crawl-delay`` if larger), via ``rate_limiter`` (default: one
    :class:`InProcessRateLimiter` per fetcher; pass a shared one to space several fetchers).
    ``timeout_seconds`` is the wall-clock budget of one attempt: connect, headers and the whole
    body. Retries: up to ``max_retries`` more attempts on 429, 5xx (not 501/505), connection
    errors and connect/header timeouts, waiting ``backoff_seconds × 2^(n-1)`` (capped at
    ``max_backoff_seconds``, equal jitter) or the server's ``Retry-After``; a ``Retry-After``
    beyond ``max_backoff_seconds`` is not waited for and the attempt's error is returned.
    A body that is still arriving when the budget runs out is not retried (a trickling server
    would only be loaded again). ``on_event`` receives every final result; its exceptions
    propagate.

    Defaults mirror ``registry.schema.FetchOptions`` (20 s, 5 MB, 3 retries, 2 s backoff);
    ``max_backoff_seconds=60`` keeps one URL from stalling a worker for more than a minute per
    retry while still covering the usual ``Retry-After: 30``/``60`` of rate-limited servers.

    Known limit: the headers phase is bounded by urllib3's total timeout per socket read, so a
    server trickling its *headers* byte by byte is only cut off by http.client's header size
    limits; the body phase is bounded by the wall clock.
    """

    def __init__(
        self,
        *,
        allowed_domains: list[str],
        user_agent: str | None = None,
        timeout_seconds: float = 20,
        max_bytes: int = 5_000_000,
        max_retries: int = 3,
        backoff_seconds: float = 2.0,
        max_backoff_seconds: float = 60,
        rate_limiter: RateLimiter | None = None,
        min_interval_seconds: float = 0.0,
        respect_robots: bool = True,
        on_event: Callable[[FetchResult], None] | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.allowed_domains = normalise_domains(allowed_domains)
        if not self.allowed_domains:
            raise ValueError("a Fetcher needs at least one allowed domain (host[:port])")
        if timeout_seconds <= 0 or max_bytes <= 0 or max_retries < 0:
            raise ValueError("timeout_seconds and max_bytes must be > 0, max_retries >= 0")
        self.user_agent = ascii_safe(user_agent) if user_agent else DEFAULT_USER_AGENT
        # robots.txt groups are matched on the product token, the UA up to the first "/".
        self.robots_token = self.user_agent.split("/", 1)[0].split()[0]
        self.timeout_seconds = float(timeout_seconds)
        self.max_bytes = int(max_bytes)
        self.max_retries = int(max_retries)
        self.backoff_seconds = max(0.0, float(backoff_seconds))
        self.max_backoff_seconds = max(0.0, float(max_backoff_seconds))
        self.min_interval_seconds = max(0.0, float(min_interval_seconds))
        self.respect_robots = respect_robots
        self._on_event = on_event
        self._sleep = sleep
        self._rng = rng
        self._rate_limiter = rate_limiter or InProcessRateLimiter(sleep=sleep)
        self._own_session = session is None
        self._session = session or requests.Session()
        self._robots = RobotsCache(self._load_robots)

    @classmethod
    def for_source(cls, source: Source, **kw: Any) -> Fetcher:
        """A fetcher configured from a registry entry; keyword arguments override it."""
        params: dict[str, Any] = {
            "allowed_domains": list(source.allowed_domains),
            "timeout_seconds": source.fetch.timeout_seconds,
            "max_bytes": source.fetch.max_bytes,
            "max_retries": source.fetch.max_retries,
            "backoff_seconds": source.fetch.backoff_seconds,
            "min_interval_seconds": source.politeness.min_interval_seconds,
        }
        params.update(kw)
        return cls(**params)

    def close(self) -> None:
        if self._own_session:
            self._session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Public entry point ------------------------------------------------------------------

    def get(self, url: str, state: PageState | None = None) -> FetchResult:
        """Fetch ``url`` (conditionally if ``state`` is given). Never raises for network or
        HTTP problems: the result's ``outcome`` says what happened."""
        started = time.monotonic()
        result = self._get(url, state)
        result.duration_ms = int(round((time.monotonic() - started) * 1000))
        if self._on_event is not None:
            self._on_event(result)
        return result

    # Redirect chain ----------------------------------------------------------------------

    def _get(self, url: str, state: PageState | None) -> FetchResult:
        conditional = state.conditional_headers() if state else {}
        redirects: list[str] = []
        visited: set[str] = set()
        attempts = 0
        current = url

        def done(outcome: str, ex: _Exchange | None = None, **kw: Any) -> FetchResult:
            headers = ex.headers if ex else {}
            values: dict[str, Any] = {
                "url": url,
                "final_url": current,
                "status": ex.status if ex else None,
                "outcome": outcome,
                "headers": headers,
                "content_type": headers.get("content-type"),
                "bytes_read": ex.bytes_read if ex else 0,
                "attempts": attempts,
                "redirects": redirects,
                "error": ex.error if ex else None,
            }
            values.update(kw)
            return FetchResult(**values)

        while True:
            try:
                current = check_url(current, self.allowed_domains)
            except UrlRefused as exc:
                return done(outcomes.BLOCKED_DOMAIN, error=str(exc))
            visited.add(_canonical(current))
            interval = self.min_interval_seconds
            if self.respect_robots:
                rules = self._robots.rules_for(current)
                if not rules.allowed(current):
                    return done(outcomes.BLOCKED_ROBOTS, error=f"robots.txt: {rules.reason}")
                if rules.crawl_delay:
                    interval = max(interval, rules.crawl_delay)

            ex, sent = self._with_retries(current, conditional, interval)
            attempts += sent
            if ex.kind != "response":
                return done(ex.kind, ex)
            status = ex.status or 0

            if status in REDIRECT_STATUSES:
                location = ex.headers.get("location", "").strip()
                if not location:
                    return done(outcomes.HTTP_ERROR, ex, error=f"HTTP {status} without Location")
                target = urldefrag(urljoin(current, location))[0]
                if _canonical(target) in visited:
                    return done(outcomes.REDIRECT_LOOP, ex, error=f"{current} redirects back to {target}")
                if len(redirects) >= MAX_REDIRECTS:
                    return done(outcomes.TOO_MANY_REDIRECTS, ex, error=f"more than {MAX_REDIRECTS} redirects")
                redirects.append(target)
                current = target
                continue

            if status == 304:
                return done(outcomes.NOT_MODIFIED, ex)
            if not 200 <= status < 300:
                return done(outcomes.HTTP_ERROR, ex, error=ex.error or f"HTTP {status}")
            digest = hashlib.sha256(ex.content).hexdigest()
            unchanged = state is not None and state.content_sha256 == digest
            return done(
                outcomes.UNCHANGED if unchanged else outcomes.OK,
                ex,
                content=ex.content,
                sha256=digest,
            )

    # Retries -----------------------------------------------------------------------------

    def _with_retries(
        self,
        url: str,
        extra_headers: dict[str, str],
        interval: float,
        *,
        max_bytes: int | None = None,
        truncate: bool = False,
    ) -> tuple[_Exchange, int]:
        """Send the request, retrying transient failures; return the last exchange and the
        number of requests sent."""
        netloc = netloc_key(url)
        attempt = 0
        while True:
            attempt += 1
            self._rate_limiter.wait(netloc, interval)
            ex = self._exchange(url, extra_headers, max_bytes or self.max_bytes, truncate)
            transient = ex.retryable or (ex.kind == "response" and ex.status in RETRY_STATUSES)
            if not transient or attempt > self.max_retries:
                if transient and ex.error is None:
                    ex.error = f"gave up after {attempt} attempts" + (f" (HTTP {ex.status})" if ex.status else "")
                return ex, attempt
            delay = self._backoff(attempt)
            retry_after = parse_retry_after(ex.headers.get("retry-after"))
            if retry_after is not None:
                if retry_after > self.max_backoff_seconds:
                    ex.error = (
                        f"HTTP {ex.status}: Retry-After {retry_after:.0f} s exceeds the "
                        f"{self.max_backoff_seconds:.0f} s cap; not retried"
                    )
                    return ex, attempt
                delay = retry_after
            self._sleep(delay)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with equal jitter: half fixed, half random, so that workers
        that failed together do not retry together."""
        base = min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempt - 1))
        return base / 2 + self._rng() * base / 2

    # One request -------------------------------------------------------------------------

    def _exchange(self, url: str, extra_headers: dict[str, str], max_bytes: int, truncate: bool) -> _Exchange:
        deadline = time.monotonic() + self.timeout_seconds
        headers = {
            "User-Agent": self.user_agent,
            "Accept": ACCEPT,
            "Accept-Language": ACCEPT_LANGUAGE,
            **extra_headers,
        }
        budget = self.timeout_seconds
        try:
            response = self._session.get(
                url,
                headers=headers,
                stream=True,
                allow_redirects=False,
                # total bounds connect + waiting for the headers; the body has its own deadline
                timeout=urllib3.Timeout(connect=budget, read=budget, total=budget),
            )
        except requests.exceptions.ConnectTimeout as exc:
            return _Exchange(outcomes.TIMEOUT, error=f"connect timeout: {exc}", retryable=True)
        except requests.exceptions.ReadTimeout as exc:
            return _Exchange(outcomes.TIMEOUT, error=f"no response headers: {exc}", retryable=True)
        except requests.exceptions.SSLError as exc:  # a certificate problem will not go away
            return _Exchange(outcomes.CONNECTION_ERROR, error=f"TLS: {exc}")
        except requests.exceptions.ConnectionError as exc:
            return _Exchange(outcomes.CONNECTION_ERROR, error=str(exc), retryable=True)
        except (
            requests.RequestException,
            urllib3.exceptions.HTTPError,
            http.client.HTTPException,
            OSError,
            ValueError,
        ) as exc:
            return _Exchange(outcomes.CONNECTION_ERROR, error=f"{type(exc).__name__}: {exc}")

        try:
            status = response.status_code
            resp_headers = {k.lower(): v for k, v in response.headers.items()}
            ex = _Exchange("response", status=status, headers=resp_headers)
            if not 200 <= status < 300:
                return ex  # redirects, 304 and errors: the body is not needed
            declared = _content_length(resp_headers)
            if declared is not None and declared > max_bytes and not truncate:
                ex.kind = outcomes.TOO_LARGE
                ex.error = f"Content-Length {declared} > max_bytes {max_bytes}"
                return ex
            return self._read_body(response, ex, deadline, max_bytes, truncate)
        finally:
            response.close()

    def _read_body(
        self,
        response: requests.Response,
        ex: _Exchange,
        deadline: float,
        max_bytes: int,
        truncate: bool,
    ) -> _Exchange:
        """Stream the body under the size cap and the wall-clock deadline.

        ``read1`` returns as soon as some bytes arrived, so the deadline is checked between
        every network read; each read's socket timeout is the time left, so a silent server
        is cut off at the deadline too.
        """
        raw = response.raw
        read = getattr(raw, "read1", None) or raw.read
        chunks: list[bytes] = []
        total = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return _fail(
                    ex, outcomes.TIMEOUT, total, f"body incomplete after {self.timeout_seconds:g} s ({total} bytes)"
                )
            _set_socket_timeout(raw, remaining)
            try:
                chunk = read(CHUNK_BYTES, decode_content=True)
            except (ReadTimeoutError, TimeoutError) as exc:
                return _fail(ex, outcomes.TIMEOUT, total, f"body read timed out: {exc}")
            except DecodeError as exc:
                return _fail(ex, outcomes.CONNECTION_ERROR, total, f"content decoding: {exc}")
            except (ProtocolError, OSError, http.client.HTTPException, urllib3.exceptions.HTTPError) as exc:
                failed = _fail(ex, outcomes.CONNECTION_ERROR, total, f"body read: {exc}")
                failed.retryable = True
                return failed
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                if truncate:
                    chunks.append(chunk[: len(chunk) - (total - max_bytes)])
                    total = max_bytes
                    break
                return _fail(ex, outcomes.TOO_LARGE, total, f"body exceeds max_bytes {max_bytes}; reading stopped")
            chunks.append(chunk)
        if not truncate or total < max_bytes:
            raw.release_conn()  # fully read: the connection may be reused (keep-alive)
        ex.content = b"".join(chunks)
        ex.bytes_read = total
        return ex

    # robots.txt --------------------------------------------------------------------------

    def _load_robots(self, origin_url: str) -> RobotsRules:
        """Fetch and interpret ``<origin>/robots.txt`` (RFC 9309 §2.3)."""
        url = origin_url + "/robots.txt"
        for _ in range(ROBOTS_MAX_REDIRECTS + 1):
            try:
                url = check_url(url, self.allowed_domains)
            except UrlRefused as exc:
                return RobotsRules.deny_everything(f"robots.txt redirect refused ({exc})")
            ex, _sent = self._with_retries(
                url, {}, self.min_interval_seconds, max_bytes=ROBOTS_MAX_BYTES, truncate=True
            )
            if ex.kind != "response":
                return RobotsRules.deny_everything(f"robots.txt unreachable ({ex.kind}: {ex.error}), disallow all")
            status = ex.status or 0
            if 200 <= status < 300:
                text = ex.content.decode("utf-8", errors="replace")  # RFC 9309: UTF-8
                rules = RobotsRules.parse(text, self.robots_token)
                rules.reason = f"disallowed by {url}"
                return rules
            if status in REDIRECT_STATUSES and ex.headers.get("location"):
                url = urldefrag(urljoin(url, ex.headers["location"].strip()))[0]
                continue
            if status == 429 or status >= 500:
                return RobotsRules.deny_everything(f"robots.txt unreachable (HTTP {status}), disallow all")
            return RobotsRules.allow_everything(f"no robots.txt (HTTP {status})")
        return RobotsRules.allow_everything("robots.txt: too many redirects, treated as absent")


def _fail(ex: _Exchange, kind: str, total: int, error: str) -> _Exchange:
    ex.kind = kind
    ex.bytes_read = total
    ex.error = error
    ex.content = b""
    return ex


def _content_length(headers: dict[str, str]) -> int | None:
    try:
        return int(headers["content-length"])
    except (KeyError, ValueError):
        return None


def _set_socket_timeout(raw: Any, seconds: float) -> None:
    """Best effort: bound the next socket read by the time left before the deadline."""
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is not None:
        try:
            # 10 ms floor: settimeout(0) would switch the socket to non-blocking mode.
            sock.settimeout(max(seconds, 0.01))
        except OSError:
            pass


def _canonical(url: str) -> str:
    """Comparable form of a URL for loop detection (case-insensitive scheme and host)."""
    parts = urlsplit(url)
    try:
        netloc = netloc_key(parts)
    except UrlRefused:
        netloc = parts.netloc.lower()
    return f"{parts.scheme.lower()}://{netloc}{parts.path or '/'}?{parts.query}"
