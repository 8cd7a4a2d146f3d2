# ruff: noqa: E501 - HTML templates are kept as literal markup
"""A small hostile NukeViet-shaped news site served on 127.0.0.1, for the bad-input e2e test.

Its list pages link to a few good articles and one article per bad case of issue 6 ("Bad
input"). Page shapes follow ``portal_replica.render_nukeviet`` (category list with the
``fa-clock-o`` stamp and the pager, article with ``h1.title``, the ``span.h5`` date line,
``div.hometext``, ``div#news-bodyhtml.bodytext`` and the right-aligned ``Tác giả:`` byline), so
the nukeviet adapter parses the good pages as it parses the real site.

Every case is data (:data:`CASES`): its article path, what the server does, and what the
pipeline must record. ``site.mode = "bad"`` switches the good articles to a failure each
(:data:`BAD_VARIANTS`), to prove that nothing already stored changes when a page goes bad.
``site.mode = "lists-broken"`` answers every list page with a script-rendered shell (no entries).
``site.mode = "half"`` lists only the good articles and fails every other one of them
(:data:`HALF_FAILING`: the first few time out, the rest answer with a PDF), the run the source
health check must fail for its share of failed fetches (issue 14).
"""

from __future__ import annotations

import json
import random
import socket
import struct
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SOURCE_ID = "hostile_site"
LIVE_SINCE = "2023-10-09"
INTERVAL = (datetime(2024, 4, 1, tzinfo=TZ), datetime(2024, 5, 1, tzinfo=TZ))
PREFIX = "/news"
SECTION = "tin-tuc"
CYCLE_SECTION = "vong-lap"  # its pager cycles 1 → 2 → 3 → 2
ENDLESS_SECTION = "vo-tan"  # its pager never ends
MAX_LIST_PAGES = 5
REDIRECT_TARGET = f"{PREFIX}/{SECTION}/dich-noi-bo-1.html"  # a redirect inside the site lands here
FETCH_TIMEOUT_SECONDS = 2.0  # the trickling page is cut off after this (the registry's fetch block)
HUGE_BYTES = 50 * 1024 * 1024
WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")

SQL_TITLE = "Tin vắn'); DROP TABLE staging.item; -- %s %(x)s {0} %n"
SQL_AUTHOR = 'Nguyễn Văn A"; DELETE FROM integration.article; -- {author} %(name)s %d'
ESCAPED_TITLE = 'Cảnh báo &lt;script&gt;alert("tiêu đề")&lt;/script&gt; giả mạo'
ESCAPED_TITLE_SHOWN = 'Cảnh báo <script>alert("tiêu đề")</script> giả mạo'  # what a browser shows
# the page's HTML says &amp;lt;script&amp;gt;: a browser shows the text "&lt;script&gt;", and so
# must the store (decoding twice would make it a tag the source never had)
DOUBLE_ESCAPED_TITLE_SHOWN = "Thoát kép &lt;script&gt; và ký tự điều khiển"
DOUBLE_ESCAPED_SAPO_SHOWN = "Tóm tắt có &lt;b&gt;thẻ&lt;/b&gt; viết sẵn và &amp;nbsp; thừa."
CONTROL_CHARACTERS = "\x00\x01\x07\x08\x0b\x0c\x1b\x1f"  # NUL and other C0 controls (not tab, CR, LF)
BIDI_TITLE = "Đồng\u200b Nai\u200d khởi\ufeff công\u202e cầu\u202c mới\u2066 ở\u2069 Biên\u200f Hoà"
BIDI_TITLE_CLEAN = "Đồng Nai khởi công cầu mới ở Biên Hoà"
NFD_TITLE = unicodedata.normalize("NFD", "Người dân Nhơn Trạch đón nước sạch về tận nhà")

