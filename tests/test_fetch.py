"""Fetcher against real HTTP servers on loopback (no mocks of requests)."""

from __future__ import annotations

import gzip
import hashlib
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal_etl.fetch import (
    MAX_REDIRECTS,
    OUTCOMES,
    Fetcher,
    FetchResult,
    InProcessRateLimiter,
    PageState,
    parse_retry_after,
)
from portal_etl.fetch.client import CHUNK_BYTES, DEFAULT_USER_AGENT, ascii_safe
from portal_etl.registry.schema import FetchOptions, Politeness, Section, Source

Handler = Callable[[BaseHTTPRequestHandler], None]


class _Abort(Exception):
    """Raised by a scripted handler that has already torn the connection down."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # teardown must not wait for trickling handler threads

    def handle_error(self, request, client_address):  # scripted resets are expected
        pass


class LocalServer:
    """A loopback HTTP server whose answers are scripted per test; it logs every request."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Handler] = {}
        self.fallback: Handler | None = None
        self.log: list[tuple[str, dict[str, str], float]] = []
        self.stopping = threading.Event()
        owner = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                owner.log.append((self.path, dict(self.headers.items()), time.monotonic()))
                handler = owner.routes.get(self.path) or owner.fallback
                if handler is None:
                    respond(self, 404, b"not found")
                else:
                    handler(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = _Server((host, 0), _Handler)
        self.netloc = f"{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://{self.netloc}{path}"

    def paths(self) -> list[str]:
        return [entry[0] for entry in self.log]

    def close(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def respond(
    req: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> None:
    req.send_response(status)
    headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
    for name, value in headers.items():
        req.send_header(name, value)
    if status != 304:
        req.send_header("Content-Length", str(len(body)))
    req.end_headers()
    if status != 304:
        req.wfile.write(body)


def reset_connection(req: BaseHTTPRequestHandler) -> None:
    """Close with SO_LINGER 0: the client sees a TCP RST (connection reset by peer)."""
    req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    req.rfile.close()
    req.wfile.close()
    req.connection.close()
    raise _Abort


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer()
    yield srv
    srv.close()


class Sleeps(list):
    """Injected sleep: records the requested delays instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make(server: LocalServer, sleeps: Sleeps, **kw: object) -> Fetcher:
    params: dict[str, object] = {
        "allowed_domains": [server.netloc],
        "timeout_seconds": 5,
        "max_retries": 3,
        "backoff_seconds": 1.0,
        "sleep": sleeps,
        "rng": lambda: 1.0,  # jitter at its maximum: delays are exactly the exponential base
    }
    params.update(kw)
    return Fetcher(**params)  # type: ignore[arg-type]


PAGE = "<!doctype html><html><head><title>Đồng Nai</title></head><body>x</body></html>".encode()


# Success, conditional GET, unchanged ------------------------------------------------------


def test_ok_with_sha_headers_user_agent_and_event(server: LocalServer, sleeps: Sleeps) -> None:
    server.routes["/a"] = lambda r: respond(r, 200, PAGE, {"ETag": '"v1"'})
    events: list[FetchResult] = []
    with make(server, sleeps, on_event=events.append) as fetcher:
        result = fetcher.get(server.url("/a"))
    assert result.ok and result.outcome == "ok" and result.status == 200
    assert result.content == PAGE and result.bytes_read == len(PAGE)
    assert result.sha256 == hashlib.sha256(PAGE).hexdigest()
    assert result.content_type == "text/html; charset=utf-8"
    assert result.headers["etag"] == '"v1"'
    assert result.attempts == 1 and result.redirects == [] and result.error is None
    assert result.final_url == server.url("/a")
    assert events == [result]
    assert result.page_state() == PageState('"v1"', None, result.sha256)
    ua = server.log[-1][1]["User-Agent"]
    assert ua == DEFAULT_USER_AGENT and ua.startswith("portal-etl/") and ua.isascii()
    assert "Dong Nai news integration" in ua
    assert server.paths() == ["/robots.txt", "/a"]


def test_304_with_etag(server: LocalServer, sleeps: Sleeps) -> None:
    def page(r: BaseHTTPRequestHandler) -> None:
        if r.headers.get("If-None-Match") == '"v1"':
            respond(r, 304, headers={"ETag": '"v1"'})
        else:
            respond(r, 200, PAGE, {"ETag": '"v1"'})

    server.routes["/a"] = page
    fetcher = make(server, sleeps)
    result = fetcher.get(server.url("/a"), PageState(etag='"v1"', last_modified=None, content_sha256=None))
    assert result.outcome == "not_modified" and result.status == 304
    assert result.content == b"" and not result.ok
    assert fetcher.get(server.url("/a")).outcome == "ok"  # no state: plain GET


def test_304_with_last_modified(server: LocalServer, sleeps: Sleeps) -> None:
    stamp = "Tue, 28 May 2024 13:13:00 GMT"

    def page(r: BaseHTTPRequestHandler) -> None:
        if r.headers.get("If-Modified-Since") == stamp:
            respond(r, 304)
        else:
            respond(r, 200, PAGE, {"Last-Modified": stamp})

    server.routes["/a"] = page
    fetcher = make(server, sleeps)
    first = fetcher.get(server.url("/a"))
    state = first.page_state()
    assert state is not None and state.last_modified == stamp and state.etag is None
    assert fetcher.get(server.url("/a"), state).outcome == "not_modified"
    assert "If-None-Match" not in server.log[-1][1]


def test_unchanged_when_server_ignores_conditionals(server: LocalServer, sleeps: Sleeps) -> None:
    server.routes["/a"] = lambda r: respond(r, 200, PAGE, {"ETag": f'"{time.time_ns()}"'})
    fetcher = make(server, sleeps)
    previous = PageState(etag='"old"', last_modified=None, content_sha256=hashlib.sha256(PAGE).hexdigest())
    result = fetcher.get(server.url("/a"), previous)
    assert result.outcome == "unchanged" and result.status == 200
    assert result.content == PAGE  # still available to the caller
    assert server.log[-1][1]["If-None-Match"] == '"old"'
    changed = fetcher.get(server.url("/a"), PageState(None, None, "0" * 64))
    assert changed.outcome == "ok"


# Retries ------------------------------------------------------------------------------------


def _sequence(*steps: Handler) -> Handler:
    """A handler answering with steps[0], steps[1], … and the last step forever after."""
    calls = iter(range(10**6))

    def handler(r: BaseHTTPRequestHandler) -> None:
        steps[min(next(calls), len(steps) - 1)](r)

    return handler


def test_429_retry_after_seconds_then_200(server: LocalServer, sleeps: Sleeps) -> None:
    server.routes["/a"] = _sequence(
        lambda r: respond(r, 429, b"slow down", {"Retry-After": "7"}),
        lambda r: respond(r, 200, PAGE),
    )
    result = make(server, sleeps).get(server.url("/a"))
    assert result.outcome == "ok" and result.attempts == 2
    assert sleeps == [7.0]


def test_503_retry_after_http_date(server: LocalServer, sleeps: Sleeps) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    server.routes["/a"] = _sequence(
        lambda r: respond(r, 503, headers={"Retry-After": when}),
        lambda r: respond(r, 200, PAGE),
    )
    result = make(server, sleeps).get(server.url("/a"))
    assert result.outcome == "ok" and result.attempts == 2
    assert len(sleeps) == 1 and 25 <= sleeps[0] <= 30.5


def test_retry_after_beyond_cap_is_not_waited_for(server: LocalServer, sleeps: Sleeps) -> None:
    server.routes["/a"] = lambda r: respond(r, 429, headers={"Retry-After": "3600"})
    result = make(server, sleeps, max_backoff_seconds=60).get(server.url("/a"))
    assert result.outcome == "http_error" and result.status == 429 and result.attempts == 1
    assert sleeps == [] and "exceeds the 60 s cap" in (result.error or "")


def test_503_retries_exhausted(server: LocalServer, sleeps: Sleeps) -> None:
    server.routes["/a"] = lambda r: respond(r, 503, b"busy")
    result = make(server, sleeps, max_retries=3, max_backoff_seconds=3).get(server.url("/a"))
    assert result.outcome == "http_error" and result.status == 503
    assert result.attempts == 4 and server.paths().count("/a") == 4
    assert sleeps == [1.0, 2.0, 3.0]  # 1 × 2^(n-1), capped at max_backoff_seconds
    assert "gave up after 4 attempts" in (result.error or "")


def test_backoff_jitter_stays_in_the_upper_half(server: LocalServer, sleeps: Sleeps) -> None:
    server.routes["/a"] = lambda r: respond(r, 500)
    make(server, sleeps, max_retries=2, rng=lambda: 0.0).get(server.url("/a"))
    assert sleeps == [0.5, 1.0]


def test_404_is_not_retried(server: LocalServer, sleeps: Sleeps) -> None:
    result = make(server, sleeps).get(server.url("/missing"))
    assert result.outcome == "http_error" and result.status == 404 and result.attempts == 1
    assert sleeps == [] and server.paths().count("/missing") == 1


def test_connection_reset_retried_then_connection_error(server: LocalServer, sleeps: Sleeps) -> None:
    server.routes["/a"] = reset_connection
    result = make(server, sleeps, max_retries=2).get(server.url("/a"))
    assert result.outcome == "connection_error" and result.status is None
    assert result.attempts == 3 and server.paths().count("/a") == 3 and len(sleeps) == 2
    assert result.error


def test_connection_reset_once_then_ok(server: LocalServer, sleeps: Sleeps) -> None:
    server.routes["/a"] = _sequence(reset_connection, lambda r: respond(r, 200, PAGE))
    result = make(server, sleeps).get(server.url("/a"))
    assert result.outcome == "ok" and result.attempts == 2


def test_connection_refused_is_connection_error(sleeps: Sleeps) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fetcher = Fetcher(allowed_domains=[f"127.0.0.1:{port}"], max_retries=1, sleep=sleeps, respect_robots=False)
    result = fetcher.get(f"http://127.0.0.1:{port}/")
    assert result.outcome == "connection_error" and result.attempts == 2


# Redirects and domain guard -------------------------------------------------------------


def test_redirect_within_domain_followed(server: LocalServer, sleeps: Sleeps) -> None:
    # NukeViet: a page number past the last ⇒ 301 back to page 1
    server.routes["/vi/news/kinh-te/page-99/"] = lambda r: respond(r, 301, headers={"Location": "/vi/news/kinh-te/"})
    server.routes["/vi/news/kinh-te/"] = lambda r: respond(r, 200, PAGE)
    result = make(server, sleeps).get(server.url("/vi/news/kinh-te/page-99/"))
    assert result.outcome == "ok" and result.status == 200
    assert result.final_url == server.url("/vi/news/kinh-te/")
    assert result.redirects == [server.url("/vi/news/kinh-te/")] and result.attempts == 2


@pytest.mark.parametrize(
    "location",
    [
        "http://example.com/x",
        "http://10.0.0.1/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://2130706433/x",  # 127.0.0.1 written as an integer
        "ftp://{netloc}/x",
    ],
)
def test_redirect_off_domain_refused(server: LocalServer, sleeps: Sleeps, location: str) -> None:
    server.routes["/a"] = lambda r: respond(r, 302, headers={"Location": location.format(netloc=server.netloc)})
    started = time.monotonic()
    result = make(server, sleeps, timeout_seconds=2).get(server.url("/a"))
    assert result.outcome == "blocked_domain", result.error
    assert result.redirects == [location.format(netloc=server.netloc)]
    assert time.monotonic() - started < 1.5  # refused before any connection attempt


def test_redirect_to_other_loopback_refused_before_connecting(server: LocalServer, sleeps: Sleeps) -> None:
    other = LocalServer("127.0.0.2")  # a real listener: it must never see a request
    try:
        other.fallback = lambda r: respond(r, 200, PAGE)
        server.routes["/a"] = lambda r: respond(r, 302, headers={"Location": other.url("/x")})
        result = make(server, sleeps).get(server.url("/a"))
        assert result.outcome == "blocked_domain"
        assert "private/loopback" in (result.error or "")
        assert other.log == []
        # the same netloc becomes fetchable once it is explicitly allowed
        allowed = make(server, sleeps, allowed_domains=[server.netloc, other.netloc], respect_robots=False)
        assert allowed.get(server.url("/a")).outcome == "ok"
    finally:
        other.close()


def test_start_url_outside_allowed_domains(server: LocalServer, sleeps: Sleeps) -> None:
    fetcher = make(server, sleeps)
    assert fetcher.get("http://example.com/").outcome == "blocked_domain"
    assert fetcher.get("http://127.0.0.1:1/").outcome == "blocked_domain"  # other port
    assert fetcher.get("not a url").outcome == "blocked_domain"
    upper = fetcher.get(f"HTTP://{server.netloc.upper()}/missing")  # case-insensitive match
    assert upper.outcome == "http_error" and upper.status == 404
    assert server.paths() == ["/robots.txt", "/missing"]


def test_redirect_loop(server: LocalServer, sleeps: Sleeps) -> None:
    server.routes["/a"] = lambda r: respond(r, 301, headers={"Location": "/b"})
    server.routes["/b"] = lambda r: respond(r, 302, headers={"Location": server.url("/a#top")})
    result = make(server, sleeps).get(server.url("/a"))
    assert result.outcome == "redirect_loop" and result.attempts == 2
    assert server.paths().count("/a") == 1


def test_too_many_redirects(server: LocalServer, sleeps: Sleeps) -> None:
    def chain(r: BaseHTTPRequestHandler) -> None:
        if r.path == "/robots.txt":
            return respond(r, 404)
        n = int(r.path.rsplit("/", 1)[1])
        respond(r, 307, headers={"Location": f"/r/{n + 1}"})

    server.fallback = chain
    result = make(server, sleeps).get(server.url("/r/0"))
    assert result.outcome == "too_many_redirects"
    assert len(result.redirects) == MAX_REDIRECTS == 10
    assert result.attempts == MAX_REDIRECTS + 1


# robots.txt ---------------------------------------------------------------------------------


def test_robots_disallow_blocks_without_requesting(server: LocalServer, sleeps: Sleeps) -> None:
    server.routes["/robots.txt"] = lambda r: respond(
        r, 200, b"User-agent: *\nDisallow: /*/savefile/\nDisallow: /admin/\n", {"Content-Type": "text/plain"}
    )
    server.fallback = lambda r: respond(r, 200, PAGE)
    fetcher = make(server, sleeps)
    blocked = fetcher.get(server.url("/vi/news/savefile/kinh-te/x-1.html"))
    assert blocked.outcome == "blocked_robots" and blocked.attempts == 0
    assert fetcher.get(server.url("/admin/")).outcome == "blocked_robots"
    assert fetcher.get(server.url("/vi/news/kinh-te/x-1.html")).outcome == "ok"
    assert server.paths() == ["/robots.txt", "/vi/news/kinh-te/x-1.html"]  # fetched once


def test_robots_group_for_our_agent_wins(server: LocalServer, sleeps: Sleeps) -> None:
    server.routes["/robots.txt"] = lambda r: respond(
        r, 200, b"User-agent: *\nDisallow: /\n\nUser-agent: Portal-ETL\nDisallow: /secret\n"
    )
    server.fallback = lambda r: respond(r, 200, PAGE)
    fetcher = make(server, sleeps)
    assert fetcher.get(server.url("/news")).outcome == "ok"
    assert fetcher.get(server.url("/secret/x")).outcome == "blocked_robots"


def test_robots_500_disallows_everything(server: LocalServer, sleeps: Sleeps) -> None:
    server.routes["/robots.txt"] = lambda r: respond(r, 500, b"oops")
    server.fallback = lambda r: respond(r, 200, PAGE)
    fetcher = make(server, sleeps, max_retries=1)
    first = fetcher.get(server.url("/"))
    assert first.outcome == "blocked_robots" and "unreachable" in (first.error or "")
    assert fetcher.get(server.url("/other")).outcome == "blocked_robots"
    assert server.paths() == ["/robots.txt", "/robots.txt"]  # one retry, then cached


def test_robots_404_allows_everything(server: LocalServer, sleeps: Sleeps) -> None:
    server.fallback = lambda r: respond(r, 200, PAGE) if r.path != "/robots.txt" else respond(r, 404)
    fetcher = make(server, sleeps)
    assert fetcher.get(server.url("/anything")).outcome == "ok"


def test_respect_robots_false_skips_robots(server: LocalServer, sleeps: Sleeps) -> None:
    server.routes["/robots.txt"] = lambda r: respond(r, 200, b"User-agent: *\nDisallow: /\n")
    server.fallback = lambda r: respond(r, 200, PAGE)
    assert make(server, sleeps, respect_robots=False).get(server.url("/x")).outcome == "ok"
    assert server.paths() == ["/x"]


# Rate limiting -----------------------------------------------------------------------------


def test_rate_limiter_spaces_requests_to_one_netloc(server: LocalServer, sleeps: Sleeps) -> None:
    server.fallback = lambda r: respond(r, 200, PAGE)
    fetcher = make(server, sleeps, min_interval_seconds=5.0, respect_robots=False)
    fetcher.get(server.url("/1"))
    fetcher.get(server.url("/2"))
    assert len(sleeps) == 1 and 4.0 < sleeps[0] <= 5.0  # the injected sleep got the wait


def test_rate_limiter_real_spacing_on_server_clock(server: LocalServer) -> None:
    server.fallback = lambda r: respond(r, 200, PAGE)
    fetcher = Fetcher(allowed_domains=[server.netloc], min_interval_seconds=0.3)
    fetcher.get(server.url("/1"))
    fetcher.get(server.url("/2"))
    stamps = [entry[2] for entry in server.log]  # robots.txt, /1, /2
    assert len(stamps) == 3
    assert all(b - a >= 0.25 for a, b in zip(stamps, stamps[1:], strict=False))


def test_shared_rate_limiter_across_fetchers(server: LocalServer, sleeps: Sleeps) -> None:
    server.fallback = lambda r: respond(r, 200, PAGE)
    limiter = InProcessRateLimiter(sleep=sleeps)
    one = make(server, Sleeps(), rate_limiter=limiter, min_interval_seconds=3, respect_robots=False)
    two = make(server, Sleeps(), rate_limiter=limiter, min_interval_seconds=3, respect_robots=False)
    one.get(server.url("/1"))
    two.get(server.url("/2"))
    assert len(sleeps) == 1 and 2.0 < sleeps[0] <= 3.0


# Size cap and time budget ----------------------------------------------------------------

FIFTY_MB = 50 * 1024 * 1024


def test_streaming_50mb_body_stops_at_max_bytes(server: LocalServer, sleeps: Sleeps) -> None:
    def huge(r: BaseHTTPRequestHandler) -> None:  # no Content-Length: only streaming tells
        r.send_response(200)
        r.send_header("Content-Type", "text/html")
        r.end_headers()
        block = b"<p>" + b"a" * 65533
        try:
            for _ in range(FIFTY_MB // len(block)):
                if server.stopping.is_set():
                    return
                r.wfile.write(block)
        except OSError:
            pass

    server.routes["/big"] = huge
    started = time.monotonic()
    result = make(server, sleeps, max_bytes=1_000_000).get(server.url("/big"))
    assert result.outcome == "too_large" and result.status == 200
    assert 1_000_000 < result.bytes_read <= 1_000_000 + CHUNK_BYTES
    assert result.content == b"" and result.sha256 is None
    assert result.attempts == 1 and time.monotonic() - started < 5


def test_declared_content_length_over_cap_not_read(server: LocalServer, sleeps: Sleeps) -> None:
    def declared(r: BaseHTTPRequestHandler) -> None:
        r.send_response(200)
        r.send_header("Content-Length", str(FIFTY_MB))
        r.end_headers()
        try:
            r.wfile.write(b"a" * 65536)
        except OSError:
            pass

    server.routes["/big"] = declared
    result = make(server, sleeps, max_bytes=1_000_000).get(server.url("/big"))
    assert result.outcome == "too_large" and result.bytes_read == 0
    assert "Content-Length" in (result.error or "")


def test_gzip_bomb_is_capped_on_decoded_bytes(server: LocalServer, sleeps: Sleeps) -> None:
    bomb = gzip.compress(b"\0" * FIFTY_MB, compresslevel=9)  # ~50 KB on the wire
    server.routes["/bomb"] = lambda r: respond(r, 200, bomb, {"Content-Encoding": "gzip"})
    result = make(server, sleeps, max_bytes=1_000_000).get(server.url("/bomb"))
    assert result.outcome == "too_large"
    assert result.bytes_read <= 1_000_000 + CHUNK_BYTES


def _trickle(server: LocalServer, delay: float, first_byte_delay: float = 0.0) -> Handler:
    def handler(r: BaseHTTPRequestHandler) -> None:
        r.send_response(200)
        r.send_header("Content-Type", "text/html")
        r.send_header("Content-Length", "1000")
        r.end_headers()
        r.wfile.flush()
        server.stopping.wait(first_byte_delay)
        try:
            for _ in range(1000):
                r.wfile.write(b"a")
                r.wfile.flush()
                if server.stopping.wait(delay):
                    return
        except OSError:
            pass

    return handler


def test_trickling_body_cut_off_by_wall_clock_budget(server: LocalServer, sleeps: Sleeps) -> None:
    server.routes["/slow"] = _trickle(server, delay=0.2)
    started = time.monotonic()
    result = make(server, sleeps, timeout_seconds=1).get(server.url("/slow"))
    elapsed = time.monotonic() - started
    assert result.outcome == "timeout" and result.status == 200
    assert result.attempts == 1 and sleeps == []  # a trickling server is not asked again
    assert 0 < result.bytes_read < 20 and result.content == b""
    assert elapsed < 2.5


def test_silent_body_cut_off_at_deadline(server: LocalServer, sleeps: Sleeps) -> None:
    server.routes["/silent"] = _trickle(server, delay=0.2, first_byte_delay=10)
    started = time.monotonic()
    result = make(server, sleeps, timeout_seconds=1).get(server.url("/silent"))
    assert result.outcome == "timeout" and result.bytes_read == 0
    assert time.monotonic() - started < 2.5


def test_no_response_headers_is_retried_timeout(server: LocalServer, sleeps: Sleeps) -> None:
    def stall(r: BaseHTTPRequestHandler) -> None:
        server.stopping.wait(10)

    server.routes["/stall"] = stall
    started = time.monotonic()
    result = make(server, sleeps, timeout_seconds=0.5, max_retries=1, respect_robots=False).get(server.url("/stall"))
    assert result.outcome == "timeout" and result.attempts == 2 and len(sleeps) == 1
    assert time.monotonic() - started < 3


# Construction -------------------------------------------------------------------------------


def test_for_source_uses_registry_settings() -> None:
    source = Source(
        id="dongnai_gov",
        name="Cổng TTĐT",
        base_url="https://dongnai.gov.vn",
        allowed_domains=["dongnai.gov.vn", "cdn.dongnai.gov.vn"],
        adapter="nukeviet",
        live_since=date(2009, 1, 1),
        sections=[Section(path="kinh-te", name="Kinh tế")],
        politeness=Politeness(min_interval_seconds=2.5),
        fetch=FetchOptions(timeout_seconds=12, max_bytes=2048, max_retries=2, backoff_seconds=0.5),
    )
    fetcher = Fetcher.for_source(source, respect_robots=False)
    assert fetcher.allowed_domains == {"dongnai.gov.vn", "cdn.dongnai.gov.vn"}
    assert (fetcher.timeout_seconds, fetcher.max_bytes, fetcher.max_retries) == (12, 2048, 2)
    assert fetcher.backoff_seconds == 0.5 and fetcher.min_interval_seconds == 2.5
    assert fetcher.respect_robots is False
    assert fetcher.get("https://evil.example/").outcome == "blocked_domain"
    fetcher.close()


def test_construction_guards_and_user_agent() -> None:
    with pytest.raises(ValueError):
        Fetcher(allowed_domains=[])
    fetcher = Fetcher(allowed_domains=["a.vn"], user_agent="Bộ thu thập Đồng Nai/2.0\r\nX: y")
    assert fetcher.user_agent == "Bo thu thap Dong Nai/2.0 X: y"
    assert ascii_safe("Đồng Nai hòa bình") == "Dong Nai hoa binh"
    assert set(OUTCOMES) >= {"ok", "not_modified", "unchanged", "not_html", "blocked_domain"}
    assert len(OUTCOMES) == 12


def test_parse_retry_after() -> None:
    now = datetime(2024, 5, 28, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now=now) == 120.0
    assert parse_retry_after("Tue, 28 May 2024 12:01:00 GMT", now=now) == 60.0
    assert parse_retry_after("Tue, 28 May 2024 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None
