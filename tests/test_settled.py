"""Settled articles: a re-run of a month reads the list pages but does not fetch articles whose
content has stopped changing, unless asked to (``refresh_settled``).

Runs the ingest functions directly (no scheduler) against the replica on 127.0.0.1; requests are
counted from the fetch events (one per request the fetcher sent) and the replica's own log.
Tests that edit pages serve a private copy of the smallest channel.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pgutil import query, scalar

from portal_etl.pipeline import ingest
from portal_etl.pipeline.settled import is_settled
from portal_etl.registry import load_registry
from portal_etl.registry.schema import Settled

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
APRIL = (datetime(2024, 4, 1, tzinfo=TZ), datetime(2024, 5, 1, tzinfo=TZ))
SOURCE = "dongnai_party"  # the smallest channel: ~30 articles a month


def _with_rule(registry, *, fetches: int, days: float, base_url: str | None = None):
    """The registry with fetch.settled set on SOURCE (and its site moved to ``base_url``)."""
    sources = []
    for s in registry.sources:
        if s.id == SOURCE:
            update = {"fetch": s.fetch.model_copy(update={"settled": Settled(fetches=fetches, days=days)})}
            if base_url:
                update |= {"base_url": base_url, "allowed_domains": [base_url.split("://", 1)[1]]}
            s = s.model_copy(update=update)
        sources.append(s)
    return registry.model_copy(update={"sources": sources})


def _run(run_id: str, registry, **kwargs) -> dict[str, int]:
    ingest.discover(SOURCE, *APRIL, dag_id="t", run_id=run_id, registry=registry)
    return ingest.fetch_articles(SOURCE, *APRIL, dag_id="t", run_id=run_id, registry=registry, **kwargs)


def _article_requests(dsn: str, run_id: str) -> int:
    return scalar(dsn, "SELECT count(*) FROM staging.fetch_event WHERE run_id = %s AND purpose = 'article'", run_id)


def _staged(dsn: str) -> list[tuple]:
    return query(
        dsn,
        "SELECT page_url, content_hash, xmin::text FROM staging.item WHERE source_id = %s ORDER BY page_url",
        SOURCE,
    )


# --- the rule ---------------------------------------------------------------------------------

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fetches", "since", "confirmed", "published", "rule", "settled"),
    [
        (1, NOW, NOW, NOW - timedelta(days=400), Settled(fetches=1, days=7), True),  # old when first read
        (1, NOW, NOW, NOW - timedelta(days=2), Settled(fetches=1, days=7), False),  # young, read once
        (3, NOW - timedelta(days=8), NOW, NOW - timedelta(days=9), Settled(fetches=2, days=7), True),  # stable 8 d
        (3, NOW - timedelta(days=6), NOW, NOW - timedelta(days=7), Settled(fetches=2, days=7), False),  # 6 d only
        (1, NOW, NOW, NOW - timedelta(days=400), Settled(fetches=2, days=7), False),  # one fetch of two
        (0, None, None, NOW - timedelta(days=400), Settled(fetches=1, days=0), False),  # failed or unparsed
        (2, NOW, NOW, None, Settled(fetches=2, days=0), True),  # no date: the span rule alone
    ],
)
def test_the_settled_rule(fetches, since, confirmed, published, rule, settled) -> None:
    stability = {"fetches": fetches, "since": since, "confirmed_at": confirmed}
    assert is_settled(stability, published, rule) is settled


def test_a_page_never_fetched_is_not_settled() -> None:
    assert not is_settled(None, NOW - timedelta(days=999), Settled(fetches=1, days=0))


# --- through the ingest, on the shared replica ------------------------------------------------


def test_a_no_change_rerun_fetches_no_settled_article(clean_db, replica) -> None:
    registry = load_registry()  # the default rule: one fetch, 7 days; the replica's April 2024 is old
    first = _run("first", registry)
    staged = _staged(clean_db)

    again = _run("again", registry)

    assert first["fetched"] == _article_requests(clean_db, "first") > 10
    assert _article_requests(clean_db, "again") == 0
    assert again["articles_settled"] == first["new_items"] + first["updated_items"] + first["unchanged"] > 10
    assert again["fetched"] == again["new_items"] == again["updated_items"] == 0
    assert _staged(clean_db) == staged  # not one row rewritten
    assert (
        scalar(clean_db, "SELECT articles_settled FROM staging.run_metrics WHERE run_id = 'again'")
        == again["articles_settled"]
    )


def test_refresh_settled_fetches_every_article_again(clean_db, replica) -> None:
    registry = load_registry()
    first = _run("first", registry)
    staged = _staged(clean_db)

    again = _run("refresh", registry, refresh_settled=True)

    assert _article_requests(clean_db, "refresh") == _article_requests(clean_db, "first") == first["fetched"]
    assert again["articles_settled"] == 0 and again["unchanged"] == first["new_items"]
    assert _staged(clean_db) == staged


def test_articles_are_fetched_until_they_reach_the_rule(clean_db, replica) -> None:
    """fetches=3, days=0: read three times with the same content, then left alone."""
    registry = _with_rule(load_registry(), fetches=3, days=0)
    runs = [_run(f"run-{i}", registry) for i in range(4)]
    requests = [_article_requests(clean_db, f"run-{i}") for i in range(4)]

    assert requests[0] == requests[1] == requests[2] > 10 and requests[3] == 0
    assert runs[3]["articles_settled"] == requests[0]
    assert {
        r[0]
        for r in query(
            clean_db,
            "SELECT DISTINCT stable_fetches FROM staging.page_state p "
            "JOIN staging.fetch_event e USING (url) WHERE e.purpose = 'article'",
        )
    } == {3}


def test_articles_young_when_read_need_their_days(clean_db, replica) -> None:
    """days far beyond the replica's age: nothing settles, every re-run fetches everything."""
    registry = _with_rule(load_registry(), fetches=1, days=100_000)
    _run("first", registry)
    again = _run("again", registry)
    assert again["articles_settled"] == 0
    assert _article_requests(clean_db, "again") == _article_requests(clean_db, "first") > 10