HOSTILE_BODY = """
<p>Đoạn mở đầu bình thường của bài viết về hoạt động của tỉnh.</p>
<script>alert('script')</script>
<p onclick="alert('click')" onmouseover="steal()">Đoạn có thuộc tính sự kiện.</p>
<img src="x" onerror="alert('onerror')">
<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+" alt="data">
<a href="javascript:alert('js')">liên kết javascript</a>
<a href="  JaVaScRiPt:alert('js2')">liên kết javascript hoa thường</a>
<a href="jav&#x09;ascript:alert('js3')">liên kết javascript có tab</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">liên kết data</a>
<a href="vbscript:msgbox(1)">vbscript</a>
<svg><script>alert('svg')</script><circle onload="alert('svg2')"/></svg>
<svg/onload=alert('svg3')>
<math><mi xlink:href="javascript:alert('math')">x</mi></math>
<div style="width: expression(alert('css'))">Khối có biểu thức CSS.</div>
<style>body { background: url("javascript:alert('css2')"); behavior: url(x.htc); }</style>
<p style="background-image: url(javascript:alert('css3'))">Đoạn có style nguy hiểm.</p>
<iframe src="https://evil.example/phish"></iframe>
<iframe src="javascript:alert('iframe')"></iframe>
<iframe srcdoc="&lt;script&gt;alert('srcdoc')&lt;/script&gt;"></iframe>
<p>&lt;script&gt;alert('escaped once')&lt;/script&gt;</p>
<p>&amp;lt;img src=x onerror=alert('escaped twice')&amp;gt;</p>
<object data="evil.swf"></object><embed src="evil.swf">
<form action="https://evil.example/"><input name="q"><button>Gửi</button></form>
<meta http-equiv="refresh" content="0;url=javascript:alert('meta')">
<base href="javascript:alert('base')//">
<template><script>alert('template')</script></template>
<noscript><img src=x onerror=alert('noscript')></noscript>
<p><iframe src="https://www.youtube.com/embed/abc123" width="640" height="360"></iframe></p>
<p>'); DROP TABLE staging.item; -- %s %(x)s {0}</p>
"""

_WORDS = (
    "tỉnh Đồng Nai tổ chức hội nghị triển khai nhiệm vụ phát triển kinh tế xã hội năm nay "
    "các sở ngành địa phương tập trung giải ngân vốn đầu tư công hoàn thành dự án giao thông "
    "trọng điểm nâng cao đời sống người dân thu hút doanh nghiệp khu công nghiệp nông thôn mới "
    "chuyển đổi số cải cách hành chính y tế giáo dục văn hóa thể thao an ninh trật tự môi trường "
    "biên hòa long khánh nhơn trạch trảng bom cẩm mỹ định quán tân phú vĩnh cửu thống nhất xuân lộc"
).split()


def paragraphs(seed: int, count: int = 4, words: int = 40) -> list[str]:
    """Distinct, deterministic Vietnamese-looking paragraphs (≥ 80 words in all: approvable)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        text = " ".join(rng.choice(_WORDS) for _ in range(words))
        out.append(text[0].upper() + text[1:] + f" Mã số {seed}-{rng.randrange(10**6)}.")
    return out


def detail_time(t: datetime) -> str:
    return f"{WEEKDAYS[t.weekday()]} - {t:%d/%m/%Y %H:%M}"


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def article_html(
    *,
    title_html: str,
    date_line: str | None,
    sapo: str,
    body_html: str,
    author_html: str,
    canonical: str,
    charset: str | None = "utf-8",
    meta_published: str | None = None,
) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n' if charset else ""
    published = f'<meta property="article:published_time" content="{meta_published}">\n' if meta_published else ""
    date_block = (
        (
            f'<div class="row margin-bottom-lg">\n<div class="col-md-12"><span class="h5">'
            f"{date_line}</span></div>\n</div>\n"
        )
        if date_line is not None
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
{meta}<title>{title_html} - Tin tức - Cổng thông tin thử nghiệm</title>
<meta name="generator" content="NukeViet v4.5">
{published}<link rel="canonical" href="{canonical}">
</head>
<body>
<div class="news_column panel panel-default newsdetail" itemtype="http://schema.org/NewsArticle" itemscope>
<div class="panel-body">
<h1 class="title margin-bottom-lg" itemprop="headline">{title_html}</h1>
<span class="hidden hide d-none" itemprop="datePublished">2020-01-01T00:00:00+07:00</span>
{date_block}<div class="clearfix">
<div class="hometext m-bottom" itemprop="description">{sapo}</div>
</div>
<div id="news-bodyhtml" class="bodytext margin-bottom-lg">
{body_html}
</div>
<div class="margin-bottom-lg">
<p class="h5 text-right"><strong>Tác giả: </strong>{author_html}</p>
</div>
</div>
</div>
<footer><p>&copy; Cổng thông tin thử nghiệm</p></footer>
</body>
</html>
"""


