"""Requests a backfill sends: list pages fetched once per backfill, articles once per article.

Runs the ingest functions directly (no scheduler) against the replica on 127.0.0.1 and counts
the fetch events (one per request the fetcher sent).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import psycopg2
import pytest
from pgutil import query

from portal_etl.db import staging as st
from portal_etl.models import ListEntry
from portal_etl.pipeline import ingest
from portal_etl.registry import load_registry

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = (datetime(2024, 3, 1, tzinfo=TZ), datetime(2024, 4, 1, tzinfo=TZ))
APRIL = (datetime(2024, 4, 1, tzinfo=TZ), datetime(2024, 5, 1, tzinfo=TZ))
SOURCE = "dongnai_gov"


def _list_fetches(dsn: str, run_id: str) -> int:
    return query(dsn, "SELECT count(*) FROM staging.fetch_event WHERE run_id = %s AND purpose = 'list'", run_id)[0][0]


def _with_reuse(registry, minutes: int):
    """The registry with fetch.list_reuse_minutes set on every source."""
    sources = [
        s.model_copy(update={"fetch": s.fetch.model_copy(update={"list_reuse_minutes": minutes})})
        for s in registry.sources
    ]
    return registry.model_copy(update={"sources": sources})


def _discover(month: tuple[datetime, datetime], run_id: str, registry) -> dict[str, int]:
    return ingest.discover(SOURCE, *month, dag_id="t", run_id=run_id, registry=registry)


def _entries(dsn: str) -> list[tuple]:
    return query(dsn, "SELECT url, listed_at FROM staging.list_entry WHERE source_id = %s ORDER BY url", SOURCE)


def test_a_backfill_fetches_each_list_page_once(clean_db, replica) -> None:
    registry = load_registry()
    march = _discover(MARCH, "march", registry)
    april = _discover(APRIL, "april", registry)

    assert _list_fetches(clean_db, "march") == march["list_pages"] > 0
    # April's walk covers newer pages only, all fetched by March's run after April ended
    assert april["list_pages"] > 0 and april["list_pages_reused"] == april["list_pages"]
    assert _list_fetches(clean_db, "april") == 0
    metrics = query(clean_db, "SELECT list_pages, list_pages_reused FROM staging.run_metrics WHERE run_id = 'april'")
    assert metrics == [(april["list_pages"], april["list_pages"])]


def test_reused_list_pages_find_what_fetching_finds(clean_db, replica) -> None:
    reusing = load_registry()
    _discover(MARCH, "march", reusing)
    april = _discover(APRIL, "april", reusing)
    with_reuse = _entries(clean_db)

    from conftest import truncate_all

    truncate_all(clean_db)
    fetching = _with_reuse(reusing, 0)
    _discover(MARCH, "march-2", fetching)
    april_fetched = _discover(APRIL, "april-2", fetching)

    assert april_fetched["list_pages_reused"] == 0 and _list_fetches(clean_db, "april-2") == april_fetched["list_pages"]
    assert april["listed"] == april_fetched["listed"] > 0
    assert _entries(clean_db) == with_reuse


def test_a_page_fetched_before_the_interval_ended_is_fetched_again(clean_db, replica) -> None:
    """A run of a month that had not ended when the pages were stored must see them anew."""
    registry = load_registry()
    _discover(APRIL, "april", registry)
    conn = psycopg2.connect(clean_db)
    with conn, conn.cursor() as cur:  # as if April's pages had been fetched on 30 April
        cur.execute("UPDATE staging.page_state SET last_fetched_at = %s", (datetime(2024, 4, 30, tzinfo=TZ),))
    conn.close()

    again = _discover(APRIL, "april-again", registry)

    assert again["list_pages_reused"] == 0 and _list_fetches(clean_db, "april-again") == again["list_pages"] > 0


def test_a_redirected_list_page_is_always_fetched(clean_db, replica) -> None:
    """NukeViet answers a page past the last with a redirect to page 1: the walk must see it."""
    registry = load_registry()
    first = _discover(MARCH, "march", registry)
    conn = psycopg2.connect(clean_db)
    with conn, conn.cursor() as cur:  # as if every stored list page had ended on another URL
        cur.execute("UPDATE staging.page_state SET final_url = url || '?redirected'")
    conn.close()

    again = _discover(MARCH, "march-again", registry)

    assert again["list_pages_reused"] == 0 and _list_fetches(clean_db, "march-again") == first["list_pages"]


@pytest.mark.parametrize("fetched_later", [False, True])
def test_an_article_listed_under_two_sections_is_fetched_once(clean_db, replica, fetched_later: bool) -> None:
    """Fetched under the URL fetched before (a re-run must not ask for the other listing, new to
    it, when the first redirected there), else the first in (listed time, URL) order."""
    registry = load_registry()
    base = replica.base_urls[SOURCE]
    path = next(i["path"] for i in replica_items(replica, SOURCE) if i["published_at_local"].startswith("2024-04"))
    tail = path.rstrip("/").rsplit("/", 1)[-1]
    native_id = tail.rsplit("-", 1)[-1].split(".")[0]
    first, second = base + path, base + "/vi/news/tin-tong-hop/" + tail
    listed = datetime(2024, 4, 10, 8, tzinfo=TZ)
    conn = psycopg2.connect(clean_db)
    with conn, conn.cursor() as cur:
        st.sync_sources(cur, registry)
        st.upsert_list_entries(
            cur,
            SOURCE,
            "thoi-su-chinh-tri",
            [ListEntry(url=first, title="Bài viết", published_at=listed, native_id=native_id)],
        )
        st.upsert_list_entries(
            cur,
            SOURCE,
            "tin-tong-hop",
            [
                ListEntry(url=second, title="Bài viết", published_at=listed, native_id=native_id),
                ListEntry(
                    url=base + "/vi/news/tin-tong-hop/khac-" + tail,
                    title="Bài khác",
                    published_at=listed,
                    native_id=native_id,
                ),
            ],
        )  # the same id under another alias: not the same listing
        if fetched_later:
            st.save_page_state(
                cur,
                max(first, second),
                SOURCE,
                etag=None,
                last_modified=None,
                content_sha256=None,
                status=200,
                fetched_at=listed,
            )
    conn.close()

    ingest.fetch_articles(SOURCE, *APRIL, dag_id="t", run_id="fetch", registry=registry)

    fetched = {url for (url,) in query(clean_db, "SELECT url FROM staging.fetch_event WHERE run_id = 'fetch'")}
    kept = max(first, second) if fetched_later else min(first, second)
    assert kept in fetched and ({first, second} - {kept}).isdisjoint(fetched)
    assert base + "/vi/news/tin-tong-hop/khac-" + tail in fetched


def replica_items(replica, source_id: str) -> list[dict]:
    from portal_replica.manifest import load_manifest

    return [i for i in load_manifest(replica.site_dir)["items"] if i["source_id"] == source_id]


def test_a_rerun_asks_for_no_url_the_first_pass_did_not(clean_db, replica) -> None:
    """A backfill run twice: the second pass only revalidates what the first fetched (it once
    asked for the other listing of articles whose first listing redirected there)."""
    registry = load_registry()
    months = [(datetime(2023, m, 1, tzinfo=TZ), datetime(2023, m + 1, 1, tzinfo=TZ)) for m in (10, 11)]
    for run in ("first", "again"):
        for start, end in months:
            for source_id in ("dongnai_gov", "dongnai_party"):
                ingest.discover(source_id, start, end, dag_id="t", run_id=run, registry=registry)
                ingest.fetch_articles(source_id, start, end, dag_id="t", run_id=run, registry=registry)
    urls = {
        run: {u for (u,) in query(clean_db, "SELECT DISTINCT url FROM staging.fetch_event WHERE run_id = %s", run)}
        for run in ("first", "again")
    }
    assert urls["again"] and urls["again"] <= urls["first"]
