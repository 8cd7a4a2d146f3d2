"""English versions (issue #8): linking the newspaper's English items to their originals against the
replica's known pairs, the LibreTranslate HTTP backend through a local server speaking its API,
the "no translator configured" path, the provenance rule and the report's figures.

The English replica is a small scenario (scale 0.25, English section on), ingested for three months
by the real ingest steps from the replica served on 127.0.0.1, then processed and linked.
"""

from __future__ import annotations

import html
import json
import threading
import unicodedata
from datetime import datetime
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg2
import pytest
from pgutil import query, scalar

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONTHS = ("2024-01", "2024-02", "2024-03")
START, END = datetime(2024, 1, 1, tzinfo=TZ), datetime(2024, 4, 1, tzinfo=TZ)
CHAR_LIMIT = 400  # small, so bodies need several requests and some paragraphs must be cut


# --- a local server speaking the LibreTranslate API ------------------------------------------------


def fake_english(text: str) -> str:
    """The test server's 'translation': diacritics dropped, marked — checkable, order-revealing."""
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return "EN<" + plain.replace("đ", "d").replace("Đ", "D") + ">"


class _HtmlTranslator(HTMLParser):
    """Rebuilds an HTML fragment with every text node translated (independent of the pipeline's code)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if data.strip():
            lead, trail = data[: len(data) - len(data.lstrip())], data[len(data.rstrip()) :]
            data = lead + fake_english(data.strip()) + trail
        self.out.append(html.escape(data, quote=False))


def translate_html(fragment: str) -> str:
    parser = _HtmlTranslator()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out)


class LibreTranslateServer:
    """``POST /translate`` (q: str or list, source, target, format, api_key) on 127.0.0.1; every
    request is recorded; over-long input is refused as LibreTranslate's --char-limit does."""

    def __init__(self, char_limit: int = CHAR_LIMIT, api_key: str = "k-test") -> None:
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                q = body.get("q")
                texts = q if isinstance(q, list) else [q]
                if self.path != "/translate" or body.get("api_key") != api_key:
                    return self._send(403, {"error": "Invalid API key"})
                if sum(len(t) for t in texts) > char_limit:
                    return self._send(
                        400,
                        {
                            "error": f"Invalid request: request ({sum(map(len, texts))}) "
                            f"exceeds text limit ({char_limit})"
                        },
                    )
                fn = translate_html if body.get("format") == "html" else fake_english
                out = [fn(t) for t in texts]
                return self._send(200, {"translatedText": out if isinstance(q, list) else out[0]})

            def _send(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def segments(self) -> list[str]:
        return [t for r in self.requests for t in (r["q"] if isinstance(r["q"], list) else [r["q"]])]


# --- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def english_dir(tmp_path_factory) -> Path:
    from portal_replica.generator import ScenarioParams, generate

    out = tmp_path_factory.mktemp("replica_en")
    # English-heavy (several ambiguous items in the three months), unlike the default scenario
    generate(ScenarioParams(scale=0.25, english=True, english_ambiguous_share=0.015), out)
    return out


@pytest.fixture(scope="module")
def english_manifest(english_dir) -> dict:
    from portal_replica.manifest import load_manifest

    return load_manifest(english_dir)


@pytest.fixture(scope="module")
def store(english_dir, pipeline_dsn):
    """The English replica's baodongnai channel ingested (Jan–Mar 2024), processed and linked,
    with no translator configured."""
    from conftest import truncate_all

    from portal_etl.pipeline.ingest import discover, fetch_articles
    from portal_etl.pipeline.process import process_interval
    from portal_etl.registry import load_registry
    from portal_etl.translation.run import link_and_translate
    from portal_replica.server import ReplicaServer

    truncate_all(pipeline_dsn)
    server = ReplicaServer(english_dir).start()
    try:
        overrides = server.write_overrides(english_dir / "overrides.yaml")
        registry = load_registry(overrides=overrides)
        for month in MONTHS:
            y, m = (int(p) for p in month.split("-"))
            start = datetime(y, m, 1, tzinfo=TZ)
            end = datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=TZ)
            discover("baodongnai", start, end, dag_id="t", run_id=month, registry=registry, dsn=pipeline_dsn)
            fetch_articles("baodongnai", start, end, dag_id="t", run_id=month, registry=registry, dsn=pipeline_dsn)
        process_interval(START, END, dag_id="t", run_id="process", dsn=pipeline_dsn, registry=registry)
        processed = {
            "links": query(pipeline_dsn, "SELECT *, xmin::text FROM process.translation_link ORDER BY 1"),
            "own": query(pipeline_dsn, "SELECT *, xmin::text FROM integration.article_translation ORDER BY 1, 2"),
        }
        counts = link_and_translate(
            START, END, dag_id="t", run_id="link-1", dsn=pipeline_dsn, registry=registry, use_configured=False
        )
        yield {"registry": registry, "base": server.base_urls["baodongnai"], "counts": counts, "processed": processed}
    finally:
        server.stop()