def list_html(title: str, entries: list[tuple[str, str, str]], next_href: str | None) -> str:
    """A category page: (href, title, stamp) entries newest first, then the pager."""
    items = []
    for href, entry_title, stamp in entries:
        items.append(f"""<div class="panel panel-default">
<div class="panel-body">
<h3><a href="{href}" title="{esc(entry_title)}">{esc(entry_title)}</a></h3>
<div class="text-muted">
<ul class="list-unstyled list-inline">
<li><em class="fa fa-clock-o">&nbsp;</em> {stamp}</li>
</ul>
</div>
</div>
</div>""")
    pager = ""
    if next_href:
        pager = (
            '<div class="text-center"><ul class="pagination">'
            '<li class="page-item active"><a class="page-link" href="javascript:void(0)">1</a></li>'
            f'<li class="page-item"><a class="page-link" rel="next" href="{next_href}">&raquo;</a></li>'
            "</ul></div>"
        )
    return f"""<!DOCTYPE html>
<html lang="vi">
<head><meta charset="utf-8"><title>{esc(title)}</title></head>
<body>
<div class="news_column">
{chr(10).join(items)}
</div>
{pager}
</body>
</html>
"""


# --- the cases -----------------------------------------------------------------------------------


@dataclass
class Case:
    """One article linked from the list: how it is served and what the pipeline must record.

    ``expect`` is one of: ``staged`` (a good page, also the tolerated oddities), ``fetch:<outcome>``
    (a staging.fetch_event outcome), ``parse:<reason>`` (a staging.item parse error), or
    ``list:<reason>`` (the list entry itself is bad: a staging.parse_failure of discovery).
    """

    name: str
    expect: str
    day: int  # publish day in April 2024 (the list stamp), or 0 for a list-level case
    stamp: str | None = None  # list stamp override (list-level date cases)
    title: str | None = None
    status: int | None = None  # plain HTTP error status to answer with
    headers: dict[str, str] = field(default_factory=dict)
    native_id: int = 0

    @property
    def path(self) -> str:
        return f"{PREFIX}/{SECTION}/{self.name}-{self.native_id}.html"

    @property
    def published(self) -> datetime:
        return datetime(2024, 4, self.day, 8 + self.native_id % 10, self.native_id % 60, tzinfo=TZ)

    @property
    def list_title(self) -> str:
        return self.title or f"Bài {self.name.replace('-', ' ')}"


