"""The RSS feed is the last step of the publish-date chain, through the real ingest path.

A local server on 127.0.0.1 serves a NukeViet article whose visible date line and meta time are
gone, and the site's feed; the list page's date is unusable (in the future), so only the feed can
date the item — to the hour, because NukeViet writes the month into the minutes.
"""

from __future__ import annotations

import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg2
import pytest
import yaml

from portal_etl.db import staging as st
from portal_etl.models import ListEntry
from portal_etl.pipeline import ingest
from portal_etl.registry import load_registry

PAGES = Path(__file__).resolve().parent / "pages"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ARTICLE = "/vi/news/thoi-su-chinh-tri/dhong-nai-co-them-3-khu-cong-nghiep-moi-giai-doan-2024-1-200-ha-379.html"


@pytest.fixture
def site():
    routes: dict[str, tuple[str, bytes]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            content_type, body = routes.get(self.path, ("text/html", b""))
            self.send_response(200 if self.path in routes else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_port}"
    article = (PAGES / "nukeviet_gov_article.html").read_text(encoding="utf-8")
    article = "\n".join(
        line
        for line in article.splitlines()
        if "article:published_time" not in line and "Thứ ba - 28/05/2024" not in line
    )
    routes[ARTICLE] = ("text/html; charset=utf-8", article.replace("https://dongnai.gov.vn", base).encode())
    feed = (PAGES / "nukeviet_rss.xml").read_text(encoding="utf-8").replace("https://dongnai.gov.vn", base)
    routes["/vi/news/rss/"] = ("application/rss+xml", feed.encode())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield base
    server.shutdown()


def test_feed_dates_an_item_nothing_else_can(clean_db, site, tmp_path, monkeypatch) -> None:
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text(
        yaml.safe_dump(
            {
                "sources": {
                    "dongnai_gov": {
                        "base_url": site,
                        "allowed_domains": [site.removeprefix("http://")],
                        "politeness": {"min_interval_seconds": 0},
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("PORTAL_ETL_SOURCES_OVERRIDES", str(overrides))
    registry = load_registry()
    start, end = datetime(2030, 1, 1, tzinfo=TZ), datetime(2030, 2, 1, tzinfo=TZ)

    ingest.discover("dongnai_gov", start, end, dag_id="t", run_id="r", registry=registry)
    conn = psycopg2.connect(clean_db)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT guid, published_hour_utc FROM staging.feed_entry WHERE source_id = 'dongnai_gov'")
        feed_rows = cur.fetchall()
        # the list page says 2030: outside the channel's sanity window, so it cannot date the item
        st.upsert_list_entries(
            cur,
            "dongnai_gov",
            "thoi-su-chinh-tri",
            [
                ListEntry(
                    url=site + ARTICLE,
                    title="Ðồng Nai có thêm 3 khu công nghiệp mới",
                    published_at=datetime(2030, 1, 10, tzinfo=TZ),
                )
            ],
        )
    assert ("news_379", datetime(2024, 5, 28, 13, tzinfo=ZoneInfo("UTC"))) in feed_rows

    counts = ingest.fetch_articles("dongnai_gov", start, end, dag_id="t", run_id="r", registry=registry)
    assert counts["parsed"] == 1
    with conn.cursor() as cur:
        cur.execute("SELECT published_at, field_sources->>'published_at' FROM staging.item")
        published, extractor = cur.fetchone()
    conn.close()
    assert extractor == "feed"
    assert published == datetime(2024, 5, 28, 20, tzinfo=TZ)  # 13:xx UTC, kept to the hour
