"""Local HTTP server for a generated replica: one listener per channel on 127.0.0.1.

Pages are served from the files under ``<dir>/sites/<source_id>/`` (cached in memory) with the
dynamic behaviour of docs/replica-contract.md: robots.txt, ETag/Last-Modified and 304, NukeViet
pager and wrong-category 301s, legacy ``/Pages/newsdetail.aspx`` 301s, Báo Đồng Nai's empty page
past the last one, the windows-1258 section, an in-memory request log and a layout switch.
"""

from __future__ import annotations

import hashlib
import json
import re
import signal
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import yaml

from portal_replica.common import (
    BASE_TOKEN,
    CHANNEL_ORDER,
    ROUTES_SUFFIX,
    as_served,
    empty_list_file,
    file_for_path,
    list_page_file,
)

CONTROL_PREFIX = "/__replica/"
MEDIA_PREFIXES = ("/uploads/", "/file/", "/assets/", "/themes/")
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".mp4": "video/mp4",
    ".mp3": "audio/mpeg",
    ".css": "text/css",
    ".js": "application/javascript",
    ".ico": "image/x-icon",
}
# A 1×1 GIF stands in for every image; other media get a few placeholder bytes.
TINY_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00"
    b"\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
# normal: as generated; redesigned: every class and id renamed (extraction must carry on);
# scripted: bodies emptied as by a client-side app (extraction must fail, the alarm fire)
LAYOUTS = ("normal", "redesigned", "scripted")
_CLASS_ATTR = re.compile(rb'(\s(?:class|id)=")([^"]*)(")')
_NV_PAGE = re.compile(r"^(.*/)page-(-?\d+)/?$")
CACHE_LIMIT = 256 * 1024 * 1024


@dataclass
class _Dynamic:
    """A page the server makes itself; ``rel`` names the file whose Last-Modified it shares."""

    body: bytes
    rel: str


def _sendmail_form(article_path: str) -> bytes:
    """NukeViet's 'send by e-mail' form for an article (a robots-disallowed duplicate route)."""
    return f"""    <!DOCTYPE html>
    <html lang="vi">
    <head>
<title>Gửi bài viết qua email</title>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="robots" content="noindex, nofollow">
    </head>
    <body>
<form id="sendmailForm" method="post" action="">
<div class="h3">Gửi bài viết qua email</div>
<p><a href="{BASE_TOKEN.decode()}{article_path}">{article_path}</a></p>
<input type="text" name="friend_email"><input type="text" name="your_name"><textarea name="your_message"></textarea>
<input type="submit" value="Gửi"></form>
    </body>
</html>
""".encode()


def sites_root(site_dir: Path) -> Path:
    """Accept the generator's output directory or its ``sites`` folder."""
    site_dir = Path(site_dir)
    return site_dir / "sites" if (site_dir / "sites").is_dir() else site_dir


def _redesign(body: bytes) -> bytes:
    """Every class name and id gets an unknown prefix: a layout the adapters do not know."""

    def rename(m: re.Match[bytes]) -> bytes:
        tokens = b" ".join(b"rd-" + tok for tok in m.group(2).split())
        return m.group(1) + tokens + m.group(3)

    return _CLASS_ATTR.sub(rename, body)


_BODY = re.compile(rb"<body[^>]*>.*</body>", re.S | re.I)


def _scripted(body: bytes) -> bytes:
    """The page as a script-rendered app: its head kept, its body an empty mount point. No
    extraction method can find an article (or a list of them) there."""
    return _BODY.sub(b'<body><div id="app"></div><script src="/static/app.js"></script></body>', body)