def _english_in_range(manifest: dict) -> list[dict]:
    """English items of the ingested months whose original (if any) was ingested too."""

    def month_of_path(path: str) -> str:
        segment = next(s for s in path.split("/") if s.isdigit() and len(s) == 6)
        return f"{segment[:4]}-{segment[4:]}"

    return [
        it
        for it in manifest["items"]
        if it.get("language") == "en"
        and it["published_at_local"][:7] in MONTHS
        and (it["translation_of"] is None or month_of_path(it["translation_of"]["path"]) in MONTHS)
    ]


# --- linking ------------------------------------------------------------------------------------------


def test_linking_precision_and_recall_on_the_replica_pages(english_dir, english_manifest) -> None:
    """Fast: the adapter reads the replica's pages from disk, the linker scores every English item."""
    from portal_etl.adapters import get_adapter
    from portal_etl.registry import load_registry
    from portal_etl.translation.linking import Side, link_one

    source = load_registry().get("baodongnai")
    adapter = get_adapter(source)
    root = english_dir / "sites" / "baodongnai"
    sides, items = {}, {}
    for n, it in enumerate(i for i in english_manifest["items"] if i["source_id"] == "baodongnai"):
        raw = (root / it["path"].lstrip("/")).read_bytes().replace(b"__REPLICA_BASE__", b"http://h")
        if "legacy_encoding" in it["quirks"]:
            continue  # the windows-1258 audio section: no translations there
        x = adapter.parse_article(raw.decode("utf-8"), "http://h" + it["path"])
        captions = [i.caption for i in x.images] if x.language != "en" else []
        sides[it["path"]] = Side(
            n,
            x.published_at,
            "\n".join([x.title, x.sapo, x.body_text, *captions]),
            [i.src for i in x.images],
            source.tz,
        )
        items[n] = it
        assert x.language == it.get("language", "vi")
    originals = [s for p, s in sides.items() if items[s.item_id].get("language") != "en"]
    english = [it for it in items.values() if it.get("language") == "en"]
    kinds = english_manifest["english"]["counts"]
    assert kinds["translation"] >= 20 and kinds["ambiguous"] >= 2 and kinds["english_only"] >= 5
    linked_right = linked_wrong = review = 0
    for it in english:
        status, best, _conf, runners = link_one(sides[it["path"]], originals)
        got = items[best["vi_item_id"]]["path"] if best else None
        want = (it["translation_of"] or {}).get("path")
        if status == "linked":
            linked_right += got == want
            linked_wrong += got != want
        review += status == "review"
        if it["english_kind"] == "ambiguous":
            shown = {items[e["vi_item_id"]]["path"] for e in [best, *runners]}
            assert status == "review" and want in shown, it["path"]  # the editor is shown the original
        if it["english_kind"] == "english_only":
            assert status != "linked", it["path"]
    precision = linked_right / (linked_right + linked_wrong)
    recall = linked_right / kinds["translation"]
    print(f"translation links: precision {precision:.3f}, recall {recall:.3f}, review {review}")
    assert precision == 1.0 and recall >= 0.95