# --- on a private copy that we edit -----------------------------------------------------------


@pytest.fixture
def party_copy(replica_dir: Path, tmp_path: Path):
    """The smallest channel's replica site copied and served on its own port."""
    from portal_replica.server import ReplicaServer, sites_root

    root = sites_root(replica_dir)
    out = tmp_path / "site"
    target = sites_root(out)
    shutil.copytree(root / SOURCE, target / SOURCE)
    for routes in root.glob(f"{SOURCE}.*"):
        shutil.copy(routes, target / routes.name)
    with ReplicaServer(out) as server:
        yield server, target / SOURCE


def _article_file(site: Path, dsn: str, run_id: str) -> Path:
    """The file behind one article the run fetched."""
    url = query(
        dsn,
        "SELECT url FROM staging.fetch_event WHERE run_id = %s AND purpose = 'article' ORDER BY url LIMIT 1",
        run_id,
    )[0][0]
    path = url.split("://", 1)[1].split("/", 1)[1]
    candidates = [site / path, site / path / "index.html"]
    found = next((p for p in candidates if p.is_file()), None)
    assert found is not None, f"no file for {url} under {site}"
    return found


def test_an_edited_article_starts_its_count_again(clean_db, party_copy) -> None:
    server, site = party_copy
    registry = _with_rule(load_registry(), fetches=2, days=0, base_url=server.base_urls[SOURCE])
    _run("run-0", registry)
    page = _article_file(site, clean_db, "run-0")
    _run("run-1", registry)  # the second same-content fetch: all settled now
    text = page.read_text("utf-8")
    page.write_text(text.replace("</p>", " Bài viết đã được cập nhật.</p>", 1), "utf-8")
    server.channel(SOURCE).clear_cache()

    refreshed = _run("run-2", registry, refresh_settled=True)  # finds the edit
    assert refreshed["updated_items"] == 1

    after_edit = _run("run-3", registry)
    assert _article_requests(clean_db, "run-3") == 1  # only the edited one: its count restarted at 1
    assert after_edit["unchanged"] == 1 and after_edit["articles_settled"] > 10


def test_a_page_that_does_not_parse_is_never_settled(clean_db, party_copy) -> None:
    server, site = party_copy
    registry = _with_rule(load_registry(), fetches=1, days=0, base_url=server.base_urls[SOURCE])
    _run("run-0", registry)
    page = _article_file(site, clean_db, "run-0")
    _run("run-1", registry, refresh_settled=True)
    page.write_text("<html><head></head><body><div>maintenance</div></body></html>", "utf-8")
    server.channel(SOURCE).clear_cache()

    broken = _run("run-2", registry, refresh_settled=True)
    assert broken["parse_errors"] == 1
    again = _run("run-3", registry)
    assert _article_requests(clean_db, "run-3") == 1 and again["parse_errors"] == 1