def _cases() -> list[Case]:
    specs = [
        # good articles (the bad variants of phase 2 are served at these same URLs)
        Case("tot-mot", "staged", 2),
        Case("tot-hai", "staged", 3),
        Case("tot-ba", "staged", 4),
        Case("tot-bon", "staged", 5),
        Case("noi-dung-doc-hai", "staged", 6, title=SQL_TITLE),
        Case("tieu-de-thoat-html", "staged", 6, title=ESCAPED_TITLE_SHOWN),
        Case("html-loi-van-doc-duoc", "staged", 7),
        Case("chuyen-huong-noi-bo", "staged", 7),
        Case("503-roi-ok", "staged", 8),
        # text and encodings
        Case("windows-1258-header", "staged", 9, title="Đồng Nai đẩy mạnh phát triển thủy lợi"),
        Case("windows-1258-meta", "staged", 9, title="Xuân Lộc thu hoạch sầu riêng đạt kỷ lục"),
        Case("sai-charset-header", "staged", 10, title="Trảng Bom khánh thành trường học mới"),
        Case("utf8-header-1258-body", "staged", 10, title="Cẩm Mỹ nghiệm thu đường giao thông nông thôn"),
        Case("khong-charset", "staged", 10, title="Tân Phú phát triển du lịch sinh thái rừng"),
        Case("utf8-hong", "staged", 11, title="Định Quán hỗ trợ nông dân chuyển đổi cây trồng"),
        Case("chuoi-nfd", "staged", 11, title=NFD_TITLE),
        Case("ky-tu-an-bidi", "staged", 12, title=BIDI_TITLE),
        # article dates the date chain must not believe: the list-page time is used instead
        Case("ngay-thieu", "staged", 13),
        Case("ngay-31-02", "staged", 13),
        Case("ngay-tuong-lai", "staged", 14),
        Case("ngay-truoc-khi-mo", "staged", 14),
        Case("ngay-dao-thang", "staged", 15),
        # fetch failures
        Case("http-403", "fetch:http_error", 16, status=403),
        Case("http-404", "fetch:http_error", 16, status=404),
        Case("http-410", "fetch:http_error", 16, status=410),
        Case("http-429-retry-after", "fetch:http_error", 17, status=429, headers={"Retry-After": "1"}),
        Case("http-429", "fetch:http_error", 17, status=429),
        Case("http-500", "fetch:http_error", 17, status=500),
        Case("http-503-retry-after", "fetch:http_error", 18, status=503, headers={"Retry-After": "1"}),
        Case("http-503", "fetch:http_error", 18, status=503),
        Case("ket-noi-bi-ngat", "fetch:connection_error", 18),
        Case("cat-cut-content-length", "fetch:connection_error", 19),
        Case("trang-50mb", "fetch:too_large", 19),
        Case("trang-50mb-khai-bao", "fetch:too_large", 19),
        Case("nho-giot", "fetch:timeout", 20),
        Case("pdf", "fetch:not_html", 20),
        Case("pdf-gia-html", "fetch:not_html", 20),
        Case("anh-png", "fetch:not_html", 21),
        Case("json", "fetch:not_html", 21),
        Case("rong-200", "fetch:not_html", 21),
        Case("vong-chuyen-huong", "fetch:redirect_loop", 22),
        Case("chuyen-ten-mien-khac", "fetch:blocked_domain", 22),
        Case("chuyen-127-cong-khac", "fetch:blocked_domain", 22),
        Case("chuyen-localhost", "fetch:blocked_domain", 23),
        Case("chuyen-dia-chi-noi-bo", "fetch:blocked_domain", 23),
        Case("chuyen-metadata", "fetch:blocked_domain", 23),
        # pages that answer 200 but are not a usable article
        Case("cat-cut-trong-head", "parse:layout_unknown", 24),
        Case("html-vo-nghia", "parse:layout_unknown", 24),
        Case("khoang-trang-200", "fetch:not_html", 24),
        # list entries whose list-page date is unusable: the article is never fetched
        Case("ds-ngay-thieu", "list:list_no_date", 0, stamp=""),
        Case("ds-ngay-31-02", "list:list_no_date", 0, stamp="31/02/2024 10:00:00"),
        Case("ds-ngay-dao-thang", "list:list_no_date", 0, stamp="04/25/2024 09:30:00"),
        Case("ds-ngay-tuong-lai", "list:list_date_out_of_window", 0, stamp="10/04/2099 10:00:00"),
        Case("ds-truoc-khi-mo", "list:list_date_out_of_window", 0, stamp="10/04/2015 10:00:00"),
        # entities written twice and C0 controls: decoded once, dropped (last: the ids above stay)
        Case("thoat-kep-ky-tu-dieu-khien", "staged", 12, title=DOUBLE_ESCAPED_TITLE_SHOWN),
    ]
    for n, case in enumerate(specs):
        case.native_id = 1000 + n
    return specs


CASES: list[Case] = _cases()
BY_NAME = {c.name: c for c in CASES}
GOOD = [c for c in CASES if c.expect == "staged"]
# Phase 2: the URLs staged in phase 1 go bad in these ways (cycled over the good cases).
BAD_VARIANTS = (
    "http-500",
    "http-404",
    "http-410",
    "reset",
    "truncated-head",
    "empty",
    "pdf",
    "layout-changed",
    "redirect-offsite",
    "huge",
    "no-title",
    "trickle",
)
# Mode "half": every other good article fails; the first HALF_TIMEOUTS of them time out, the rest are PDFs.
HALF_FAILING = GOOD[0::2]
HALF_TIMEOUTS = 3  # each costs max_retries + 1 attempts of FETCH_TIMEOUT_SECONDS: kept few


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # teardown must not wait for a trickling handler thread

    def handle_error(self, request, client_address) -> None:  # resets and broken pipes are the point
        pass


class _Abort(Exception):
    """The handler tore the connection down on purpose."""