def test_english_items_are_linked_in_the_store_not_integrated(store, english_manifest, pipeline_dsn) -> None:
    base = store["base"]
    english = _english_in_range(english_manifest)
    assert english
    staged = {u for (u,) in query(pipeline_dsn, "SELECT page_url FROM staging.item WHERE language = 'en'")}
    assert {base + it["path"] for it in english} <= staged
    rows = {
        url: (status, vi_url, by)
        for url, status, vi_url, by in query(
            pipeline_dsn,
            """SELECT e.page_url, l.status, v.page_url, l.decided_by FROM process.translation_link l
             JOIN staging.item e ON e.item_id = l.en_item_id LEFT JOIN staging.item v ON v.item_id = l.vi_item_id""",
        )
    }
    assert set(rows) == staged
    for it in english:
        status, vi_url, by = rows[base + it["path"]]
        want = {"translation": "linked", "ambiguous": "review", "english_only": "unlinked"}[it["english_kind"]]
        assert status == want, it["path"]
        if it["translation_of"]:
            assert vi_url == base + it["translation_of"]["path"]
        assert by == "auto"
    # never a story of its own: no article has an English primary
    assert scalar(pipeline_dsn, "SELECT count(*) FROM integration.article WHERE language = 'en'") == 0
    queue = query(
        pipeline_dsn,
        """SELECT i.page_url, d.reason FROM process.decision d
                                      JOIN staging.item i USING (item_id)
                                     WHERE d.outcome = 'needs_review' AND i.language = 'en'""",
    )
    assert sorted(u for u, _ in queue) == sorted(
        base + it["path"] for it in english if it["english_kind"] == "ambiguous"
    )
    assert {r for _, r in queue} == {"possible_duplicate"}


def test_own_translations_are_stored_with_their_provenance(store, english_manifest, pipeline_dsn) -> None:
    base = store["base"]
    translations = [it for it in _english_in_range(english_manifest) if it["english_kind"] == "translation"]
    rows = query(
        pipeline_dsn,
        """SELECT t.source_url, t.origin, t.engine, t.title, a.primary_url, t.link_confidence
                                    FROM integration.article_translation t
                                    JOIN integration.article a USING (story_key)""",
    )
    by_url = {r[0]: r for r in rows}
    assert {base + it["path"] for it in translations} <= set(by_url)
    for it in translations:
        _, origin, engine, title, _primary, confidence = by_url[base + it["path"]]
        assert origin == "source" and engine is None and title == it["title"] and confidence >= 0.65


def test_the_processing_run_links_and_stores_own_translations_itself(store, pipeline_dsn) -> None:
    """Linking is a stage of the processing chain, before the policy that reads the link and the
    load: the processing run stores the links and the sources' own versions, and the translation
    step after it finds nothing to change."""
    processed = store["processed"]
    assert processed["links"] and any(row[2] == "linked" for row in processed["links"])
    assert processed["own"] and all(row[2] == "source" for row in processed["own"])
    counts = store["counts"]
    assert counts["links_changed"] == 0 and counts["decisions_changed"] == 0 and counts["own_written"] == 0
    assert query(pipeline_dsn, "SELECT *, xmin::text FROM process.translation_link ORDER BY 1") == processed["links"]
    assert (
        query(pipeline_dsn, "SELECT *, xmin::text FROM integration.article_translation ORDER BY 1, 2")
        == processed["own"]
    )


def test_no_translator_configured_is_reported_and_the_run_goes_on(store, pipeline_dsn) -> None:
    counts = store["counts"]
    assert counts["note"] == "no translator configured" and counts["translator"] == "none"
    assert counts["machine_needed"] > 0 and counts["machine_translated"] == 0
    note, recorded = query(pipeline_dsn, "SELECT note, counts FROM process.translation_run WHERE run_id = 'link-1'")[0]
    assert note == "no translator configured" and recorded["machine_needed"] == counts["machine_needed"]


