"""The replica server, exercised over real HTTP on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from replica_helpers import free_port_block, nfc, parse_page

from portal_etl.registry import load_registry
from portal_replica.generator import ScenarioParams, generate
from portal_replica.manifest import items_of, items_with_quirk, load_manifest
from portal_replica.server import ReplicaServer

UA = "portal-etl-test/1.0 (+replica)"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("replica_small")
    generate(ScenarioParams(scale=0.1), out)
    return out


@pytest.fixture(scope="module")
def manifest(out_dir) -> dict:
    return load_manifest(out_dir)


@pytest.fixture(scope="module")
def server(out_dir):
    with ReplicaServer(out_dir) as srv:
        yield srv


@pytest.fixture()
def http():
    with requests.Session() as session:
        session.headers["User-Agent"] = UA
        yield session


def get(http, url, **kw):
    kw.setdefault("allow_redirects", False)
    kw.setdefault("timeout", 10)
    return http.get(url, **kw)


def test_one_listener_per_channel(server):
    urls = server.base_urls
    assert list(urls) == ["dongnai_party", "dongnai_gov", "baodongnai"]
    assert len(set(urls.values())) == 3
    assert all(re.fullmatch(r"http://127\.0\.0\.1:\d+", u) for u in urls.values())


def test_robots_txt(server, http):
    for sid, prefix in (("dongnai_gov", "/vi/news"), ("dongnai_party", "/news"), ("baodongnai", "")):
        resp = get(http, server.base_urls[sid] + "/robots.txt")
        assert resp.status_code == 200
        assert resp.headers["Content-Type"].startswith("text/plain")
        lines = resp.text.splitlines()
        assert "User-agent: *" in lines and "Disallow: /admin/" in lines
        for route in ("savefile", "print", "sendmail"):
            assert f"Disallow: {prefix}/{route}/" in lines


def test_article_headers_and_conditional_get(server, manifest, http):
    for sid in ("dongnai_gov", "dongnai_party", "baodongnai"):
        item = next(it for it in items_of(manifest, sid) if "legacy_encoding" not in it["quirks"])
        url = server.base_urls[sid] + item["path"]
        resp = get(http, url)
        assert resp.status_code == 200
        assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
        etag, last_modified = resp.headers["ETag"], resp.headers["Last-Modified"]
        assert re.fullmatch(r'"[0-9a-f]{64}"', etag)
        assert get(http, url, headers={"If-None-Match": etag}).status_code == 304
        assert get(http, url, headers={"If-None-Match": '"stale"'}).status_code == 200
        not_modified = get(http, url, headers={"If-Modified-Since": last_modified})
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert get(http, url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
        # absolute URLs carry the server's own base URL
        canonical = parse_page(resp.content).select_one('link[rel="canonical"]')["href"]
        assert canonical == url
        assert "__REPLICA_BASE__" not in resp.text
        head = http.head(url, timeout=10)
        assert head.status_code == 200 and head.headers["ETag"] == etag


def test_last_modified_is_the_edit_time(server, manifest, http):
    item = items_of(manifest, "dongnai_gov")[5]
    resp = get(http, server.base_urls["dongnai_gov"] + item["path"])
    hidden = parse_page(resp.content).select_one('span[itemprop="datePublished"]').get_text()
    assert parsedate_to_datetime(resp.headers["Last-Modified"]) == datetime.fromisoformat(hidden)


def test_duplicate_routes(server, manifest, http):
    item = items_of(manifest, "dongnai_gov")[7]
    base = server.base_urls["dongnai_gov"]
    tail = item["path"][len("/vi/news") :]
    for op in ("savefile", "print", "sendmail"):
        resp = get(http, f"{base}/vi/news/{op}{tail}")
        assert resp.status_code == 200, op
        assert "ETag" in resp.headers and "Last-Modified" in resp.headers
    saved = parse_page(get(http, f"{base}/vi/news/savefile{tail}").content)
    assert saved.select_one('meta[property="og:type"]')["content"] == "website"
    assert saved.select_one('meta[name="description"]')["content"].startswith("Savefile - ")
    printed = parse_page(get(http, f"{base}/vi/news/print{tail}").content)
    assert printed.select_one('meta[name="description"]')["content"].startswith("Print - ")
    assert printed.select_one("h1").get_text() == saved.select_one("h1").get_text()
    assert get(http, f"{base}/vi/news/sendmail/kinh-te/nope-1.html").status_code == 404


def test_unknown_paths_are_404(server, http):
    for url in server.base_urls.values():
        assert get(http, url + "/no/such/page.html").status_code == 404
        assert get(http, url + "/index.html").status_code == 404
    assert get(http, server.base_urls["baodongnai"] + "/chinh-tri/202404/nope-1234567").status_code == 404
    assert get(http, server.base_urls["dongnai_gov"] + "/vi/news/kinh-te/x-99999999.html").status_code == 404


def _follow_nukeviet(http, base_url: str, first_path: str) -> tuple[list[str], int]:
    url, hrefs, pages = base_url + first_path, [], 0
    while url:
        resp = get(http, url)
        assert resp.status_code == 200
        pages += 1
        doc = parse_page(resp.content)
        hrefs += [
            a["href"]
            for a in doc.select(
                "div.news_column > div.panel.panel-default > div.panel-body > h2 > a,"
                " div.news_column > div.panel.panel-default > div.panel-body > h3 > a"
            )
        ]
        nxt = doc.select_one('ul.pagination a.page-link[rel="next"]')
        url = urljoin(url, nxt["href"]) if nxt else None
    return hrefs, pages


def test_nukeviet_pager(server, manifest, http):
    base = server.base_urls["dongnai_gov"]
    hrefs, pages = _follow_nukeviet(http, base, "/vi/news/")
    gov = items_of(manifest, "dongnai_gov")
    assert pages >= 3
    assert sorted(hrefs) == sorted(it["path"] for it in gov)
    for bad in (f"/vi/news/page-{pages + 1}/", "/vi/news/page-0/", "/vi/news/page-1/", "/vi/news/page-999/"):
        resp = get(http, base + bad)
        assert resp.status_code == 301, bad
        assert resp.headers["Location"] == base + "/vi/news/"
    assert get(http, base + f"/vi/news/page-{pages}/").status_code == 200
    # category lists: every item of the category (plus items also listed there)
    for section in ("kinh-te", "thoi-su-chinh-tri"):
        got, _ = _follow_nukeviet(http, base, f"/vi/news/{section}/")
        want = [it["path"] for it in gov if it["section"] == section]
        want += [
            it["path"].replace(f"/{it['section']}/", f"/{section}/") for it in gov if section in it["also_listed_in"]
        ]
        assert sorted(got) == sorted(want)


def test_party_list_and_article(server, manifest, http):
    base = server.base_urls["dongnai_party"]
    hrefs, _ = _follow_nukeviet(http, base, "/news/")
    assert sorted(hrefs) == sorted(it["path"] for it in items_of(manifest, "dongnai_party"))
    resp = get(http, base + "/news/xay-dung-dang/page-0/")
    assert resp.status_code == 301 and resp.headers["Location"] == base + "/news/xay-dung-dang/"


def test_multi_category_and_wrong_alias_redirect(server, manifest, http):
    items = items_with_quirk(manifest, "multi_category")
    assert items
    for it in items:
        base = server.base_urls[it["source_id"]]
        alt = it["path"].replace(f"/{it['section']}/", f"/{it['also_listed_in'][0]}/")
        resp = get(http, base + alt)
        assert resp.status_code == 301
        assert resp.headers["Location"] == base + it["path"]
        assert get(http, base + alt, allow_redirects=True).url == base + it["path"]
    gov = items_of(manifest, "dongnai_gov")[3]
    base = server.base_urls["dongnai_gov"]
    wrong = f"/vi/news/thong-bao/some-other-alias-{gov['native_id']}.html"
    resp = get(http, base + wrong)
    assert resp.status_code == 301 and resp.headers["Location"] == base + gov["path"]


def test_legacy_urls_redirect(server, manifest, http):
    base = server.base_urls["dongnai_gov"]
    legacy = [it for it in manifest["items"] if it.get("legacy_path")]
    assert legacy
    for it in legacy[:5]:
        resp = get(http, base + it["legacy_path"])
        assert resp.status_code == 301 and resp.headers["Location"] == base + it["path"]
    news_id = re.search(r"NewsId=(\d+)", legacy[0]["legacy_path"]).group(1)
    swapped = get(http, base + f"/pages/newsdetail.aspx?CatId=1&NewsId={news_id}")
    assert swapped.status_code == 301
    assert get(http, base + "/Pages/newsdetail.aspx?NewsId=1&CatId=21").status_code == 404
    # not a route of the other channels
    other = server.base_urls["dongnai_party"]
    assert get(http, other + legacy[0]["legacy_path"]).status_code == 404


def test_baodongnai_pager(server, manifest, http):
    base = server.base_urls["baodongnai"]
    for section in ("chinh-tri", "kinh-te"):
        url, hrefs, pages = f"{base}/{section}", [], 0
        while url:
            resp = get(http, url)
            assert resp.status_code == 200
            pages += 1
            doc = parse_page(resp.content)
            hrefs += [a["href"] for a in doc.select("div.list-news > article.story h3.story-title > a")]
            times = [s.get_text() for s in doc.select("div.list-news span.story-time")]
            assert all(re.fullmatch(r"\d{2}:\d{2}, \d{2}/\d{2}/\d{4}", t) for t in times)
            nxt = doc.select_one("nav.pager > a.next")
            url = urljoin(url, nxt["href"]) if nxt else None
        want = [it["path"] for it in items_of(manifest, "baodongnai") if it["section"] == section]
        assert sorted(hrefs) == sorted(want)
        past = get(http, f"{base}/{section}?page={pages + 1}")
        assert past.status_code == 200
        doc = parse_page(past.content)
        assert doc.select("div.list-news") and not doc.select("div.list-news > article.story")
        assert not doc.select("nav.pager")
        assert get(http, f"{base}/{section}?page=abc").status_code == 200


def test_windows_1258_section(server, manifest, http):
    items = items_with_quirk(manifest, "legacy_encoding")
    assert items
    base = server.base_urls["baodongnai"]
    for it in items:
        resp = get(http, base + it["path"])
        assert resp.status_code == 200
        assert resp.headers["Content-Type"] == "text/html; charset=windows-1258"
        text = nfc(resp.content.decode("cp1258"))
        doc = parse_page(text.encode("utf-8"))
        assert doc.select_one("h1.article-title").get_text() == it["title"]
        assert doc.select_one("meta[charset]")["charset"] == "windows-1258"
        assert doc.select_one("div.article-audio > audio[src]")
    listing = get(http, base + "/podcast")
    assert listing.headers["Content-Type"] == "text/html; charset=windows-1258"
    titles = [
        a.get_text()
        for a in parse_page(nfc(listing.content.decode("cp1258")).encode()).select("div.list-news h3.story-title > a")
    ]
    assert titles and all(t.startswith("Tin nhanh audio") for t in titles)


def test_rss(server, http):
    base = server.base_urls["dongnai_gov"]
    resp = get(http, base + "/vi/news/rss/")
    assert resp.status_code == 200 and "rss" in resp.headers["Content-Type"]
    links = re.findall(r"<link>(.*?)</link>", resp.text)
    assert all(link.startswith(base) for link in links)
    item_links = re.findall(r"<item>.*?<link>(.*?)</link>", resp.text, re.S)
    assert 0 < len(item_links) <= 30
    assert get(http, item_links[0]).status_code == 200
    assert get(http, base + "/vi/news/rss/kinh-te/").status_code == 200


def test_media_placeholders(server, manifest, http):
    base = server.base_urls["baodongnai"]
    resp = get(http, base + "/file/e7837c02876411cd0187645a2551379f/042024/x_20240428000000.jpg")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("image/")
    video = next(it for it in items_of(manifest, "dongnai_gov") if it["item_type"] == "video")
    page = parse_page(get(http, server.base_urls["dongnai_gov"] + video["path"]).content)
    player = page.select_one("#news-bodyhtml video[src], #news-bodyhtml iframe[src]")
    assert player is not None


def test_request_log_and_reset(server, manifest, http):
    base = server.base_urls["baodongnai"]
    assert http.post(base + "/__replica/reset", timeout=10).status_code == 200
    item = items_of(manifest, "baodongnai")[0]
    get(http, base + item["path"])
    get(http, base + "/missing")
    lines = get(http, base + "/__replica/requests").text.splitlines()
    log = [json.loads(line) for line in lines]
    assert [(e["path"], e["status"]) for e in log] == [(item["path"], 200), ("/missing", 404)]
    assert all(e["user_agent"] == UA and isinstance(e["ts"], float) for e in log)
    # each channel has its own log
    gov_log = get(http, server.base_urls["dongnai_gov"] + "/__replica/requests").text
    assert item["path"] not in gov_log
    http.post(base + "/__replica/reset", timeout=10)
    assert get(http, base + "/__replica/requests").text == ""


def test_layout_switch(server, manifest, http):
    base = server.base_urls["baodongnai"]
    item = next(it for it in items_of(manifest, "baodongnai") if "legacy_encoding" not in it["quirks"])
    normal = get(http, base + item["path"])
    assert parse_page(normal.content).select_one("article.article-detail h1.article-title")
    try:
        assert get(http, base + "/__replica/layout?v=redesigned").status_code == 200
        changed = get(http, base + item["path"])
        doc = parse_page(changed.content)
        assert not doc.select_one("h1.article-title") and not doc.select_one("div.article-body")
        assert changed.headers["ETag"] != normal.headers["ETag"]
        listing = parse_page(get(http, base + "/chinh-tri").content)
        assert not listing.select("div.list-news > article.story")
        # the other channels keep their layout
        gov = items_of(manifest, "dongnai_gov")[0]
        gov_doc = parse_page(get(http, server.base_urls["dongnai_gov"] + gov["path"]).content)
        assert gov_doc.select_one("div#news-bodyhtml")
        assert get(http, base + "/__replica/layout?v=scripted").status_code == 200
        scripted = parse_page(get(http, base + item["path"]).content)
        assert scripted.select_one("div#app") and not scripted.select("p")
        assert scripted.select_one("link[rel=canonical]")  # the head is kept
        assert get(http, base + "/__replica/layout?v=bogus").status_code == 400
    finally:
        get(http, base + "/__replica/layout?v=normal")
    again = get(http, base + item["path"])
    assert again.content == normal.content


def test_overrides_file_feeds_the_registry(server, tmp_path):
    path = server.write_overrides(tmp_path / "overrides.yaml")
    registry = load_registry(overrides=path)
    for sid, url in server.base_urls.items():
        source = registry.get(sid)
        assert source.base_url == url
        assert source.allowed_domains == [url.split("://")[1]]
        assert source.politeness.min_interval_seconds == 0
        assert source.configured


def test_consecutive_ports_from_base_port(out_dir):
    for _attempt in range(5):
        base_port = free_port_block(3, start=20000 + 131 * _attempt)
        try:
            srv = ReplicaServer(out_dir, base_port=base_port).start()
        except OSError:
            continue
        try:
            ports = [int(u.rsplit(":", 1)[1]) for u in srv.base_urls.values()]
            assert list(srv.base_urls) == ["dongnai_party", "dongnai_gov", "baodongnai"]
            assert ports == [base_port, base_port + 1, base_port + 2]
            assert requests.get(srv.base_urls["dongnai_gov"] + "/robots.txt", timeout=10).ok
        finally:
            srv.stop()
        return
    pytest.fail("no free block of ports")


def test_serve_forever_stops_on_sigterm(out_dir, tmp_path):
    overrides = tmp_path / "ov.yaml"
    base_port = free_port_block(3, start=40000)
    code = (
        "import sys; from pathlib import Path; from portal_replica.server import serve_forever;"
        f"serve_forever(Path({str(out_dir)!r}), '127.0.0.1', {base_port}, Path({str(overrides)!r}))"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join((str(REPO / "replica"), str(REPO / "plugins"))))
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while not overrides.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert overrides.exists(), proc.stderr.read() if proc.poll() is not None else "timeout"
        resp = requests.get(f"http://127.0.0.1:{base_port + 1}/robots.txt", timeout=10)
        assert resp.status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
