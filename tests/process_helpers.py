"""Staged items and look-ups shared by the processing tests (test_process, test_dedup_details).

Staged rows are inserted directly into staging.item with Vietnamese text: the real Báo Đồng Nai
seed article (shared/seed) for republications, and the replica's phrase-pool generator for
distinct stories of the same register. The ``process_db`` fixture (conftest.py) prepares the
database and resets the generator through :func:`prepare_process_db`.
"""

from __future__ import annotations

import hashlib
import html
import json
import random
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg2
import pytest
from pgutil import query as rows

from portal_etl.db.staging import sync_sources
from portal_etl.pipeline.process import process_interval
from portal_etl.registry import load_registry
from portal_replica.textgen import TextGen

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
REG = load_registry()
BASES = {
    "dongnai_party": "https://tinhuydongnai.example.vn",
    "dongnai_gov": "https://dongnai.gov.vn",
    "baodongnai": "https://baodongnai.com.vn",
}
PROCESS_TABLES = (
    "integration.article_history", "integration.article_source", "integration.article",
    "integration.load_batch", "process.pending", "process.review_audit", "process.decision",
    "process.item_story", "process.dup_edge", "process.lsh_band", "process.normalized_item",
)  # fmt: skip

_SEED_DIRS = [Path(__file__).resolve().parents[2] / "shared" / "seed", Path("/work/shared/seed")]


def _seed() -> tuple[str, str, list[str]]:
    for d in _SEED_DIRS:
        path = d / "bao-dong-nai-2024-05-28.txt"
        if path.exists():
            lines = path.read_text(encoding="utf-8").split("\n")
            return lines[3], lines[8], [lines[i - 1] for i in (14, 16, 18, 23, 25, 30, 32, 34)]
    pytest.skip("seed article not found")


SEED_TITLE, SEED_SAPO, SEED_PARAS = _seed()
_GEN: list[TextGen] = []  # reset by prepare_process_db: each test draws the same texts whatever ran before


def distinct_story(when: datetime, topic: str = "politics", lo: int = 150, hi: int = 260):
    c = _GEN[0].content(topic, when, lo, hi)
    return c.title, "(ĐN)- " + c.sapo_core, c.paragraphs


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


# --- staging helpers ------------------------------------------------------------------------------


def connect(dsn: str):
    return psycopg2.connect(dsn, options="-c timezone=UTC")


def prepare_process_db(dsn: str) -> None:
    """Empty the processing tables, sync the registry's sources and reset the text generator, so
    every processing test starts from the same rows and draws the same texts."""
    _GEN[:] = [TextGen(random.Random(20240528))]
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(PROCESS_TABLES)} RESTART IDENTITY CASCADE")
        sync_sources(cur, REG)
    conn.close()


def stage(
    dsn: str,
    source_id: str,
    path: str,
    *,
    title: str,
    body: list[str],
    published: datetime,
    section: str,
    sapo: str = "",
    native_id: str | None = None,
    item_type: str | None = None,
    video_url: str | None = None,
    body_html: str | None = None,
    canonical: str | None = None,
    language: str = "vi",
) -> int:
    page_url = BASES[source_id] + path
    body_text = "\n\n".join(body)
    if body_html is None:
        body_html = "".join(f"<p>{html.escape(p)}</p>" for p in body)
    words = len(body_text.split())
    fields = {
        "canonical_url": canonical or page_url, "native_id": native_id, "title": title, "sapo": sapo,
        "body_text": body_text, "body_html": body_html, "published_at": published.isoformat(),
        "section": section, "item_type": item_type or ("bai" if words >= 500 else "tin"),
        "language": language, "video_url": video_url,
    }  # fmt: skip
    content_hash = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()
    conn = connect(dsn)
    with conn, conn.cursor() as cur:
        cur.execute(
            """INSERT INTO staging.item (source_id, page_url, status, canonical_url, native_id, title, sapo,
                   body_text, body_html, published_at, section, item_type, language, video_url, content_hash)
               VALUES (%s, %s, 'staged', %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (source_id, page_url) DO UPDATE SET canonical_url = EXCLUDED.canonical_url,
                 native_id = EXCLUDED.native_id, title = EXCLUDED.title, sapo = EXCLUDED.sapo,
                 body_text = EXCLUDED.body_text, body_html = EXCLUDED.body_html,
                 published_at = EXCLUDED.published_at, section = EXCLUDED.section,
                 item_type = EXCLUDED.item_type, content_hash = EXCLUDED.content_hash
               RETURNING item_id""",
            (
                source_id,
                page_url,
                fields["canonical_url"],
                native_id,
                title,
                sapo,
                body_text,
                body_html,
                published,
                section,
                fields["item_type"],
                language,
                video_url,
                content_hash,
            ),
        )
        item_id = cur.fetchone()[0]
    conn.close()
    return item_id


def run(dsn: str, start: datetime, end: datetime, run_id: str = "r1") -> dict:
    return process_interval(start, end, dag_id="process_test", run_id=run_id, dsn=dsn, registry=REG)


MAY = (local(2024, 5, 1), local(2024, 6, 1))


def decision(dsn: str, item_id: int) -> tuple:
    return rows(dsn, "SELECT outcome, reason, decided_by FROM process.decision WHERE item_id = %s", item_id)[0]


def story_of(dsn: str, item_id: int) -> str:
    return rows(dsn, "SELECT story_key FROM process.item_story WHERE item_id = %s", item_id)[0][0]


def edge(dsn: str, a: int, b: int) -> tuple | None:
    got = rows(
        dsn, "SELECT reason, similarity FROM process.dup_edge WHERE item_a = %s AND item_b = %s", min(a, b), max(a, b)
    )
    return got[0] if got else None


def republished_paragraphs() -> list[str]:
    """The seed republished by another channel: one sentence dropped, old tone placement."""
    paras = list(SEED_PARAS)
    paras[6] = paras[6].split(". ")[0] + "."
    return [p.replace("Thủy", "Thuỷ").replace("hòa", "hoà") for p in paras]


def stage_seed(dsn: str, **extra: Any) -> int:
    """The seed article as Báo Đồng Nai published it: the original most dedup tests republish."""
    return stage(
        dsn,
        "baodongnai",
        "/chinh-tri/202405/tang-cuong-lien-ket-3f1391d",
        title=SEED_TITLE,
        sapo=SEED_SAPO,
        body=SEED_PARAS,
        published=local(2024, 5, 28, 20, 13),
        section="chinh-tri",
        **extra,
    )


def grey_pair(dsn: str) -> tuple[int, int]:
    """The seed and a republication of its first six paragraphs with two of another story's: body
    similarity in the grey zone, so the pair goes to review."""
    extra = distinct_story(local(2024, 5, 20), lo=300, hi=400)[2]
    early = stage_seed(dsn)
    # a reworded headline: with the same long headline the title layer would merge them outright
    late = stage(
        dsn,
        "dongnai_gov",
        "/vi/news/thoi-su-chinh-tri/lien-ket-thong-tin-6001.html",
        title="Đồng Nai và Báo điện tử Đảng Cộng sản Việt Nam bàn cách tích hợp thông tin",
        sapo=SEED_SAPO,
        body=SEED_PARAS[:6] + extra[:2],
        published=local(2024, 5, 30, 10),
        section="thoi-su-chinh-tri",
    )
    return early, late
