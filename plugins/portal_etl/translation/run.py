"""The link-and-translate step: English items → links to their originals → the integration
store's English versions (the source's own first, machine translation second).

Three phases, so no HTTP call happens while the processing lock is held:

1. *link and keep own translations* (one transaction, processing lock): link the interval's
   English items (``linking``), re-decide those whose link changed (an ambiguous link puts the item
   in the review queue), then bring ``integration.article_translation`` rows of origin 'source'
   in line with every confirmed link (acting as the loader role);
2. *machine-translate* what needs it (no lock): integrated articles of the interval without the
   source's own translation whose machine version is missing or was made from another version of
   the article (content hash). Bodies go paragraph by paragraph, through the segment cache
   ``process.mt_segment``, so only changed paragraphs reach the engine;
3. *store* (one transaction, processing lock): write the machine translations whose article is
   still the translated version, never over a source's own translation; record the run's figures
   in ``process.translation_run`` ("no translator configured" when there is none).
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import logging
import unicodedata
from datetime import datetime
from typing import Any

from psycopg2.extras import Json, execute_values

from portal_etl.db import LOADER_ROLE, acting_as, transaction
from portal_etl.months import LOCAL_TZ
from portal_etl.pipeline.process.common import (
    fetch_dicts,
    find_section,
    get_registry,
    run_in_transaction,
    source_or_none,
    take_pending,
)
from portal_etl.pipeline.process.load import load_items
from portal_etl.pipeline.process.policy import decide_items
from portal_etl.registry import Registry, Source
from portal_etl.reporting.summary import refresh_month_summary
from portal_etl.translation import linking
from portal_etl.translation.backends import NOT_CONFIGURED, TranslationError, Translator, configured_translator
from portal_etl.translation.segments import Piece, batches, cut_long, join_pieces, sha256, split_body
from portal_etl.vocabulary import POLICY

log = logging.getLogger("portal_etl.translation.run")

TARGET = "en"
AUTO = "auto"  # decided_by of automatic links


def translation_sections(registry: Registry) -> list[tuple[Source, str, str]]:
    """(channel, section path, language) of every section in a language other than its channel's."""
    return [(s, sec.path, sec.language) for s in registry.sources for sec in s.sections
            if sec.language and sec.language != s.language]


# --- phase 1: links ------------------------------------------------------------------------------


def _sides(cur, where: str, params: dict, registry: Registry, with_captions: bool) -> list[dict[str, Any]]:
    rows = fetch_dicts(
        cur,
        f"""SELECT n.item_id, n.source_id, n.section, n.language, n.published_at, n.title_clean, n.sapo_clean,
                   n.body_text_clean, n.canonical_url, i.images
              FROM process.normalized_item n JOIN staging.item i USING (item_id)
             WHERE n.published_at IS NOT NULL AND {where}""",
        params,
    )
    for r in rows:
        texts = [r["title_clean"], r["sapo_clean"], r["body_text_clean"]]
        if with_captions:
            texts += [img.get("caption") or "" for img in r["images"] or []]
        source = source_or_none(registry, r["source_id"])
        r["side"] = linking.Side(r["item_id"], r["published_at"], "\n".join(texts),
                                 [img["src"] for img in r["images"] or [] if img.get("src")],
                                 source.tz if source else LOCAL_TZ)
    return rows


def _editor_links(cur, en_ids: list[int]) -> dict[int, tuple[str, int | None, str]]:
    """A reviewer's word on English items: approved with a merge ⇒ linked to that item; rejected ⇒
    no original."""
    out: dict[int, tuple[str, int | None, str]] = {}
    cur.execute(
        """SELECT d.item_id, d.outcome, d.decided_by,
                  (SELECT CASE WHEN e.item_a = d.item_id THEN e.item_b ELSE e.item_a END
                     FROM process.dup_edge e
                    WHERE e.reason = 'editor_merge' AND (e.item_a = d.item_id OR e.item_b = d.item_id)
                    ORDER BY e.created_at DESC LIMIT 1)
             FROM process.decision d WHERE d.item_id = ANY(%s) AND d.decided_by <> %s""",
        (en_ids, POLICY),
    )
    for item_id, outcome, by, merged_with in cur.fetchall():
        if outcome == "approved" and merged_with is not None:
            out[item_id] = ("linked", merged_with, by)
        elif outcome == "rejected":
            out[item_id] = ("unlinked", None, by)
    return out


