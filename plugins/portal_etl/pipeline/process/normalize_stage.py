"""Stage 1 — normalise staged items into ``process.normalized_item`` (incremental).

An item is (re)normalised when it is new in the interval, or — whatever its date — when its
``staging.item.content_hash`` differs from the one it was normalised from. Items that left the
'staged' status are queued for dedup, which takes them out of their story.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from datetime import datetime
from typing import Any

from psycopg2.extras import execute_values

from portal_etl.dedup import band_keys, lead_key, native_key, serialize, signature, title_day_key, url_key
from portal_etl.normalize import canonicalize_url, clean_text, sanitize_html, strip_dateline, text_of_html
from portal_etl.normalize import title_key as make_title_key
from portal_etl.pipeline.process.common import (
    _check_interval,
    mark_pending,
    source_tz,
)
from portal_etl.registry import Registry

log = logging.getLogger("portal_etl.process.normalize")

# A word is a whitespace token holding a letter or digit: the replica contract's count
# (replica.common.count_words); a lone dash or bullet is not a word.
_WORD_RE = re.compile(r"[^\W_]")
_PLAYABLE_RE = re.compile(r"<(?:video|iframe)\b", re.I)

_STAGED_COLUMNS = (
    "item_id", "source_id", "page_url", "canonical_url", "native_id", "title", "sapo", "body_text",
    "body_html", "published_at", "author", "section", "item_type", "language", "video_url",
    "content_hash",
)  # fmt: skip

NORMALIZED_COLUMNS = (
    "item_id", "source_id", "source_content_hash", "page_url", "canonical_url", "member_key",
    "title_clean", "title_key", "sapo_clean", "dateline", "body_text_clean", "body_html_sanitized",
    "author", "section", "item_type", "language", "url_key", "native_key", "title_day_key", "lead_key",
    "word_count", "playable_video", "signature", "published_at", "published_day_local",
)  # fmt: skip


def count_words(text: str) -> int:
    return sum(1 for token in text.split() if _WORD_RE.search(token))


def member_key(source_id: str, canonical_url: str) -> str:
    """sha1(source_id|canonical URL)[:16]: the identity of one channel page; a story's key is
    the smallest member key of its items."""
    return hashlib.sha1(f"{source_id}|{canonical_url}".encode()).hexdigest()[:16]


def _canonical(url: str | None, fallback: str) -> str:
    for candidate in (url, fallback):
        if candidate:
            try:
                return canonicalize_url(candidate)
            except ValueError:
                continue
    return (url or fallback).strip()


def normalize_record(row: dict[str, Any], registry: Registry) -> dict[str, Any]:
    """Normalised fields, keys and signature of one staged item (pure: no database)."""
    source_id = row["source_id"]
    page_url = row["page_url"]
    canonical = _canonical(row.get("canonical_url"), page_url)
    # staged text was decoded once by the adapter's HTML parser: decoding again would turn a
    # literal "&lt;script&gt;" in a headline into a tag the source never had
    title = clean_text(row.get("title"), unescape=False)
    dateline, sapo = strip_dateline(clean_text(row.get("sapo"), unescape=False))
    sapo = clean_text(sapo, unescape=False)
    html = sanitize_html(row.get("body_html"), page_url) if row.get("body_html") else ""
    # body_text was extracted by an HTML parser: entities are decoded already
    body_text = clean_text(row.get("body_text"), paragraphs=True, unescape=False)
    if not body_text and html:
        body_text = text_of_html(html)
    published_at: datetime | None = row.get("published_at")
    tz = source_tz(registry, source_id)
    tkey = make_title_key(title)
    sig = signature("\n".join(p for p in (title, sapo, body_text) if p))
    native_id = (row.get("native_id") or "").strip()
    author = clean_text(row.get("author"), unescape=False) or None
    return {
        "item_id": row["item_id"],
        "source_id": source_id,
        "source_content_hash": row["content_hash"],
        "page_url": page_url,
        "canonical_url": canonical,
        "member_key": member_key(source_id, canonical),
        "title_clean": title,
        "title_key": tkey,
        "sapo_clean": sapo,
        "dateline": dateline,
        "body_text_clean": body_text,
        "body_html_sanitized": html,
        "author": author,
        "section": row.get("section"),
        "item_type": row.get("item_type"),
        "language": row.get("language"),
        "url_key": url_key(canonical) if canonical.startswith(("http://", "https://")) else _raw_key(canonical),
        "native_key": native_key(source_id, native_id) if native_id else None,
        "title_day_key": title_day_key(source_id, title, published_at, tz=str(tz))
        if tkey and published_at is not None
        else None,
        "lead_key": lead_key(sapo),
        "word_count": count_words(body_text),
        "playable_video": bool(row.get("video_url")) or bool(_PLAYABLE_RE.search(html)),
        "signature": serialize(sig),
        "published_at": published_at,
        "published_day_local": published_at.astimezone(tz).date() if published_at is not None else None,
        "_bands": band_keys(sig) if published_at is not None else [],
    }


def _raw_key(value: str) -> str:
    return hashlib.blake2b(("rawurl\x1f" + value).encode(), digest_size=16).hexdigest()


def copy_band_rows(cur, records: list[dict]) -> int:
    """COPY each record's LSH band keys (``_bands``, 42 per item) into ``process.lsh_band``;
    the number of rows. Ids, integer keys, source ids and ISO times need no escaping; an item's
    time is formatted once, not once per band."""
    parts = []
    for r in records:
        if not r["_bands"]:
            continue  # no publish time or no words: no band rows
        tail = f"\t{r['source_id']}\t{r['published_at'].isoformat()}\n"
        head = f"{r['item_id']}\t"
        parts.extend(f"{head}{k}{tail}" for k in r["_bands"])
    cur.copy_expert(
        "COPY process.lsh_band (item_id, band_key, source_id, published_at) FROM STDIN", io.StringIO("".join(parts))
    )
    return len(parts)


def normalize_in(cur, start: datetime | None, end: datetime | None, registry: Registry) -> dict[str, int]:
    """Normalise new items of [start, end) and changed items of any date; queue them for dedup."""
    if start is not None and end is not None:
        _check_interval(start, end)
    cols = ", ".join(f"i.{c}" for c in _STAGED_COLUMNS)
    cur.execute(
        f"""SELECT {cols}
              FROM staging.item i
              LEFT JOIN process.normalized_item n USING (item_id)
             WHERE i.status = 'staged'
               AND (   (n.item_id IS NULL AND i.published_at >= %(start)s AND i.published_at < %(end)s)
                    OR (n.item_id IS NOT NULL AND n.source_content_hash <> i.content_hash))
             ORDER BY i.item_id""",
        {"start": start, "end": end},
    )
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    records = [normalize_record(r, registry) for r in rows]
    if records:
        execute_values(
            cur,
            f"""INSERT INTO process.normalized_item ({", ".join(NORMALIZED_COLUMNS)}) VALUES %s
                ON CONFLICT (item_id) DO UPDATE SET
                {", ".join(f"{c} = EXCLUDED.{c}" for c in NORMALIZED_COLUMNS[1:])}, normalized_at = now()""",
            [tuple(r[c] for c in NORMALIZED_COLUMNS) for r in records],
            page_size=500,
        )
        ids = [r["item_id"] for r in records]
        cur.execute("DELETE FROM process.lsh_band WHERE item_id = ANY(%s)", (ids,))
        band_rows = copy_band_rows(cur, records)
        # statistics for the dedup look-up when these rows outgrow them (sql/011): else a big
        # backfill batch is planned as if the band table were still small
        cur.execute("SELECT process.refresh_dedup_statistics(%s)", (band_rows,))
        if cur.fetchone()[0]:
            log.info("analysed the dedup tables after %d new band rows", band_rows)
    # items normalised before that are no longer 'staged' (re-scraped into a parse error)
    cur.execute(
        """SELECT n.item_id FROM process.normalized_item n
             LEFT JOIN staging.item i USING (item_id)
            WHERE i.status IS DISTINCT FROM 'staged'"""
    )
    gone = [row[0] for row in cur.fetchall()]
    mark_pending(cur, "dedup", [r["item_id"] for r in records] + gone)
    log.info("normalised %d items, %d left the staged status", len(records), len(gone))
    return {"normalized": len(records), "withdrawn": len(gone)}
