"""The link-and-translate step: English items → links to their originals → the integration
store's English versions (the source's own first, machine translation second).

Three phases, so no HTTP call happens while the processing lock is held:

1. *link and keep own translations* (one transaction, processing lock): the processing chain from
   its linking stage on (``pipeline/process/chain.py``) for the interval's English items — link
   them, re-decide and load those whose link changed, bring ``integration.article_translation``
   rows of origin 'source' in line with every confirmed link. ``integrate_articles`` has run the
   whole chain already, so its task (:func:`translate_articles`) skips this phase;
2. *machine-translate* what needs it (no lock): integrated articles of the interval without the
   source's own translation whose machine version is missing or was made from another version of
   the article (content hash). Bodies go paragraph by paragraph, through the segment cache
   ``process.mt_segment``, so only changed paragraphs reach the engine;
3. *store* (one transaction, processing lock): write the machine translations whose article is
   still the translated version, never over a source's own translation; record the run's figures
   in ``process.translation_run`` ("no translator configured" when there is none).
"""

from __future__ import annotations

import html as html_lib
import logging
from datetime import datetime
from typing import Any

from psycopg2.extras import Json, execute_values

from portal_etl.db import LOADER_ROLE, acting_as, transaction
from portal_etl.normalize.text import nfc
from portal_etl.pipeline.process.chain import StageContext, run_chain, stages_from
from portal_etl.pipeline.process.common import fetch_dicts, get_registry, run_in_transaction
from portal_etl.registry import Registry
from portal_etl.translation.backends import NOT_CONFIGURED, TranslationError, Translator, configured_translator
from portal_etl.translation.links import english_items
from portal_etl.translation.own_versions import refresh_story_months, translation_hash
from portal_etl.translation.segments import Piece, batches, cut_long, join_pieces, sha256, split_body

log = logging.getLogger("portal_etl.translation.run")

TARGET = "en"


# --- phase 1: links and the sources' own translations ------------------------------------------------


def articles_to_translate(cur, start: datetime | None, end: datetime | None) -> tuple[list[dict], int]:
    """Integrated Vietnamese articles of the interval with no own translation whose machine version
    is missing or stale; and how many are already up to date."""
    span = "" if start is None or end is None else "AND a.published_at >= %(s)s AND a.published_at < %(e)s"
    rows = fetch_dicts(
        cur,
        f"""SELECT a.story_key, a.title, a.sapo, a.body_html, a.content_hash,
                   t.origin, t.article_content_hash AS translated_from
              FROM integration.article a
              LEFT JOIN integration.article_translation t ON t.story_key = a.story_key AND t.language = %(t)s
             WHERE (a.language IS NULL OR a.language <> %(t)s) {span}
             ORDER BY a.published_at, a.story_key""",
        {"s": start, "e": end, "t": TARGET},
    )
    todo = [
        r
        for r in rows
        if r["origin"] is None or (r["origin"] == "machine" and r["translated_from"] != r["content_hash"])
    ]
    unchanged = sum(1 for r in rows if r["origin"] == "machine" and r["translated_from"] == r["content_hash"])
    return todo, unchanged


def _phase_one(cur, start, end, registry: Registry, dag_id: str, run_id: str, relink: bool) -> dict[str, Any]:
    counts: dict[str, Any] = {}
    if relink:
        ctx = StageContext(registry, dag_id, run_id, items=frozenset(english_items(cur, start, end, registry)))
        counts.update(run_chain(cur, ctx, stages_from("link")))
    todo, unchanged = articles_to_translate(cur, start, end)
    counts["machine_unchanged"] = unchanged
    counts["_todo"] = todo
    return counts


# --- phase 2: machine translation --------------------------------------------------------------------


