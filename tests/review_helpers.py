"""A review queue built from a real month of the replica, shared by the review tests.

October 2023 of the replica, ingested over HTTP and processed, with three items staged beside it
so that editors have three items of two kinds to decide: a republication on the government portal
of one of the month's Báo Đồng Nai articles, cut to its first part and completed with other
paragraphs, whose body similarity lands in the grey zone; and two articles of a section the
registry does not know yet (what a site's new section looks like to the policy). All are written
from the replica's pages and its own Vietnamese text generator. (The replica's one grey-zone pair,
a video stub and its republication, is joined by the same-lead layer since sql/013.)
"""

from __future__ import annotations

import hashlib
import html
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg2
from pgutil import query

from portal_etl.dedup import classify, jaccard_estimate, signature
from portal_etl.pipeline import ingest
from portal_etl.registry import load_registry
from portal_replica.textgen import TextGen

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OCTOBER = (datetime(2023, 10, 1, tzinfo=TZ), datetime(2023, 11, 1, tzinfo=TZ))
SOURCES = ("dongnai_party", "dongnai_gov", "baodongnai")
NEW_SECTION = "an-ninh-quoc-phong"  # not in config/sources.yaml: the policy cannot decide it
PROCESS_AND_STORE = (
    "integration.article_history", "integration.article_source", "integration.article",
    "integration.load_batch", "process.pending", "process.review_audit", "process.decision",
    "process.item_story", "process.dup_edge", "process.lsh_band", "process.normalized_item",
)  # fmt: skip


def truncate_processing(dsn: str) -> None:
    """Forget every processing result and the store; staging stays."""
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(PROCESS_AND_STORE)} RESTART IDENTITY CASCADE")
    conn.close()


def stage_new_section_item(dsn: str, base_url: str, slug: str, when: datetime, gen: TextGen) -> int:
    """A government-portal article filed under a section the registry does not list."""
    content = gen.content("society", when, 180, 260)
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        item_id = _insert_gov_item(
            cur,
            f"{base_url}/vi/news/{NEW_SECTION}/{slug}.html",
            content.title,
            "(ĐN)- " + content.sapo_core,
            content.paragraphs,
            when,
            NEW_SECTION,
        )
    conn.close()
    return item_id


def _insert_gov_item(cur, url: str, title: str, sapo: str, paragraphs: list[str], when: datetime, section: str) -> int:
    body_text = "\n\n".join(paragraphs)
    cur.execute(
        """INSERT INTO staging.item (source_id, page_url, status, canonical_url, title, sapo, body_text,
               body_html, published_at, section, item_type, language, content_hash)
           VALUES ('dongnai_gov', %s, 'staged', %s, %s, %s, %s, %s, %s, %s, 'tin', 'vi', %s)
           RETURNING item_id""",
        (
            url,
            url,
            title,
            sapo,
            body_text,
            "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs),
            when,
            section,
            hashlib.sha256(body_text.encode()).hexdigest(),
        ),
    )
    return cur.fetchone()[0]


def stage_grey_republication(dsn: str, base_url: str, gen: TextGen) -> int:
    """The government portal republishes, a day later and under another headline, the first part of
    a Báo Đồng Nai article of the month that no other channel carries, completed with paragraphs
    of its own: as many of the original's paragraphs are kept as put the estimated Jaccard
    similarity in the middle of the grey zone (what REVIEW_THRESHOLD exists for)."""
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            """SELECT i.title, i.sapo, i.body_text, i.published_at FROM staging.item i
                WHERE i.source_id = 'baodongnai' AND i.section = 'chinh-tri' AND i.status = 'staged'
                  AND i.published_at >= %s AND i.published_at < %s - interval '1 day'
                  AND length(i.body_text) > 3000
                  AND NOT EXISTS (SELECT 1 FROM staging.item o WHERE o.sapo = i.sapo AND o.item_id <> i.item_id)
                ORDER BY i.published_at, i.item_id LIMIT 1""",
            OCTOBER,
        )
        title, sapo, body_text, published = cur.fetchone()
        paragraphs = body_text.split("\n\n")
        own = gen.content("politics", published, 400, 500).paragraphs
        new_title = "Toàn cảnh: " + title
        for keep in range(len(paragraphs), 0, -1):
            body = paragraphs[:keep] + own[: len(paragraphs) - keep]
            sim = jaccard_estimate(
                signature("\n".join((title, sapo, body_text))),
                signature("\n".join((new_title, sapo, "\n\n".join(body)))),
            )
            if classify(sim) == "review" and sim <= 0.65:
                break
        else:
            raise AssertionError("no cut of the article lands in the grey zone")
        item_id = _insert_gov_item(
            cur,
            f"{base_url}/vi/news/thoi-su-chinh-tri/toan-canh-903.html",
            new_title,
            sapo,
            body,
            published + timedelta(days=1),
            "thoi-su-chinh-tri",
        )
    conn.close()
    return item_id


def stage_october(dsn: str, replica) -> dict[str, int]:
    """October 2023 of the replica in staging (all else emptied), plus two items of a new section."""
    from conftest import truncate_all

    truncate_all(dsn)
    registry = load_registry()
    for source_id in SOURCES:
        ingest.discover(source_id, *OCTOBER, dag_id="test_review", run_id="oct", registry=registry)
        ingest.fetch_articles(source_id, *OCTOBER, dag_id="test_review", run_id="oct", registry=registry)
    gen = TextGen(random.Random(20231012))
    base = replica.base_urls["dongnai_gov"]
    stage_grey_republication(dsn, base, TextGen(random.Random(20231005)))
    return {
        "new_a": stage_new_section_item(
            dsn, base, "dien-tap-phong-thu-901", datetime(2023, 10, 12, 9, 30, tzinfo=TZ), gen
        ),
        "new_b": stage_new_section_item(
            dsn, base, "tuan-tra-bien-gioi-902", datetime(2023, 10, 20, 15, 0, tzinfo=TZ), gen
        ),
    }


def grey_zone_pair(dsn: str) -> tuple[int, int]:
    """The item waiting as a possible duplicate, and the earlier item it resembles."""
    ((grey,),) = query(dsn, "SELECT item_id FROM process.decision WHERE reason = 'possible_duplicate'")
    ((partner,),) = query(
        dsn,
        "SELECT CASE WHEN item_a = %s THEN item_b ELSE item_a END FROM process.dup_edge "
        "WHERE reason = 'review_grey_zone' AND %s IN (item_a, item_b)",
        grey,
        grey,
    )
    return grey, partner


def in_store(dsn: str, item_id: int) -> bool:
    """The item is a source of an article of the integration store."""
    return bool(
        query(
            dsn,
            "SELECT 1 FROM integration.article_source s JOIN integration.article a "
            "USING (story_key) WHERE s.item_id = %s",
            item_id,
        )
    )


def decision(dsn: str, item_id: int) -> tuple:
    return query(dsn, "SELECT outcome, reason, decided_by, note FROM process.decision WHERE item_id = %s", item_id)[0]


def audit(dsn: str) -> list[tuple]:
    return query(
        dsn, "SELECT item_id, action, reviewer, note, detail, previous, at FROM process.review_audit ORDER BY audit_id"
    )