class HostileSite:
    """The server. ``mode`` is ``"good"`` (phase 1) or ``"bad"`` (phase 2)."""

    def __init__(self) -> None:
        self.mode = "good"
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # close-delimited bodies: truncation is undetectable

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                with owner._lock:
                    owner.hits[self.path] = owner.hits.get(self.path, 0) + 1
                try:
                    owner.route(self)
                except (_Abort, BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.netloc = f"127.0.0.1:{self.port}"
        self.base_url = f"http://{self.netloc}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> HostileSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return self.base_url + path

    # --- registry --------------------------------------------------------------------------------

    def registry_entry(self) -> dict:
        """The site as one registry entry: fetch options keep the hostile cases fast."""
        return {
            "id": SOURCE_ID,
            "name": "Cổng thông tin thử nghiệm (trang độc hại)",
            "base_url": self.base_url,
            "allowed_domains": [self.netloc],
            "adapter": "nukeviet",
            "live_since": LIVE_SINCE,
            "adapter_options": {"lang_prefix": "", "module": "news"},
            "sections": [
                {"path": SECTION, "name": "Tin tức", "integrate": True},
                {"path": CYCLE_SECTION, "name": "Vòng lặp", "integrate": True},
                {"path": ENDLESS_SECTION, "name": "Vô tận", "integrate": True},
            ],
            "politeness": {"min_interval_seconds": 0.0, "concurrency": 1},
            "fetch": {
                "timeout_seconds": FETCH_TIMEOUT_SECONDS,
                "max_bytes": 5_000_000,
                "max_retries": 1,
                "backoff_seconds": 0.0,
                "max_list_pages": MAX_LIST_PAGES,
            },
        }

    # --- routing ---------------------------------------------------------------------------------

    def route(self, req: BaseHTTPRequestHandler) -> None:
        path = req.path.split("?", 1)[0]
        if path == "/robots.txt":
            return send(req, 200, b"User-agent: *\nDisallow: /admin/\n", "text/plain")
        if self.mode == "lists-broken" and not path.endswith(".html"):  # a redesign the list parser cannot read
            return send(req, 200, b'<html><body><div id="app"></div><script src="/app.js"></script></body></html>')
        if path.startswith(f"{PREFIX}/{SECTION}/") and not path.endswith(".html"):
            return self.section_list(req, path)
        if path.startswith(f"{PREFIX}/{CYCLE_SECTION}/"):
            return self.cycle_list(req, path)
        if path.startswith(f"{PREFIX}/{ENDLESS_SECTION}/"):
            return self.endless_list(req, path)
        if path.startswith(f"{PREFIX}/{SECTION}/vong-b-"):
            return redirect(req, BY_NAME["vong-chuyen-huong"].path)
        if path == REDIRECT_TARGET:  # where "chuyen-huong-noi-bo" lands: it goes bad here
            case = BY_NAME["chuyen-huong-noi-bo"]
            if self.mode == "bad":
                return self.bad_variant(req, case)
            return send(req, 200, self.good_article(case, path).encode())
        for case in CASES:
            if path == case.path:
                if self.mode == "bad" and case in GOOD and case.name != "chuyen-huong-noi-bo":
                    return self.bad_variant(req, case)
                if self.mode == "half" and case in HALF_FAILING:
                    if HALF_FAILING.index(case) < HALF_TIMEOUTS:
                        return trickle(req)
                    return send(req, 200, PDF, "application/pdf")
                return self.serve_case(req, case)
        return send(req, 404, b"<html><body>Not found</body></html>")

    # --- list pages ------------------------------------------------------------------------------

    def section_list(self, req: BaseHTTPRequestHandler, path: str) -> None:
        """Three pages, newest first; the list-level bad dates sit mid-page (they must not stop
        the walk), and the last page ends with an item older than the interval."""
        shown = GOOD if self.mode == "half" else CASES
        dated = sorted((c for c in shown if c.day), key=lambda c: c.published, reverse=True)
        pages = [dated[i : i + 20] for i in range(0, len(dated), 20)]
        page_no = 1
        if "/page-" in path:
            page_no = int(path.rstrip("/").rsplit("-", 1)[1])
        if page_no > len(pages):
            return redirect(req, f"{PREFIX}/{SECTION}/")  # NukeViet: past the last page → page 1
        entries = [(c.path, c.list_title, c.published.strftime("%d/%m/%Y %H:%M:%S")) for c in pages[page_no - 1]]
        if page_no == 1 and self.mode != "half":
            for n, case in enumerate(c for c in CASES if not c.day):
                entries.insert(2 + 2 * n, (case.path, case.list_title, case.stamp or ""))
        if page_no == len(pages):
            entries.append((f"{PREFIX}/{SECTION}/bai-thang-ba-999.html", "Bài tháng ba", "20/03/2024 10:00:00"))
        nxt = f"{PREFIX}/{SECTION}/page-{page_no + 1}/" if page_no < len(pages) else None
        send(req, 200, list_html("Tin tức", entries, nxt).encode())

    def _one_good_entry(self, n: int) -> list[tuple[str, str, str]]:
        case = GOOD[n % 4]
        return [(case.path, case.list_title, case.published.strftime("%d/%m/%Y %H:%M:%S"))]

    def cycle_list(self, req: BaseHTTPRequestHandler, path: str) -> None:
        page_no = int(path.rstrip("/").rsplit("-", 1)[1]) if "/page-" in path else 1
        nxt = 2 if page_no == 3 else page_no + 1  # 1 → 2 → 3 → 2 → …
        send(
            req,
            200,
            list_html("Vòng lặp", self._one_good_entry(page_no), f"{PREFIX}/{CYCLE_SECTION}/page-{nxt}/").encode(),
        )

    def endless_list(self, req: BaseHTTPRequestHandler, path: str) -> None:
        page_no = int(path.rstrip("/").rsplit("-", 1)[1]) if "/page-" in path else 1
        send(
            req,
            200,
            list_html(
                "Vô tận", self._one_good_entry(page_no), f"{PREFIX}/{ENDLESS_SECTION}/page-{page_no + 1}/"
            ).encode(),
        )

    # --- articles --------------------------------------------------------------------------------

    def good_article(
        self,
        case: Case,
        path: str | None = None,
        *,
        title_html: str | None = None,
        date_line: str | None = "",
        body_html: str | None = None,
        author_html: str = "Phóng viên Hồng Nhung",
        charset: str | None = "utf-8",
        sapo_html: str | None = None,
    ) -> str:
        title = case.title or f"Tin {case.name} về hoạt động của tỉnh"
        body = body_html if body_html is not None else "\n".join(f"<p>{p}</p>" for p in paragraphs(case.native_id))
        return article_html(
            title_html=title_html if title_html is not None else esc(title),
            date_line=detail_time(case.published) if date_line == "" else date_line,
            sapo=sapo_html if sapo_html is not None else f"(ĐN)- Tóm tắt của bài {case.native_id}.",
            body_html=body,
            author_html=author_html,
            canonical=path or case.path,
            charset=charset,
        )

    def serve_case(self, req: BaseHTTPRequestHandler, case: Case) -> None:
        name = case.name
        if case.status is not None:
            return send(
                req, case.status, f"<html><body>HTTP {case.status}</body></html>".encode(), headers=case.headers
            )
        handler = _SPECIAL.get(name)
        if handler is not None:
            return handler(self, req, case)
        return send(req, 200, self.good_article(case).encode())

    def bad_variant(self, req: BaseHTTPRequestHandler, case: Case) -> None:
        variant = BAD_VARIANTS[GOOD.index(case) % len(BAD_VARIANTS)]
        if variant == "http-500":
            return send(req, 500, b"<html><body>Internal error</body></html>")
        if variant == "http-404":
            return send(req, 404, b"<html><body>Not found</body></html>")
        if variant == "http-410":
            return send(req, 410, b"<html><body>Gone</body></html>")
        if variant == "reset":
            return reset(req)
        if variant == "truncated-head":
            return send_raw(req, 200, self.good_article(case).encode()[:300])
        if variant == "empty":
            return send(req, 200, b"")
        if variant == "pdf":
            return send(req, 200, PDF, "text/html")
        if variant == "layout-changed":  # redesigned as a script-rendered app: no method finds the article
            page = self.good_article(case)
            page = (
                page[: page.index("<body")] + '<body><div id="app"></div><script src="/app.js"></script></body></html>'
            )
            return send(req, 200, page.encode())
        if variant == "redirect-offsite":
            return redirect(req, "http://evil.example/bai-viet.html")
        if variant == "huge":
            return stream_huge(req)
        if variant == "trickle":
            return trickle(req)
        if variant == "no-title":
            return send(req, 200, self.good_article(case, title_html="").encode())
        raise AssertionError(variant)


# --- special answers -----------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def send(
    req: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> None:
    req.send_response(status)
    req.send_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        req.send_header(name, value)
    req.send_header("Content-Length", str(len(body)))
    req.end_headers()
    req.wfile.write(body)


def send_raw(
    req: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> None:
    """No Content-Length: the body ends when the connection closes (truncation looks complete)."""
    req.send_response(status)
    req.send_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        req.send_header(name, value)
    req.end_headers()
    req.wfile.write(body)


def redirect(req: BaseHTTPRequestHandler, location: str, status: int = 302) -> None:
    send(req, status, b"", headers={"Location": location})


def reset(req: BaseHTTPRequestHandler) -> None:
    """Close with SO_LINGER 0: the client sees a TCP RST."""
    req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    req.rfile.close()
    req.wfile.close()
    req.connection.close()
    raise _Abort


def stream_huge(req: BaseHTTPRequestHandler, declare: bool = False) -> None:
    """50 MB of HTML, streamed until the client hangs up (never held in memory)."""
    req.send_response(200)
    req.send_header("Content-Type", "text/html; charset=utf-8")
    if declare:
        req.send_header("Content-Length", str(HUGE_BYTES))
    req.end_headers()
    chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
    sent = 0
    req.wfile.write(b"<!DOCTYPE html><html><body>")
    while sent < HUGE_BYTES:
        req.wfile.write(chunk)
        sent += len(chunk)


def trickle(req: BaseHTTPRequestHandler) -> None:
    """One byte per second, for longer than the fetch deadline."""
    req.send_response(200)
    req.send_header("Content-Type", "text/html; charset=utf-8")
    req.end_headers()
    for byte in b"<!DOCTYPE html><html><body><p>" + b"x" * 30:
        req.wfile.write(bytes([byte]))
        req.wfile.flush()
        time.sleep(1.0)


_TONES = "\u0300\u0301\u0303\u0309\u0323"  # the combining tone marks windows-1258 encodes


def to_cp1258(text: str) -> bytes:
    """Encode like a legacy Vietnamese editor: the base letter (precomposed where windows-1258
    has it: â ê ô ơ ư ă đ) plus a combining tone mark."""
    out = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        tone = "".join(m for m in decomposed[1:] if m in _TONES)
        base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in tone))
        out.append((base + tone).encode("cp1258"))
    return b"".join(out)