class SegmentCache:
    """``process.mt_segment``: translated segments by hash, engine and model."""

    def __init__(self, translator: Translator, dsn: str | None, source: str = "vi", target: str = TARGET) -> None:
        self.t = translator
        self.dsn = dsn
        self.source, self.target = source, target
        self.sent = 0  # segments that went to the engine
        self.hits = 0

    def _key(self, text: str, fmt: str) -> str:
        return sha256(f"{fmt}\0{text}")

    def lookup(self, texts: list[str], fmt: str) -> dict[str, str]:
        keys = sorted({self._key(t, fmt) for t in texts})
        with transaction(self.dsn, "portal-etl-translate") as conn, conn.cursor() as cur:
            cur.execute(
                """SELECT segment_sha256, translated FROM process.mt_segment
                    WHERE segment_sha256 = ANY(%s) AND source_lang = %s AND target_lang = %s AND engine = %s
                      AND model = %s AND format = %s""",
                (keys, self.source, self.target, self.t.engine, self.t.model, fmt),
            )
            return dict(cur.fetchall())

    def store(self, pairs: dict[str, str], fmt: str) -> None:
        if not pairs:
            return
        with transaction(self.dsn, "portal-etl-translate") as conn, conn.cursor() as cur:
            execute_values(
                cur,
                """INSERT INTO process.mt_segment (segment_sha256, source_lang, target_lang, engine, model, format,
                          translated) VALUES %s ON CONFLICT DO NOTHING""",
                [(k, self.source, self.target, self.t.engine, self.t.model, fmt, v) for k, v in sorted(pairs.items())],
            )

    def translate(self, texts: list[str], fmt: str) -> list[str]:
        """``texts`` translated in order: cached ones from the cache, the rest in batches within the
        engine's character limit (an over-long plain paragraph cut at sentence ends)."""
        known = self.lookup(texts, fmt)
        missing = list(dict.fromkeys(t for t in texts if self._key(t, fmt) not in known))
        self.hits += sum(1 for t in texts if self._key(t, fmt) in known)
        fresh: dict[str, str] = {}
        limit = self.t.char_limit
        short = [t for t in missing if len(t) <= limit]
        for group in batches(short, limit):
            out = self.t.translate([short[i] for i in group], self.source, self.target, fmt)
            for i, translated in zip(group, out, strict=True):
                fresh[self._key(short[i], fmt)] = translated
            self.sent += len(group)
        for text in (t for t in missing if len(t) > limit):
            cut = cut_long(text, limit) if fmt == "html" else None
            if cut is None:
                translated = self.t.translate([text], self.source, self.target, fmt)[0]
                self.sent += 1
            else:
                open_tag, close_tag, groups = cut
                parts = []
                for group in batches(groups, limit):
                    parts += self.t.translate([groups[i] for i in group], self.source, self.target, "text")
                    self.sent += len(group)
                translated = open_tag + html_lib.escape(" ".join(parts), quote=False) + close_tag
            fresh[self._key(text, fmt)] = translated
        self.store(fresh, fmt)
        known.update(fresh)
        return [known[self._key(t, fmt)] for t in texts]


def machine_translate(article: dict[str, Any], cache: SegmentCache) -> dict[str, str]:
    """Title, lead and body of one article in the target language; the body's HTML kept."""
    heads = cache.translate([article["title"]] + ([article["sapo"]] if article["sapo"] else []), "text")
    title, sapo = heads[0], (heads[1] if len(heads) > 1 else "")
    pieces: list[Piece] = split_body(article["body_html"])
    wanted = [i for i, p in enumerate(pieces) if p.translate]
    done = cache.translate([pieces[i].text for i in wanted], "html")
    body = join_pieces(pieces, dict(zip(wanted, done, strict=True)))
    return {"title": _nfc(title), "sapo": _nfc(sapo), "body_html": body}


def _nfc(text: str) -> str:
    return nfc(" ".join(text.split()))


# --- phase 3: store -----------------------------------------------------------------------------------


def store_machine(cur, results: list[dict[str, Any]], translator: Translator, registry: Registry | None = None) -> int:
    """Write machine translations whose article is still the translated version; never over the
    source's own translation (the WHERE clause here, a trigger in the database as well)."""
    if not results:
        return 0
    written = 0
    with acting_as(cur, LOADER_ROLE):
        for r in results:
            row = {
                "origin": "machine",
                "title": r["title"],
                "sapo": r["sapo"],
                "body_html": r["body_html"],
                "engine": translator.engine,
                "model": translator.model,
            }
            cur.execute(
                """INSERT INTO integration.article_translation AS t (story_key, language, origin, title, sapo,
                          body_html, engine, model, translated_at, article_content_hash, content_hash)
                   SELECT a.story_key, %(lang)s, 'machine', %(title)s, %(sapo)s, %(body)s, %(engine)s, %(model)s,
                          %(at)s, a.content_hash, %(hash)s
                     FROM integration.article a WHERE a.story_key = %(key)s AND a.content_hash = %(from)s
                   ON CONFLICT (story_key, language) DO UPDATE SET title = EXCLUDED.title, sapo = EXCLUDED.sapo,
                          body_html = EXCLUDED.body_html, engine = EXCLUDED.engine, model = EXCLUDED.model,
                          translated_at = EXCLUDED.translated_at,
                          article_content_hash = EXCLUDED.article_content_hash,
                          content_hash = EXCLUDED.content_hash, updated_at = now()
                    WHERE t.origin = 'machine'""",
                {
                    "lang": TARGET,
                    "title": r["title"],
                    "sapo": r["sapo"],
                    "body": r["body_html"],
                    "engine": translator.engine,
                    "model": translator.model,
                    "at": r["translated_at"],
                    "hash": translation_hash(row),
                    "key": r["story_key"],
                    "from": r["content_hash"],
                },
            )
            written += cur.rowcount
        refresh_story_months(cur, [r["story_key"] for r in results], registry)
    return written


