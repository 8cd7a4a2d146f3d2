"""Pages the pipeline cannot use are recorded with a reason; nothing already stored is touched.

Runs the ingest functions directly (no scheduler) against the replica on 127.0.0.1.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import psycopg2
import pytest

from portal_etl.db import staging as st
from portal_etl.models import ListEntry
from portal_etl.normalize.urls import canonicalize_url
from portal_etl.pipeline import ingest
from portal_etl.registry import load_registry

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START, END = datetime(2030, 1, 1, tzinfo=TZ), datetime(2030, 2, 1, tzinfo=TZ)  # a month no real item is in


def plant_candidates(dsn: str, registry, source_id: str, urls: list[str]) -> None:
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        st.sync_sources(cur, registry)
        st.upsert_list_entries(
            cur,
            source_id,
            "thoi-su-chinh-tri",
            [
                ListEntry(url=u, title=f"Ứng viên {n}", published_at=datetime(2030, 1, 10 + n, tzinfo=TZ))
                for n, u in enumerate(urls)
            ],
        )
    conn.close()


def rows(dsn: str, sql: str, *params) -> list[tuple]:
    conn = psycopg2.connect(dsn)
    with conn.cursor() as cur:
        cur.execute(sql, params)
        out = cur.fetchall()
    conn.close()
    return out


def test_unparseable_pages_are_parse_errors_with_a_reason(clean_db, replica) -> None:
    registry = load_registry()
    base = replica.base_urls["dongnai_gov"]
    not_an_article = base + "/vi/news/thoi-su-chinh-tri/"  # a list page behind an article link
    an_image = base + "/uploads/news/2024_04/photo.jpg"  # not HTML at all
    missing = base + "/vi/news/thoi-su-chinh-tri/khong-co-99999999.html"  # 404
    plant_candidates(clean_db, registry, "dongnai_gov", [not_an_article, an_image, missing])

    counts = ingest.fetch_articles("dongnai_gov", START, END, dag_id="t", run_id="r1", registry=registry)

    assert counts["parse_errors"] == 1 and counts["fetch_errors"] == 2 and counts["new_items"] == 1
    items = rows(clean_db, "SELECT page_url, status, parse_error, title FROM staging.item")
    assert items == [(canonicalize_url(not_an_article), "parse_error", "layout_unknown", None)]
    outcomes = dict(rows(clean_db, "SELECT url, outcome FROM staging.fetch_event WHERE run_id = 'r1'"))
    assert outcomes[an_image] == "not_html" and outcomes[missing] == "http_error"
    metrics = rows(clean_db, "SELECT parse_errors, fetch_errors FROM staging.run_metrics WHERE run_id = 'r1'")
    assert metrics == [(1, 2)]


def test_a_good_item_is_not_damaged_by_a_later_failure(clean_db, replica, manifest) -> None:
    """A page that is gone on the next run leaves its staged row as it was."""
    registry = load_registry()
    item = next(i for i in manifest["items"] if i["source_id"] == "dongnai_gov" and not i["quirks"])
    url = replica.base_urls["dongnai_gov"] + item["path"]
    plant_candidates(clean_db, registry, "dongnai_gov", [url])
    assert (
        ingest.fetch_articles("dongnai_gov", START, END, dag_id="t", run_id="r1", registry=registry)["new_items"] == 1
    )
    before = rows(clean_db, "SELECT *, xmin::text FROM staging.item")

    # the next run cannot reach the site: connection refused on a closed port
    overrides = registry.get("dongnai_gov").model_copy(
        update={"base_url": "http://127.0.0.1:9", "allowed_domains": ["127.0.0.1:9"]}
    )
    broken = registry.model_copy(update={"sources": [overrides]})
    conn = psycopg2.connect(clean_db)
    with conn, conn.cursor() as cur:
        cur.execute(
            "UPDATE staging.list_entry SET url = replace(url, %s, 'http://127.0.0.1:9')",
            (replica.base_urls["dongnai_gov"],),
        )
    conn.close()
    counts = ingest.fetch_articles("dongnai_gov", START, END, dag_id="t", run_id="r2", registry=broken)
    assert counts["fetch_errors"] == 1 and counts["new_items"] == 0
    assert rows(clean_db, "SELECT *, xmin::text FROM staging.item") == before


def test_unconfigured_source_fails_with_its_reason(clean_db, monkeypatch) -> None:
    monkeypatch.delenv("PORTAL_ETL_SOURCES_OVERRIDES", raising=False)
    registry = load_registry()
    with pytest.raises(ingest.SourceNotConfigured, match="no base_url"):
        ingest.discover("dongnai_party", START, END, dag_id="t", run_id="r", registry=registry)
