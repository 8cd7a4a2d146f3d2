"""The load's content hash, computed by PostgreSQL (sql/015), and the migration of stored hashes.

Before sql/015 the load hashed each article in Python (sha256 of the content columns as sorted-key
JSON). The migration recomputes the stored hashes with the new definition, so a load after it
finds every unchanged article unchanged and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import psycopg2
import pytest
from pgutil import query as rows
from pgutil import scratch_database

from portal_etl.db import migrate
from portal_etl.db.migrate import SQL_DIR
from portal_etl.db.staging import sync_sources, upsert_item
from portal_etl.models import ExtractedItem
from portal_etl.pipeline.process import process_interval
from portal_etl.registry import load_registry
from portal_replica.textgen import TextGen

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
REG = load_registry()
MAY = (datetime(2024, 5, 1, tzinfo=TZ), datetime(2024, 6, 1, tzinfo=TZ))
MIGRATION = next(SQL_DIR.glob("*_article_content_hash.sql"))
CONTENT = (
    "title",
    "sapo",
    "dateline",
    "body_html",
    "body_text",
    "published_at",
    "story_month",
    "item_type",
    "section",
    "author",
    "language",
    "primary_source_id",
    "primary_item_id",
    "primary_url",
)
HASH_SQL = f"integration.article_content_hash({', '.join(CONTENT)})"


def json_hash_before_015(article: dict) -> str:
    """What the load stored before sql/015 (the Python definition it replaced, verbatim)."""
    payload = {c: article[c] for c in CONTENT}
    payload["published_at"] = article["published_at"].astimezone(UTC).isoformat()
    data = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


@pytest.fixture
def fresh_dsn(pipeline_dsn: str) -> Iterator[str]:
    """A database of its own, migrated: the test rewinds a migration in it."""
    with scratch_database(pipeline_dsn, "portal_etl_load") as dsn:
        migrate(dsn)
        yield dsn


def stage_month(dsn: str, n: int = 6) -> None:
    """n distinct approvable articles in May 2024 on one channel, one of them with an author."""
    gen = TextGen(random.Random(15))
    conn = psycopg2.connect(dsn)
    with conn, conn.cursor() as cur:
        sync_sources(cur, REG)
        for i in range(n):
            when = datetime(2024, 5, 3 + 3 * i, 9, 15, tzinfo=TZ)
            c = gen.content("politics", when, 150, 260)
            url = f"https://dongnai.gov.vn/vi/news/kinh-te/bam-{i}.html"
            upsert_item(
                cur,
                "dongnai_gov",
                url,
                ExtractedItem(
                    source_id="dongnai_gov",
                    url=url,
                    canonical_url=url,
                    native_id=None,
                    title=c.title,
                    sapo="(ĐN)- " + c.sapo_core,
                    body_text="\n\n".join(c.paragraphs),
                    body_html="".join(f"<p>{p}</p>" for p in c.paragraphs),
                    published_at=when,
                    author="Phóng viên" if i == 0 else None,
                    section="kinh-te",
                    item_type="tin",
                ),
                None,
            )
    conn.close()


def run(dsn: str, run_id: str) -> dict:
    return process_interval(*MAY, dag_id="load_test", run_id=run_id, dsn=dsn, registry=REG)


def store(dsn: str) -> dict[str, list[tuple]]:
    return {
        "article": rows(dsn, "SELECT xmin::text, a.* FROM integration.article a ORDER BY story_key"),
        "article_source": rows(dsn, "SELECT xmin::text, s.* FROM integration.article_source s ORDER BY 2, 3"),
        "article_history": rows(dsn, "SELECT xmin::text, h.* FROM integration.article_history h ORDER BY 2"),
        "article_translation": rows(dsn, "SELECT xmin::text, t.* FROM integration.article_translation t ORDER BY 2"),
    }


def test_migration_rehashes_the_stored_articles_and_a_reload_writes_nothing(fresh_dsn: str) -> None:
    dsn = fresh_dsn
    stage_month(dsn)
    first = run(dsn, "first")
    assert first["new"] == 6
    # Rewind the store to what it was before the migration: the function absent, the hashes the
    # JSON ones, a machine translation made from the current version of one article and one from
    # an older version of another.
    conn = psycopg2.connect(dsn, options="-c timezone=UTC")
    with conn, conn.cursor() as cur:
        cur.execute(f"SELECT story_key, {', '.join(CONTENT)} FROM integration.article ORDER BY story_key")
        articles = [dict(zip(("story_key", *CONTENT), r, strict=True)) for r in cur.fetchall()]
        before = {a["story_key"]: json_hash_before_015(a) for a in articles}
        for key, old in before.items():
            cur.execute("UPDATE integration.article SET content_hash = %s WHERE story_key = %s", (old, key))
        current, stale = articles[0]["story_key"], articles[1]["story_key"]
        for key, made_from in ((current, before[current]), (stale, "0" * 64)):
            cur.execute(
                """INSERT INTO integration.article_translation (story_key, language, origin, title, sapo, body_html,
                          engine, model, translated_at, article_content_hash, content_hash)
                   VALUES (%s, 'en', 'machine', 'Title', 'Lead', '<p>Body</p>', 'test', 'm', now(), %s, %s)""",
                (key, made_from, "1" * 64),
            )
        cur.execute("DROP FUNCTION integration.article_content_hash")
        cur.execute("DELETE FROM public.portal_etl_migrations WHERE version = %s", (int(MIGRATION.name[:3]),))
    conn.close()

    assert migrate(dsn) == [MIGRATION.name]

    hashes = dict(rows(dsn, f"SELECT story_key, content_hash FROM integration.article WHERE content_hash = {HASH_SQL}"))
    assert sorted(hashes) == sorted(before)  # every stored hash is the function's
    assert all(hashes[k] != before[k] for k in before)
    assert dict(rows(dsn, "SELECT story_key, article_content_hash FROM integration.article_translation")) == {
        current: hashes[current],
        stale: "0" * 64,
    }  # the current translation stays current, the stale one stale

    migrated = store(dsn)
    again = run(dsn, "after-migration")
    assert (again["new"], again["updated"], again["removed"], again["unchanged"]) == (0, 0, 0, 6)
    assert store(dsn) == migrated  # not one row rewritten, xmin included


def test_content_hash_keeps_fields_apart_and_ignores_the_session_time_zone(pipeline_dsn: str) -> None:
    def h(title: str | None, sapo: str | None, zone: str = "UTC") -> str:
        conn = psycopg2.connect(pipeline_dsn, options=f"-c timezone={zone}")
        try:
            with conn.cursor() as cur:
                cur.execute(
                    """SELECT integration.article_content_hash(%s, %s, NULL, '<p>x</p>', 'x',
                              '2024-05-03 02:15:00.25+00', '2024-05', 'tin', 'kinh-te', NULL, 'vi',
                              'dongnai_gov', 7, 'https://dongnai.gov.vn/a.html')""",
                    (title, sapo),
                )
                return cur.fetchone()[0]
        finally:
            conn.close()

    base = h("ab", "c")
    assert len(base) == 64
    assert h("a", "bc") != base  # a boundary moved between two fields
    assert h("ab", "") != h("ab", None)  # empty is not missing
    assert h("ab", "c", "Asia/Ho_Chi_Minh") == base