def _record_run(
    cur, dag_id: str, run_id: str, start, end, translator: str, note: str | None, counts: dict[str, Any]
) -> None:
    cur.execute(
        """INSERT INTO process.translation_run (dag_id, run_id, interval_start, interval_end, translator, note, counts)
           VALUES (%s, %s, %s, %s, %s, %s, %s)
           ON CONFLICT (dag_id, run_id) DO UPDATE SET interval_start = EXCLUDED.interval_start,
                  interval_end = EXCLUDED.interval_end, translator = EXCLUDED.translator, note = EXCLUDED.note,
                  counts = EXCLUDED.counts, finished_at = now()""",
        (dag_id, run_id, start, end, translator, note, Json(counts)),
    )


def link_and_translate(
    start: datetime | None,
    end: datetime | None,
    *,
    dag_id: str,
    run_id: str,
    dsn: str | None = None,
    registry: Registry | None = None,
    translator: Translator | None = None,
    use_configured: bool = True,
) -> dict[str, Any]:
    """Link the interval's English items, keep the sources' own translations, machine-translate the
    rest when a translator is configured. Returns the run's figures (also in process.translation_run)."""
    return _link_and_translate(start, end, dag_id, run_id, dsn, registry, translator, use_configured, relink=True)


def translate_articles(
    start: datetime | None,
    end: datetime | None,
    *,
    dag_id: str,
    run_id: str,
    dsn: str | None = None,
    registry: Registry | None = None,
    translator: Translator | None = None,
    use_configured: bool = True,
) -> dict[str, Any]:
    """Machine-translate the interval's articles that need it, after a processing run that linked
    and stored the sources' own translations already. Returns the run's figures."""
    return _link_and_translate(start, end, dag_id, run_id, dsn, registry, translator, use_configured, relink=False)


def _link_and_translate(
    start: datetime | None,
    end: datetime | None,
    dag_id: str,
    run_id: str,
    dsn: str | None,
    registry: Registry | None,
    translator: Translator | None,
    use_configured: bool,
    *,
    relink: bool,
) -> dict[str, Any]:
    reg = get_registry(registry)
    counts = run_in_transaction(dsn, _phase_one, start, end, reg, dag_id, run_id, relink)
    todo = counts.pop("_todo")
    counts["machine_needed"] = len(todo)
    description = None
    if translator is None and use_configured:
        translator, description = configured_translator()
    note = None
    results: list[dict[str, Any]] = []
    if translator is None:
        note = NOT_CONFIGURED
        counts["translator"] = "none"
        log.warning(
            "%s: %d article(s) left without an English version (%s)",
            NOT_CONFIGURED,
            len(todo),
            description or "none given",
        )
    else:
        counts["translator"] = f"{translator.engine}:{translator.model}"
        cache = SegmentCache(translator, dsn)
        for article in todo:
            try:
                translated = machine_translate(article, cache)
            except TranslationError as exc:  # keep what was translated; the next run resumes from the cache
                note = f"translator error: {exc}"
                log.error("%s (%d of %d articles translated)", note, len(results), len(todo))
                break
            results.append(
                {
                    **translated,
                    "story_key": article["story_key"],
                    "content_hash": article["content_hash"],
                    "translated_at": datetime.now().astimezone(),
                }
            )
        counts["segments_translated"] = cache.sent
        counts["segments_cached"] = cache.hits

    def phase_three(cur) -> int:
        written = store_machine(cur, results, translator, reg) if translator is not None else 0
        counts["machine_translated"] = written
        _record_run(cur, dag_id, run_id, start, end, counts["translator"], note, counts)
        return written

    run_in_transaction(dsn, phase_three)
    counts["note"] = note or ""
    log.info("link and translate: %s", counts)
    return counts