def _cp1258(site: HostileSite, req, case: Case, *, header: str | None, meta: bool) -> None:
    body = to_cp1258(site.good_article(case, charset="windows-1258" if meta else None))
    send(req, 200, body, header or "text/html")


def _wrong_charset(site: HostileSite, req, case: Case) -> None:
    # UTF-8 bytes (and a <meta> saying so) behind a header that claims ISO-8859-1
    send(req, 200, site.good_article(case).encode(), "text/html; charset=iso-8859-1")


def _no_charset(site: HostileSite, req, case: Case) -> None:
    send(req, 200, site.good_article(case, charset=None).encode(), "text/html")


def _invalid_utf8(site: HostileSite, req, case: Case) -> None:
    page = site.good_article(case).encode()
    marker = "hỗ trợ".encode()
    send(req, 200, page.replace(marker, marker + b"\xff\xfe\xc3", 1).replace(b"</p>", b"\x80\xbf</p>", 1))


def _nfd(site: HostileSite, req, case: Case) -> None:
    page = site.good_article(case)
    send(req, 200, unicodedata.normalize("NFD", page).encode())


def _hostile(site: HostileSite, req, case: Case) -> None:
    body = HOSTILE_BODY + "\n".join(f"<p>{p}</p>" for p in paragraphs(case.native_id))
    send(req, 200, site.good_article(case, body_html=body, author_html=esc(SQL_AUTHOR)).encode())