def test_relinking_changes_nothing(store, pipeline_dsn) -> None:
    from portal_etl.translation.run import link_and_translate

    before = query(pipeline_dsn, "SELECT *, xmin::text FROM integration.article_translation ORDER BY 1, 2")
    links = query(pipeline_dsn, "SELECT *, xmin::text FROM process.translation_link ORDER BY 1")
    counts = link_and_translate(
        START, END, dag_id="t", run_id="link-2", dsn=pipeline_dsn, registry=store["registry"], use_configured=False
    )
    assert counts["links_changed"] == 0 and counts["own_written"] == 0
    assert query(pipeline_dsn, "SELECT *, xmin::text FROM integration.article_translation ORDER BY 1, 2") == before
    assert query(pipeline_dsn, "SELECT *, xmin::text FROM process.translation_link ORDER BY 1") == links


# --- machine translation through the HTTP backend --------------------------------------------------------


@pytest.fixture(scope="module")
def translate_server(monkeypatch_module):
    with LibreTranslateServer() as server:
        monkeypatch_module.setenv(
            "AIRFLOW_CONN_PORTAL_ETL_TRANSLATE",
            json.dumps(
                {
                    "conn_type": "http",
                    "host": "127.0.0.1",
                    "port": server.port,
                    "schema": "http",
                    "password": "k-test",
                    "extra": {"model": "test-vi-en", "char_limit": CHAR_LIMIT},
                }
            ),
        )
        yield server


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def machine_run(store, translate_server, pipeline_dsn):
    from portal_etl.translation.run import link_and_translate

    own_before = query(
        pipeline_dsn, "SELECT * FROM integration.article_translation WHERE origin = 'source' ORDER BY 1, 2"
    )
    counts = link_and_translate(START, END, dag_id="t", run_id="mt-1", dsn=pipeline_dsn, registry=store["registry"])
    return counts, own_before


def _tags_and_texts(fragment: str) -> tuple[list[str], list[str]]:
    import lxml.html

    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    tags = [el.tag for el in root.iter() if isinstance(el.tag, str)]
    texts = [t.strip() for t in root.itertext() if t.strip()]
    return tags, texts


def test_the_http_backend_is_found_through_the_airflow_connection(translate_server) -> None:
    from portal_etl.translation.backends import LibreTranslate, configured_translator

    translator, description = configured_translator()
    assert isinstance(translator, LibreTranslate) and translator.model == "test-vi-en"
    assert translator.char_limit == CHAR_LIMIT and f"127.0.0.1:{translate_server.port}" in description


def test_machine_translation_keeps_order_and_html_and_never_replaces_own(
    machine_run, translate_server, pipeline_dsn
) -> None:
    counts, own_before = machine_run
    assert counts["translator"] == "libretranslate:test-vi-en" and counts["note"] == ""
    assert counts["machine_translated"] == counts["machine_needed"] > 0
    assert all(sum(len(t) for t in r["q"]) <= CHAR_LIMIT for r in translate_server.requests)
    assert len(translate_server.requests) > counts["machine_needed"]  # bodies took several requests
    rows = query(
        pipeline_dsn,
        """SELECT a.title, a.body_html, t.title, t.body_html, t.engine, t.model,
                                         t.translated_at, t.article_content_hash = a.content_hash
                                    FROM integration.article_translation t JOIN integration.article a USING (story_key)
                                   WHERE t.origin = 'machine'""",
    )
    assert len(rows) == counts["machine_translated"]
    for vi_title, vi_body, en_title, en_body, engine, model, at, current in rows:
        assert en_title == fake_english(vi_title) and engine == "libretranslate" and model == "test-vi-en"
        assert at is not None and current
        vi_tags, vi_texts = _tags_and_texts(vi_body)
        en_tags, en_texts = _tags_and_texts(en_body)
        assert en_tags == vi_tags  # the HTML structure survives
        # every text in order (a paragraph cut at sentence ends comes back as one translated text)
        assert "".join(en_texts).replace("> EN<", "").replace(" ", "") == "".join(
            fake_english(t) for t in vi_texts
        ).replace(" ", "")
    # the sources' own translations are untouched: a machine translation never replaces them
    assert (
        query(pipeline_dsn, "SELECT * FROM integration.article_translation WHERE origin = 'source' ORDER BY 1, 2")
        == own_before
    )