class Channel:
    """One site: its files, routing tables, request log and layout state."""

    def __init__(self, source_id: str, root: Path, routes: dict[str, Any]) -> None:
        self.source_id = source_id
        self.root = root
        self.routes = routes
        self.port_offset: int = routes.get("port_offset", 0)
        self.lastmod: dict[str, float] = routes.get("lastmod", {})
        self.redirects: dict[str, str] = routes.get("redirects", {})
        self.by_id: dict[str, str] = routes.get("articles_by_id", {})
        self.article_prefix: str = routes.get("article_prefix", "")
        self.legacy: dict[str, str] = routes.get("legacy", {})
        self.list_pages: dict[str, int] = routes.get("list_pages", {})
        self.pager: str = routes.get("pager", "nukeviet")
        self.default_lastmod: float = routes.get("default_lastmod", 0.0)
        self.legacy_prefixes: list[str] = routes.get("legacy_encoding_prefixes", [])
        self.layout = "normal"
        self.base_url = ""
        self.log: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self._cache: dict[tuple[str, str], tuple[bytes, str]] = {}
        self._cache_bytes = 0
        self._article_re = (
            re.compile(rf"^{re.escape(self.article_prefix)}/[^/]+/[^/]+-(\d+)\.html$") if self.article_prefix else None
        )

    # -- content ------------------------------------------------------------------------------
    def _file(self, rel: str) -> tuple[bytes, str] | None:
        key = (rel, self.layout)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        target = self.root / rel
        if not target.is_file():
            return None
        body = as_served(target.read_bytes(), self.base_url)
        if self.layout == "redesigned" and b"<html" in body[:400]:
            body = _redesign(body)
        elif self.layout == "scripted" and b"<html" in body[:400]:
            body = _scripted(body)
        etag = '"' + hashlib.sha256(body).hexdigest() + '"'
        with self.lock:
            if self._cache_bytes > CACHE_LIMIT:
                self._cache.clear()
                self._cache_bytes = 0
            self._cache[key] = (body, etag)
            self._cache_bytes += len(body)
        return body, etag

    def clear_cache(self) -> None:
        with self.lock:
            self._cache.clear()
            self._cache_bytes = 0

    def content_type(self, path: str) -> str:
        if path == "/robots.txt":
            return "text/plain; charset=utf-8"
        if self.pager == "nukeviet" and "/rss/" in path:
            return "application/rss+xml; charset=utf-8"
        for prefix in self.legacy_prefixes:
            if path == prefix or path.startswith(prefix + "/"):
                return "text/html; charset=windows-1258"
        return "text/html; charset=utf-8"

    def resolve_file(self, path: str, query: str) -> str | tuple[int, str] | _Dynamic | None:
        """A file (relative name), a redirect (301, location path), a page made here, or None."""
        if self.legacy and path.lower() == "/pages/newsdetail.aspx":
            params = {k.lower(): v for k, v in parse_qsl(query)}
            target = self.legacy.get(params.get("newsid", ""))
            return (301, target) if target else None
        if path in self.redirects:
            return 301, self.redirects[path]
        if self.pager == "nukeviet":
            m = _NV_PAGE.match(path)
            if m and m.group(1) in self.list_pages:
                base, n = m.group(1), int(m.group(2))
                if n < 2 or n > self.list_pages[base]:
                    return 301, base  # NukeViet's betweenURLs: back to page 1
                return file_for_path(f"{base}page-{n}/")
            if not path.endswith("/") and path + "/" in self.list_pages:
                return 301, path + "/"
        elif path in self.list_pages:
            raw = dict(parse_qsl(query)).get("page", "1")
            try:
                n = int(raw)
            except ValueError:
                n = 1
            if n > self.list_pages[path]:
                return empty_list_file(path)  # 200 with an empty list, no pager
            return list_page_file(path, n)
        last = path.rsplit("/", 1)[-1]
        if last.startswith(("index.", ".")) or ".." in path.split("/"):
            return None
        rel = file_for_path(path)
        if (self.root / rel).is_dir():
            rel = rel.rstrip("/") + "/index.html"
        if (self.root / rel).is_file():
            return rel
        if self.article_prefix:
            page = self._duplicate_route(path)
            if page is not None:
                return page
        if self._article_re is not None:
            m = self._article_re.match(path)
            if m and m.group(1) in self.by_id and self.by_id[m.group(1)] != path:
                return 301, self.by_id[m.group(1)]  # wrong category or alias
        return None

    def _duplicate_route(self, path: str) -> _Dynamic | None:
        """NukeViet's print and sendmail routes, made from the savefile page and the article."""
        for op in ("print", "sendmail"):
            route = f"{self.article_prefix}/{op}/"
            if not path.startswith(route):
                continue
            tail = path[len(route) :]
            canonical = f"{self.article_prefix}/{tail}"
            if not (self.root / file_for_path(canonical)).is_file():
                return None
            if op == "sendmail":
                return _Dynamic(_sendmail_form(canonical), file_for_path(canonical))
            saved = self._file(file_for_path(f"{self.article_prefix}/savefile/{tail}"))
            if saved is None:
                return None
            body = saved[0].replace(b'content="Savefile - ', b'content="Print - ')
            return _Dynamic(body, file_for_path(canonical))
        return None

    def respond(self, method: str, raw_path: str, headers: Any) -> tuple[int, dict, bytes]:
        parts = urlsplit(raw_path)
        path = unquote(parts.path) or "/"
        if path.startswith(MEDIA_PREFIXES):
            ext = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
            if ext in MEDIA_TYPES:
                body = TINY_GIF if MEDIA_TYPES[ext].startswith("image/") else b"\x00" * 64
                return 200, {"Content-Type": MEDIA_TYPES[ext]}, body
        found = self.resolve_file(path, parts.query)
        if found is None:
            body = b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>"
            return 404, {"Content-Type": "text/html; charset=utf-8"}, body
        if isinstance(found, tuple):
            location = self.base_url + found[1]
            body = f'<html><body>Moved: <a href="{location}">{location}</a></body></html>'
            return found[0], {"Location": location, "Content-Type": "text/html; charset=utf-8"}, body.encode("utf-8")
        if isinstance(found, _Dynamic):
            body, rel = as_served(found.body, self.base_url), found.rel
            etag = '"' + hashlib.sha256(body).hexdigest() + '"'
        else:
            loaded = self._file(found)
            if loaded is None:
                return 404, {"Content-Type": "text/html; charset=utf-8"}, b"not found"
            (body, etag), rel = loaded, found
        lastmod = self.lastmod.get(rel, self.default_lastmod)
        out = {"Content-Type": self.content_type(path), "ETag": etag, "Last-Modified": formatdate(lastmod, usegmt=True)}
        inm = headers.get("If-None-Match")
        if inm:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            if etag in tags or "*" in tags:
                return 304, out, b""
        else:
            ims = headers.get("If-Modified-Since")
            if ims:
                try:
                    since = parsedate_to_datetime(ims).timestamp()
                except (TypeError, ValueError):
                    since = None
                if since is not None and int(lastmod) <= since:
                    return 304, out, b""
        return 200, out, body

    # -- control ------------------------------------------------------------------------------
    def record(self, method: str, path: str, user_agent: str, status: int) -> None:
        with self.lock:
            self.log.append(
                {"ts": time.time(), "method": method, "path": path, "user_agent": user_agent, "status": status}
            )

    def control(self, method: str, raw_path: str) -> tuple[int, dict, bytes]:
        parts = urlsplit(raw_path)
        name = parts.path[len(CONTROL_PREFIX) :].strip("/")
        if name == "requests" and method in ("GET", "HEAD"):
            with self.lock:
                lines = [json.dumps(entry, ensure_ascii=False) for entry in self.log]
            body = ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")
            return 200, {"Content-Type": "application/x-ndjson; charset=utf-8"}, body
        if name == "reset" and method == "POST":
            with self.lock:
                self.log.clear()
            return 200, {"Content-Type": "application/json"}, b'{"ok": true}'
        if name == "layout":
            value = dict(parse_qsl(parts.query)).get("v", "")
            if value not in LAYOUTS:
                return 400, {"Content-Type": "text/plain"}, b"v must be normal, redesigned or scripted"
            with self.lock:
                self.layout = value
            return 200, {"Content-Type": "application/json"}, json.dumps({"layout": value}).encode("ascii")
        return 404, {"Content-Type": "text/plain"}, b"unknown control endpoint"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server_version = "ReplicaNukeViet/4.5"
    sys_version = ""

    def _handle(self, method: str) -> None:
        channel: Channel = self.server.channel  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path.startswith(CONTROL_PREFIX):
            status, headers, body = channel.control(method, self.path)
        else:
            if method == "POST":
                status, headers, body = 405, {"Content-Type": "text/plain"}, b"method not allowed"
            else:
                status, headers, body = channel.respond(method, self.path, self.headers)
            channel.record(method, self.path, self.headers.get("User-Agent", ""), status)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD" and status != 304:
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._handle("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence stderr
        return


class _ChannelHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], channel: Channel) -> None:
        self.channel = channel
        super().__init__(address, _Handler)