def _escaped_title(site: HostileSite, req, case: Case) -> None:
    send(req, 200, site.good_article(case, title_html=ESCAPED_TITLE).encode())


def _double_escaped_with_controls(site: HostileSite, req, case: Case) -> None:
    """Title and lead escaped twice in the HTML; control characters inside words of the body's
    paragraphs and of the author's name (dropped, they leave the words whole)."""

    def sprinkle(text: str) -> str:
        words = text.split(" ")
        for i, char in enumerate(CONTROL_CHARACTERS):
            w = (3 * i + 1) % len(words)
            words[w] = words[w][:1] + char + words[w][1:]
        return " ".join(words)

    body = "\n".join(f"<p>{sprinkle(p)}</p>" for p in paragraphs(case.native_id))
    page = site.good_article(
        case, body_html=body, sapo_html=esc(DOUBLE_ESCAPED_SAPO_SHOWN), author_html=sprinkle("Phóng viên Hồng Nhung")
    )
    send(req, 200, page.encode())


def _malformed_ok(site: HostileSite, req, case: Case) -> None:
    body = "\n".join(f"<p>{p}" for p in paragraphs(case.native_id))  # unclosed <p>s
    page = site.good_article(case, body_html=body + "<div><span><b>in đậm</div></span></i></table>")
    page = page.replace("</head>", "<p>rác trong head</head>", 1).replace("</body>", "</div></div></body>", 1)
    send(req, 200, page.encode())


def _redirect_inside(site: HostileSite, req, case: Case) -> None:
    redirect(req, REDIRECT_TARGET, 301)


def _503_then_ok(site: HostileSite, req, case: Case) -> None:
    if site.hits[case.path] % 2 == 1:  # every first attempt is refused, the retry succeeds
        return send(req, 503, b"<html><body>busy</body></html>", headers={"Retry-After": "1"})
    send(req, 200, site.good_article(case).encode())