def link_in(cur, start: datetime | None, end: datetime | None, registry: Registry) -> dict[str, int]:
    """(Re)link the English items published in [start, end) (all when no interval is given)."""
    counts = {"en_items": 0, "linked": 0, "review": 0, "unlinked": 0, "links_changed": 0}
    sections = translation_sections(registry)
    if not sections:
        return counts
    changed: list[int] = []
    for source, _path, language in sections:
        span = "" if start is None or end is None else " AND n.published_at >= %(s)s AND n.published_at < %(e)s"
        english = [r for r in _sides(cur, f"n.source_id = %(src)s AND n.language = %(lang)s{span}",
                                     {"src": source.id, "lang": language, "s": start, "e": end}, registry, False)
                   if (sec := find_section(source, r["section"])) is not None and sec.language == language]
        if not english:
            continue
        lo = min(r["published_at"] for r in english)
        hi = max(r["published_at"] for r in english)
        lo_c, _ = linking.candidates_window(linking.Side(0, lo, "", [], source.tz))
        _, hi_c = linking.candidates_window(linking.Side(0, hi, "", [], source.tz))
        originals = [r["side"] for r in _sides(
            cur, "n.source_id = %(src)s AND (n.language IS NULL OR n.language = %(vi)s) "
                 "AND n.published_at >= %(lo)s AND n.published_at <= %(hi)s",
            {"src": source.id, "vi": source.language, "lo": lo_c, "hi": hi_c}, registry, True)]
        en_ids = [r["item_id"] for r in english]
        editor = _editor_links(cur, en_ids)
        cur.execute("SELECT en_item_id, vi_item_id, status, confidence, evidence, decided_by "
                    "FROM process.translation_link WHERE en_item_id = ANY(%s)", (en_ids,))
        existing = {r[0]: r[1:] for r in cur.fetchall()}
        rows = []
        for r in english:
            status, best, confidence, runners = linking.link_one(r["side"], originals)
            vi_id = best["vi_item_id"] if best and status != "unlinked" else None
            evidence = {"best": best, "runners_up": runners,
                        "thresholds": {"link": linking.LINK_AT, "review": linking.REVIEW_AT}}
            by = AUTO
            if r["item_id"] in editor:
                status, vi_id, by = editor[r["item_id"]]
                confidence = 1.0 if status == "linked" else 0.0
            counts["en_items"] += 1
            counts[status] += 1
            row = (vi_id, status, float(round(confidence, 4)), evidence, by)
            old = existing.get(r["item_id"])
            if old is None or (old[0], old[1], round(float(old[2]), 4), old[3], old[4]) != row:
                rows.append((r["item_id"], *row[:3], Json(row[3]), row[4]))
                if old is None or old[1] != status or old[0] != vi_id:
                    changed.append(r["item_id"])
        if rows:
            execute_values(
                cur,
                """INSERT INTO process.translation_link (en_item_id, vi_item_id, status, confidence, evidence,
                          decided_by) VALUES %s
                   ON CONFLICT (en_item_id) DO UPDATE SET vi_item_id = EXCLUDED.vi_item_id,
                          status = EXCLUDED.status, confidence = EXCLUDED.confidence,
                          evidence = EXCLUDED.evidence, decided_by = EXCLUDED.decided_by, updated_at = now()""",
                rows,
            )
        counts["links_changed"] += len(rows)
    if changed:  # the policy reads the link: an ambiguous one sends the item to the review queue
        decide_items(cur, set(changed), registry)
    return counts


# --- phase 1b: the source's own translations -------------------------------------------------------


def refresh_story_months(cur, story_keys: list[str], registry: Registry | None) -> None:
    """The monthly report's summary (its English-version columns) after these stories'
    translations changed; in the caller's transaction, acting as the loader. The summary's
    triggers queued the stories, so the refresh finds their months itself."""
    if not story_keys:
        return
    refresh_month_summary(cur, [], registry)