def test_a_long_paragraph_is_cut_at_sentence_ends_and_rejoined(translate_server, pipeline_dsn) -> None:
    from portal_etl.translation.backends import configured_translator
    from portal_etl.translation.run import SegmentCache

    translator, _ = configured_translator()
    sentences = [f"Câu số {i} nói về khu công nghiệp Nhơn Trạch và {i * 7} dự án mới." for i in range(30)]
    paragraph = '<p class="x">' + " ".join(sentences) + "</p>"
    assert len(paragraph) > 3 * CHAR_LIMIT
    sent_before = len(translate_server.requests)
    cache = SegmentCache(translator, pipeline_dsn)
    out = cache.translate([paragraph], "html")[0]
    assert out.startswith('<p class="x">') and out.endswith("</p>")
    assert len(translate_server.requests) - sent_before >= 3
    assert out[len('<p class="x">') : -4] == " ".join(
        html.escape(fake_english(t), quote=False) for t in _groups_as_sent(translate_server, sent_before)
    )


def _groups_as_sent(server, since: int) -> list[str]:
    return [t for r in server.requests[since:] for t in r["q"]]


def test_a_source_translation_cannot_be_overwritten_by_a_machine_one(machine_run, pipeline_dsn) -> None:
    conn = psycopg2.connect(pipeline_dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT story_key FROM integration.article_translation WHERE origin = 'source' LIMIT 1")
            key = cur.fetchone()[0]
        with pytest.raises(psycopg2.errors.CheckViolation), conn, conn.cursor() as cur:
            cur.execute(
                """UPDATE integration.article_translation SET origin = 'machine', engine = 'x', model = 'y',
                                  translated_at = now() WHERE story_key = %s""",
                (key,),
            )
    finally:
        conn.close()


def test_rerunning_translation_sends_nothing_and_changes_nothing(
    machine_run, translate_server, store, pipeline_dsn
) -> None:
    from portal_etl.translation.run import link_and_translate

    before = query(pipeline_dsn, "SELECT *, xmin::text FROM integration.article_translation ORDER BY 1, 2")
    sent = len(translate_server.requests)
    counts = link_and_translate(START, END, dag_id="t", run_id="mt-2", dsn=pipeline_dsn, registry=store["registry"])
    assert counts["machine_needed"] == 0 and counts["machine_translated"] == 0
    assert len(translate_server.requests) == sent
    assert query(pipeline_dsn, "SELECT *, xmin::text FROM integration.article_translation ORDER BY 1, 2") == before


def test_only_a_changed_paragraph_is_translated_again(machine_run, translate_server, store, pipeline_dsn) -> None:
    from portal_etl.translation.run import link_and_translate
    from portal_etl.translation.segments import split_body

    prefix = "Cập nhật: "
    rows = query(
        pipeline_dsn,
        """SELECT a.story_key, a.body_html FROM integration.article a
                                   JOIN integration.article_translation t USING (story_key)
                                  WHERE t.origin = 'machine' AND a.body_html LIKE '%%<p>%%</p>%%<p>%%'
                                  ORDER BY a.story_key""",
    )

    def first_paragraph(html: str) -> str:
        return next(p.text for p in split_body(html) if p.translate)

    # an article whose edited first paragraph still fits one request: a longer one would be cut at
    # sentence ends, which is a different (tested) path
    key, body = next(
        (k, b)
        for k, b in rows
        if first_paragraph(b).startswith("<p>") and len(first_paragraph(b)) + len(prefix) <= CHAR_LIMIT
    )
    changed = body.replace("<p>", "<p>" + prefix, 1)
    conn = psycopg2.connect(pipeline_dsn)
    with conn, conn.cursor() as cur:  # an edit of the article, as a later load would write it
        cur.execute(
            "UPDATE integration.article SET body_html = %s, content_hash = md5(%s) || md5(%s) WHERE story_key = %s",
            (changed, changed, key, key),
        )
    conn.close()
    sent = len(translate_server.segments())
    counts = link_and_translate(START, END, dag_id="t", run_id="mt-3", dsn=pipeline_dsn, registry=store["registry"])
    assert counts["machine_needed"] == 1 and counts["machine_translated"] == 1
    new = translate_server.segments()[sent:]
    assert len(new) == 1 and new[0].startswith("<p>Cập nhật: ")  # title, lead, other paragraphs: cache
    en_body = scalar(pipeline_dsn, "SELECT body_html FROM integration.article_translation WHERE story_key = %s", key)
    assert en_body.count("EN&lt;Cap nhat: ") == 1


# --- the report -----------------------------------------------------------------------------------------


def test_the_report_counts_english_versions_by_origin_and_channel(
    machine_run, store, english_manifest, pipeline_dsn
) -> None:
    from portal_etl.reporting.payload import build_payload
    from portal_etl.reporting.render_text import render_table

    conn = psycopg2.connect(pipeline_dsn)
    try:
        with conn.cursor() as cur:
            payload = build_payload(cur, "2024-02", store["registry"])
    finally:
        conn.close()
    english = payload["english_versions"]
    own = [
        it
        for it in english_manifest["items"]
        if it.get("english_kind") == "translation" and it["translation_of"]["path"].split("/")[2] == "202402"
    ]
    integrated = scalar(pipeline_dsn, "SELECT count(*) FROM integration.article WHERE story_month = '2024-02'")
    month = english["month"]
    assert month["total"]["source"] == len(own)
    assert month["total"]["integrated"] == integrated
    assert month["total"]["machine"] == integrated - len(own)  # everything else was machine-translated
    assert month["channels"]["baodongnai"] == month["total"] and month["total"]["none"] == 0
    assert english["cumulative"]["total"]["integrated"] >= integrated
    assert "Bản tiếng Anh của tin, bài đã tích hợp" in render_table(payload)


def test_an_editor_settles_an_ambiguous_link(machine_run, store, pipeline_dsn) -> None:
    """Last: it changes the store. Approving a translation alone is refused; approving it as a
    duplicate of its original confirms the link, and the own translation replaces the machine one
    in the editor's own transaction (the chain links before the policy and the load), before any
    translation step runs."""
    import re

    from portal_etl.pipeline.process import review
    from portal_etl.translation.run import link_and_translate

    item_id, note = query(
        pipeline_dsn,
        """SELECT d.item_id, d.note FROM process.decision d
                                             JOIN staging.item i USING (item_id)
                                            WHERE d.outcome = 'needs_review' AND i.language = 'en'
                                            ORDER BY d.item_id LIMIT 1""",
    )[0]
    original = int(re.search(r"translation of item (\d+)", note).group(1))
    with pytest.raises(review.ReviewError, match="is a translation"):
        review.approve(item_id, "Biên tập viên", "ok", dsn=pipeline_dsn, registry=store["registry"])
    review.approve(
        item_id, "Biên tập viên", "cùng bài", as_duplicate_of=original, dsn=pipeline_dsn, registry=store["registry"]
    )

    def assert_linked_and_stored() -> None:
        status, vi_id, by = query(
            pipeline_dsn,
            "SELECT status, vi_item_id, decided_by FROM process.translation_link WHERE en_item_id = %s",
            item_id,
        )[0]
        assert (status, vi_id, by) == ("linked", original, "Biên tập viên")
        language, origin, source_item = query(
            pipeline_dsn,
            """SELECT a.language, t.origin, t.source_item_id FROM process.item_story s
                               JOIN integration.article a USING (story_key)
                               JOIN integration.article_translation t USING (story_key) WHERE s.item_id = %s""",
            original,
        )[0]
        assert (language, origin, source_item) == ("vi", "source", item_id)

    assert_linked_and_stored()  # the same run: no translation step has run since the decision
    link_and_translate(START, END, dag_id="t", run_id="mt-4", dsn=pipeline_dsn, registry=store["registry"])
    assert_linked_and_stored()