def _date(line: str | None, meta: str | None = None):
    def handler(site: HostileSite, req, case: Case) -> None:
        page = site.good_article(case, date_line=line)
        if meta:
            page = page.replace("</head>", f'<meta property="article:published_time" content="{meta}">\n</head>', 1)
        send(req, 200, page.encode())

    return handler


def _truncated_content_length(site: HostileSite, req, case: Case) -> None:
    page = site.good_article(case).encode()
    req.send_response(200)
    req.send_header("Content-Type", "text/html; charset=utf-8")
    req.send_header("Content-Length", str(len(page)))
    req.end_headers()
    req.wfile.write(page[: len(page) // 3])
    req.wfile.flush()
    reset(req)


def _redirect_to(location: str):
    def handler(site: HostileSite, req, case: Case) -> None:
        redirect(req, location.replace("{port}", str(site.port)))

    return handler


_SPECIAL: dict[str, Callable[[HostileSite, BaseHTTPRequestHandler, Case], None]] = {
    "noi-dung-doc-hai": _hostile,
    "tieu-de-thoat-html": _escaped_title,
    "thoat-kep-ky-tu-dieu-khien": _double_escaped_with_controls,
    "html-loi-van-doc-duoc": _malformed_ok,
    "chuyen-huong-noi-bo": _redirect_inside,
    "503-roi-ok": _503_then_ok,
    "windows-1258-header": lambda s, r, c: _cp1258(s, r, c, header="text/html; charset=windows-1258", meta=False),
    "windows-1258-meta": lambda s, r, c: _cp1258(s, r, c, header=None, meta=True),
    "utf8-header-1258-body": lambda s, r, c: _cp1258(s, r, c, header="text/html; charset=utf-8", meta=True),
    "sai-charset-header": _wrong_charset,
    "khong-charset": _no_charset,
    "utf8-hong": _invalid_utf8,
    "chuoi-nfd": _nfd,
    "ngay-thieu": _date(None),
    "ngay-31-02": _date("Thứ năm - 31/02/2024 10:00", "2024-02-31+0710:00:00"),
    "ngay-tuong-lai": _date("Thứ năm - 10/04/2099 10:00", "2099-04-10+0710:00:00"),
    "ngay-truoc-khi-mo": _date("Thứ năm - 10/04/2015 10:00", "2015-04-10+0710:00:00"),
    "ngay-dao-thang": _date("Thứ hai - 04/15/2024 10:00"),
    "ket-noi-bi-ngat": lambda s, r, c: reset(r),
    "cat-cut-content-length": _truncated_content_length,
    "trang-50mb": lambda s, r, c: stream_huge(r),
    "trang-50mb-khai-bao": lambda s, r, c: stream_huge(r, declare=True),
    "nho-giot": lambda s, r, c: trickle(r),
    "pdf": lambda s, r, c: send(r, 200, PDF, "application/pdf"),
    "pdf-gia-html": lambda s, r, c: send(r, 200, PDF, "text/html; charset=utf-8"),
    "anh-png": lambda s, r, c: send(r, 200, PNG, "text/html"),
    "json": lambda s, r, c: send(r, 200, json.dumps({"title": "<script>x</script>"}).encode(), "text/html"),
    "rong-200": lambda s, r, c: send(r, 200, b""),
    "vong-chuyen-huong": lambda s, r, c: redirect(r, f"{PREFIX}/{SECTION}/vong-b-1.html"),
    "chuyen-ten-mien-khac": _redirect_to("http://evil.example/news/tin-tuc/bai-1.html"),
    "chuyen-127-cong-khac": _redirect_to("http://127.0.0.1:5432/"),
    "chuyen-localhost": _redirect_to("http://localhost:{port}/news/tin-tuc/tot-mot-1000.html"),
    "chuyen-dia-chi-noi-bo": _redirect_to("http://10.0.0.5/admin"),
    "chuyen-metadata": _redirect_to("http://169.254.169.254/latest/meta-data/"),
    "cat-cut-trong-head": lambda s, r, c: send_raw(r, 200, s.good_article(c).encode()[:250]),
    "html-vo-nghia": lambda s, r, c: send(
        r, 200, b"<html><body><div><<<>>><p><b></i></table>&&&;</div><a href=x>chi co mot lien ket</a></body></html>"
    ),
    "khoang-trang-200": lambda s, r, c: send(r, 200, b"   \n\t  \n"),
}