def _translation_hash(row: dict[str, Any]) -> str:
    keys = ("origin", "title", "sapo", "body_html", "source_id", "source_item_id", "source_url", "link_confidence",
            "engine", "model")
    data = json.dumps({k: row.get(k) for k in keys}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def sync_own_translations(cur, registry: Registry | None = None) -> dict[str, int]:
    """integration.article_translation rows of origin 'source' = the confirmed links whose original
    is in an integrated story (the most confident link of a story wins). Replaces a machine row.
    The report summary of the months whose translations changed is refreshed with them."""
    desired = fetch_dicts(
        cur,
        """SELECT DISTINCT ON (s.story_key, en.language)
                  s.story_key, en.language, en.title_clean AS title, en.sapo_clean AS sapo,
                  en.body_html_sanitized AS body_html, en.source_id, en.item_id AS source_item_id,
                  en.canonical_url AS source_url, l.confidence AS link_confidence, l.evidence AS link_evidence,
                  a.content_hash AS article_content_hash
             FROM process.translation_link l
             JOIN process.normalized_item en ON en.item_id = l.en_item_id
             JOIN process.item_story s ON s.item_id = l.vi_item_id
             JOIN integration.article a ON a.story_key = s.story_key
            WHERE l.status = 'linked' AND en.language ~ '^[a-z]{2}$'
            ORDER BY s.story_key, en.language, l.confidence DESC, en.item_id""",
    )
    cur.execute("SELECT story_key, language, origin, content_hash, article_content_hash "
                "FROM integration.article_translation")
    existing = {(r[0], r[1]): r[2:] for r in cur.fetchall()}
    want = {}
    for row in desired:
        row["origin"] = "source"
        row["link_confidence"] = round(float(row["link_confidence"]), 4)
        row["content_hash"] = _translation_hash(row)
        want[(row["story_key"], row["language"])] = row
    stale = [k for k, v in existing.items() if v[0] == "source" and k not in want]
    upserts = [r for k, r in want.items()
               if existing.get(k) != ("source", r["content_hash"], r["article_content_hash"])]
    with acting_as(cur, LOADER_ROLE):
        if stale:
            execute_values(cur, """DELETE FROM integration.article_translation t USING (VALUES %s) AS d(k, l)
                                    WHERE t.story_key = d.k AND t.language = d.l""", stale)
        if upserts:
            execute_values(
                cur,
                """INSERT INTO integration.article_translation (story_key, language, origin, title, sapo, body_html,
                          source_id, source_item_id, source_url, link_confidence, link_evidence,
                          engine, model, translated_at, article_content_hash, content_hash)
                   VALUES %s
                   ON CONFLICT (story_key, language) DO UPDATE SET origin = 'source', title = EXCLUDED.title,
                          sapo = EXCLUDED.sapo, body_html = EXCLUDED.body_html, source_id = EXCLUDED.source_id,
                          source_item_id = EXCLUDED.source_item_id, source_url = EXCLUDED.source_url,
                          link_confidence = EXCLUDED.link_confidence, link_evidence = EXCLUDED.link_evidence,
                          engine = NULL, model = NULL, translated_at = NULL,
                          article_content_hash = EXCLUDED.article_content_hash,
                          content_hash = EXCLUDED.content_hash, updated_at = now()""",
                [(r["story_key"], r["language"], "source", r["title"], r["sapo"], r["body_html"], r["source_id"],
                  r["source_item_id"], r["source_url"], r["link_confidence"], Json(r["link_evidence"]),
                  None, None, None, r["article_content_hash"], r["content_hash"]) for r in upserts],
            )
        refresh_story_months(cur, [k for k, _ in stale] + [r["story_key"] for r in upserts], registry)
    return {"own_stored": len(want), "own_written": len(upserts), "own_removed": len(stale)}


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
    todo = [r for r in rows if r["origin"] is None or (r["origin"] == "machine"
                                                       and r["translated_from"] != r["content_hash"])]
    unchanged = sum(1 for r in rows if r["origin"] == "machine" and r["translated_from"] == r["content_hash"])
    return todo, unchanged


def _phase_one(cur, start, end, registry: Registry, dag_id: str, run_id: str) -> dict[str, Any]:
    counts: dict[str, Any] = dict(link_in(cur, start, end, registry))
    # items whose decision a changed link moved (into the review queue or out of it) are loaded
    # here, as an editor's decision is: their months' figures are current when the step ends and
    # nothing stays queued for the next integration run
    queued = take_pending(cur, "load")
    counts["items_reloaded"] = len(queued)
    if queued:
        load_items(cur, queued, registry, dag_id=dag_id, run_id=run_id, start=start, end=end)
    counts.update(sync_own_translations(cur, registry))
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
    return unicodedata.normalize("NFC", " ".join(text.split()))


# --- phase 3: store -----------------------------------------------------------------------------------


def store_machine(cur, results: list[dict[str, Any]], translator: Translator,
                  registry: Registry | None = None) -> int:
    """Write machine translations whose article is still the translated version; never over the
    source's own translation (the WHERE clause here, a trigger in the database as well)."""
    if not results:
        return 0
    written = 0
    with acting_as(cur, LOADER_ROLE):
        for r in results:
            row = {"origin": "machine", "title": r["title"], "sapo": r["sapo"], "body_html": r["body_html"],
                   "engine": translator.engine, "model": translator.model}
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
                {"lang": TARGET, "title": r["title"], "sapo": r["sapo"], "body": r["body_html"],
                 "engine": translator.engine, "model": translator.model, "at": r["translated_at"],
                 "hash": _translation_hash(row), "key": r["story_key"], "from": r["content_hash"]},
            )
            written += cur.rowcount
        refresh_story_months(cur, [r["story_key"] for r in results], registry)
    return written


def _record_run(cur, dag_id: str, run_id: str, start, end, translator: str, note: str | None,
                counts: dict[str, Any]) -> None:
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
    reg = get_registry(registry)
    counts = run_in_transaction(dsn, _phase_one, start, end, reg, dag_id, run_id)
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
        log.warning("%s: %d article(s) left without an English version (%s)", NOT_CONFIGURED, len(todo),
                    description or "none given")
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
            results.append({**translated, "story_key": article["story_key"], "content_hash": article["content_hash"],
                            "translated_at": datetime.now().astimezone()})
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