def load_channels(site_dir: Path) -> list[Channel]:
    root = sites_root(site_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"no replica sites under {site_dir} (run `portal-replica generate`)")
    found = sorted(p.name for p in root.iterdir() if p.is_dir())
    ordered = [s for s in CHANNEL_ORDER if s in found] + [s for s in found if s not in CHANNEL_ORDER]
    channels = []
    for index, sid in enumerate(ordered):
        routes_file = root / f"{sid}{ROUTES_SUFFIX}"
        routes = json.loads(routes_file.read_text("utf-8")) if routes_file.is_file() else {}
        routes.setdefault("port_offset", index)
        channels.append(Channel(sid, root / sid, routes))
    return channels


class ReplicaServer:
    """All channels of one replica; ``base_port`` 0 lets the OS pick free ports."""

    def __init__(self, site_dir: Path, host: str = "127.0.0.1", base_port: int = 0) -> None:
        self.site_dir = Path(site_dir)
        self.host = host
        self.base_port = base_port
        self.channels = {ch.source_id: ch for ch in load_channels(self.site_dir)}
        self._servers: dict[str, _ChannelHTTPServer] = {}
        self._threads: list[threading.Thread] = []

    def start(self) -> ReplicaServer:
        if self._servers:
            return self
        try:
            for sid, channel in self.channels.items():
                port = 0 if self.base_port == 0 else self.base_port + channel.port_offset
                httpd = _ChannelHTTPServer((self.host, port), channel)
                channel.base_url = f"http://{self.host}:{httpd.server_address[1]}"
                channel.clear_cache()  # cached pages hold the previous base URL
                self._servers[sid] = httpd
        except OSError:
            self.stop()
            raise
        for sid, httpd in self._servers.items():
            thread = threading.Thread(
                target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, name=f"replica-{sid}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for httpd in self._servers.values():
            if self._threads:
                httpd.shutdown()
            httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_urls(self) -> dict[str, str]:
        if not self._servers:
            raise RuntimeError("the replica server is not started")
        return {sid: f"http://{self.host}:{httpd.server_address[1]}" for sid, httpd in self._servers.items()}

    def channel(self, source_id: str) -> Channel:
        return self.channels[source_id]

    def overrides(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for sid, url in self.base_urls.items():
            netloc = url.split("://", 1)[1]
            out[sid] = {"base_url": url, "allowed_domains": [netloc], "politeness": {"min_interval_seconds": 0}}
        return {"sources": out}

    def write_overrides(self, path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = (
            "# Written by `portal-replica serve`: the registry's sources pointed at the local replica.\n"
            + yaml.safe_dump(self.overrides(), sort_keys=False, allow_unicode=True)
        )
        path.write_text(text, encoding="utf-8")
        return path


def serve_forever(
    site_dir: Path, host: str = "127.0.0.1", base_port: int = 8701, overrides_path: Path | None = None
) -> None:
    """Serve until SIGTERM/SIGINT; writes the overrides file (default ``<dir>/overrides.yaml``)."""
    server = ReplicaServer(site_dir, host, base_port).start()
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        target = Path(overrides_path) if overrides_path else Path(site_dir) / "overrides.yaml"
        server.write_overrides(target)
        for sid, url in server.base_urls.items():
            print(f"{sid}: {url}", flush=True)
        print(f"overrides: {target}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
