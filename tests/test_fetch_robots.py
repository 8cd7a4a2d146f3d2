"""robots.txt rules (RFC 9309) and the in-process rate limiter, without a network."""

from __future__ import annotations

import threading

from portal_etl.fetch import InProcessRateLimiter, RateLimiter, RobotsRules
from portal_etl.fetch.robots import MAX_CRAWL_DELAY_SECONDS, RobotsCache
from portal_etl.fetch.urls import UrlRefused, check_url, netloc_key

BASE = "https://dongnai.gov.vn"


def rules(text: str, token: str = "portal-etl") -> RobotsRules:
    return RobotsRules.parse(text, token)


def test_longest_match_and_allow_wins_ties() -> None:
    r = rules("User-agent: *\nDisallow: /vi/news/\nAllow: /vi/news/kinh-te/\nDisallow: /a\nAllow: /a\n")
    assert not r.allowed(BASE + "/vi/news/thong-bao/x.html")
    assert r.allowed(BASE + "/vi/news/kinh-te/x.html")
    assert r.allowed(BASE + "/a")
    assert r.allowed(BASE + "/en/news/")


def test_wildcards_and_end_anchor() -> None:
    r = rules("User-agent: *\nDisallow: /*/savefile/\nDisallow: /*.pdf$\nDisallow: /*?print=\n")
    assert not r.allowed(BASE + "/vi/news/savefile/kinh-te/x-1.html")
    assert not r.allowed(BASE + "/files/a.pdf")
    assert r.allowed(BASE + "/files/a.pdf?download=1")
    assert not r.allowed(BASE + "/x?print=1")
    assert r.allowed(BASE + "/vi/news/kinh-te/x-1.html")


def test_percent_encoding_is_normalised() -> None:
    r = rules("User-agent: *\nDisallow: /tag/xây-dựng\nDisallow: /%7Euser\n")
    assert not r.allowed(BASE + "/tag/x%C3%A2y-d%E1%BB%B1ng/page-8")
    assert not r.allowed(BASE + "/~user/x")


def test_groups_comments_and_robots_txt_always_allowed() -> None:
    text = (
        "# comment\nDisallow: /orphan\n"  # a rule before any user-agent belongs to nobody
        "User-agent: googlebot\nUser-agent: Portal-ETL/1.0  # shared group\nDisallow: /g\n"
        "Crawl-delay: 90\n\n"
        "User-agent: *\nDisallow: /\n"
    )
    ours = rules(text)
    assert not ours.allowed(BASE + "/g/1") and ours.allowed(BASE + "/orphan")
    assert ours.crawl_delay == MAX_CRAWL_DELAY_SECONDS
    other = rules(text, "otherbot")
    assert not other.allowed(BASE + "/anything") and other.allowed(BASE + "/robots.txt")
    assert rules("User-agent: *\nDisallow:\n").allowed(BASE + "/x")
    assert rules("").allowed(BASE + "/x")
    deny = RobotsRules.deny_everything("unreachable")
    assert not deny.allowed(BASE + "/") and deny.allowed(BASE + "/robots.txt")


def test_robots_cache_loads_once_per_origin_and_expires_failures() -> None:
    now = [0.0]
    loads: list[str] = []

    def load(origin: str) -> RobotsRules:
        loads.append(origin)
        return RobotsRules.deny_everything("503") if "down" in origin else rules("")

    cache = RobotsCache(load, clock=lambda: now[0])
    for path in ("/a", "/b"):
        cache.rules_for(BASE + path)
        cache.rules_for("https://down.example:8443" + path)
    cache.rules_for("https://DongNai.gov.vn:443/c")  # same origin, other spelling
    assert loads == [BASE, "https://down.example:8443"]
    now[0] = 601.0  # past the unreachable TTL, within the 24 h TTL
    cache.rules_for(BASE + "/d")
    cache.rules_for("https://down.example:8443/d")
    assert loads[2:] == ["https://down.example:8443"]


def test_netloc_and_url_checks() -> None:
    assert netloc_key("https://DongNai.gov.vn:443/x") == "dongnai.gov.vn"
    assert netloc_key("http://127.0.0.1:8701/") == "127.0.0.1:8701"
    assert netloc_key("http://[::1]:8080/") == "[::1]:8080"
    allowed = frozenset({"dongnai.gov.vn", "127.0.0.1:8701"})
    assert check_url("https://dongnai.gov.vn/a#frag", allowed) == "https://dongnai.gov.vn/a"
    assert check_url("http://127.0.0.1:8701", allowed) == "http://127.0.0.1:8701/"
    for bad in (
        "https://www.dongnai.gov.vn/",
        "http://127.0.0.1:8702/",
        "http://[::1]/",
        "http://localhost/",
        "http://0x7f000001/",
        "javascript:alert(1)",
        "https://user@dongnai.gov.vn/",
        "http://dongnai.gov.vn:bad/",
    ):
        try:
            check_url(bad, allowed)
        except UrlRefused:
            continue
        raise AssertionError(f"{bad} was accepted")


def test_rate_limiter_with_fake_clock() -> None:
    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = InProcessRateLimiter(clock=lambda: now[0], sleep=sleep)
    assert isinstance(limiter, RateLimiter)
    limiter.wait("a.vn", 2.0)
    limiter.wait("a.vn", 2.0)
    limiter.wait("b.vn", 2.0)  # another netloc is not delayed
    now[0] += 5
    limiter.wait("a.vn", 2.0)  # the interval has long passed
    assert waits == [2.0]


def test_rate_limiter_is_thread_safe_and_fair() -> None:
    waits: list[float] = []
    lock = threading.Lock()

    def sleep(seconds: float) -> None:
        with lock:
            waits.append(seconds)

    limiter = InProcessRateLimiter(clock=lambda: 0.0, sleep=sleep)
    threads = [threading.Thread(target=limiter.wait, args=("a.vn", 1.5)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == [1.5 * n for n in range(1, 8)]  # slots 0, 1.5, 3, … each once
