"""Theme variants of the replica (replica/themes): the markup changes, the content and truth don't.

One small scenario (three months, every channel, the English section) is generated in each theme.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest
from replica_helpers import nfc, parse_page, site_file, text_of, tree_digest

from portal_replica import cli
from portal_replica.generator import ScenarioParams, generate

SMALL = dict(
    seed=11,
    start=date(2023, 12, 1),
    end=date(2024, 2, 29),
    window_start=date(2023, 12, 4),
    target_end=date(2024, 1, 31),
    target_integrated=300,
    party_live=date(2023, 12, 6),
    english=True,
    english_ambiguous_share=0.015,  # the English-heavy section this digest was taken with
)
# sha256 over (path, sha256 of file) of every file under sites/ of SMALL, as generated before
# themes existed: the default theme must stay byte-identical (the suite and the scenario's figures
# depend on it). Changing the default markup on purpose means updating this value.
DEFAULT_SITES_DIGEST = "95ab65cf0e603d1c32f3ebc5603843a5a1e028f240ced8b36bdafae71ac5f4f0"
SWITCH = "2024-01"
DEFAULT_CLASSES = {
    "article-detail",
    "article-title",
    "article-body",
    "article-time",
    "article-meta",
    "article-author",
    "article-sapo",
    "article-byline",
    "image-caption",
    "story",
    "story-title",
    "story-time",
    "pager",
    "list-news",
    "news_column",
    "bodytext",
    "hometext",
    "panel-body",
    "pagination",
    "page-link",
    "other-news",
    "next",
}
SEMANTIC = re.compile(rb"<(article|nav|header|main|section|figure|figcaption|footer)[\s>]")
CLASS_ATTR = re.compile(rb'\sclass="([^"]*)"')
ID_ATTR = re.compile(rb'\sid="([^"]*)"')
# the article body of each theme (the NukeViet body is the editor's HTML: the same in every theme)
BDN_BODY = {"default": "div.article-body", "restyled": "div#pz-txt", "bare": "div.ct-bv-nd"}
NV_BODY_RE = {
    "default": rb'<div id="news-bodyhtml".*?\n</div>',
    "restyled": rb'<div id="noi-dung-bai".*?\n</div>',
    "bare": rb'<div class="dn-content".*?\n</div>',
}


def sites_digest(out: Path) -> str:
    h = hashlib.sha256()
    for rel, digest in tree_digest(out / "sites").items():
        h.update(f"sites/{rel}".encode() + b"\0" + bytes.fromhex(digest))
    return h.hexdigest()


@pytest.fixture(scope="module")
def outs(tmp_path_factory) -> dict[str, Path]:
    runs = {
        "default": {},
        "restyled": {"theme": "restyled"},
        "bare": {"theme": "bare"},
        "redesign": {"theme": "redesign", "redesign_month": SWITCH},
    }
    out = {}
    for name, extra in runs.items():
        out[name] = tmp_path_factory.mktemp(f"theme_{name}")
        generate(ScenarioParams(**SMALL, **extra), out[name])
    return out


@pytest.fixture(scope="module")
def manifest(outs) -> dict:
    return json.loads((outs["default"] / "manifest.json").read_text(encoding="utf-8"))


def articles(manifest: dict, source_prefix: str = "") -> list[dict]:
    return [it for it in manifest["items"] if it["source_id"].startswith(source_prefix)]


def raw(out: Path, item: dict) -> bytes:
    return site_file(out, item["source_id"], item["path"]).read_bytes()


def doc(out: Path, item: dict):
    return parse_page(raw(out, item), "cp1258" if "legacy_encoding" in item["quirks"] else "utf-8")


def class_tokens(data: bytes) -> set[bytes]:
    tokens = {tok for m in CLASS_ATTR.finditer(data) for tok in m.group(1).split()}
    return tokens | {m.group(1) for m in ID_ATTR.finditer(data)}


# -- default and what no theme changes ------------------------------------------------------------


def test_default_theme_is_byte_identical(outs, tmp_path):
    assert sites_digest(outs["default"]) == DEFAULT_SITES_DIGEST
    generate(ScenarioParams(**SMALL, theme="default"), tmp_path)
    assert tree_digest(tmp_path) == tree_digest(outs["default"])


@pytest.mark.parametrize("theme", ["restyled", "bare", "redesign"])
def test_themes_keep_paths_truth_feeds_and_routes(outs, theme):
    base, other = outs["default"], outs[theme]
    want, got = tree_digest(base), tree_digest(other)
    assert set(got) == set(want)
    same = [rel for rel in want if "/rss/" in rel or rel.endswith(("robots.txt", ".routes.json"))]
    assert same and all(got[rel] == want[rel] for rel in same)
    a = json.loads((base / "manifest.json").read_text(encoding="utf-8"))
    b = json.loads((other / "manifest.json").read_text(encoding="utf-8"))
    assert b["scenario"].pop("theme") == theme and a["scenario"].pop("theme") == "default"
    if theme == "redesign":
        assert b["scenario"].pop("redesign_month") == SWITCH and b["scenario"].pop("redesign_theme") == "restyled"
    assert a == b
    changed = [rel for rel in want if rel.endswith(".html") and got[rel] != want[rel]]
    share = 0.3 if theme == "redesign" else 0.95  # redesign: December's pages stay default
    assert len(changed) > share * sum(rel.endswith(".html") for rel in want)


@pytest.mark.parametrize("theme", ["restyled", "bare"])
def test_visible_content_is_the_same(outs, manifest, theme):
    for item in manifest["items"][::3]:
        old, new = doc(outs["default"], item), doc(outs[theme], item)
        assert [text_of(h) for h in new.find_all("h1")] == [text_of(h) for h in old.find_all("h1")]
        if item["source_id"] == "baodongnai":
            date_line = text_of(old.select_one("span.article-time"))
            body_old, body_new = old.select_one(BDN_BODY["default"]), new.select_one(BDN_BODY[theme])
            shape = [[(el.name, text_of(el)) for el in body.find_all(recursive=False)] for body in (body_old, body_new)]
            assert shape[0] == shape[1], item["path"]
            assert all(not p.get("class") for p in body_new.find_all("p")) or theme != "bare"
        else:
            date_line = text_of(old.select_one("div.row.margin-bottom-lg span.h5"))
            body_old = re.search(NV_BODY_RE["default"], raw(outs["default"], item), re.S).group(0)
            body_new = re.search(NV_BODY_RE[theme], raw(outs[theme], item), re.S).group(0)
            assert body_old.split(b">", 1)[1] == body_new.split(b">", 1)[1], item["path"]
        assert date_line in text_of(new.body), item["path"]
        assert item["author"] in nfc(text_of(new.body)) or item.get("language") == "en"


# -- restyled --------------------------------------------------------------------------------------


def test_restyled_renames_every_class_and_drops_semantic_tags(outs, manifest):
    default_tokens: set[bytes] = set()
    for item in manifest["items"]:
        default_tokens |= class_tokens(re.sub(NV_BODY_RE["default"], b"", raw(outs["default"], item), flags=re.S))
    assert {b"article-detail", b"article-body", b"story", b"hometext", b"panel-body"} <= default_tokens
    for item in manifest["items"]:
        page = re.sub(NV_BODY_RE["restyled"], b"", raw(outs["restyled"], item), flags=re.S)
        shared = class_tokens(page) & (default_tokens | {t.encode() for t in DEFAULT_CLASSES})
        assert not shared, (item["path"], shared)
        assert b"news-bodyhtml" not in page
        assert not SEMANTIC.search(page), item["path"]
        assert page.count(b"<h1") == 1
        if item["source_id"] == "baodongnai" and item.get("language") != "en":
            assert b'<script type="application/ld+json">' in page
        if item["source_id"] != "baodongnai":
            assert b'itemprop="datePublished"' in page  # microdata (the edit time) stays


def test_restyled_lists_use_a_page_number_pager(outs):
    for sid, first, second in (
        ("baodongnai", "chinh-tri/index.html", b'href="/chinh-tri?page=2">2</a>'),
        ("dongnai_gov", "vi/news/thoi-su-chinh-tri/index.html", b'/page-2/">2</a>'),
        ("dongnai_party", "news/index.html", b'/page-2/">2</a>'),
    ):
        data = (outs["restyled"] / "sites" / sid / first).read_bytes()
        assert second in data
        assert b'rel="next"' not in data and b'rel="prev"' not in data
        assert not re.search(rb'class="[^"]*\bnext\b', data)
        assert not SEMANTIC.search(data)
        default = (outs["default"] / "sites" / sid / first).read_bytes()
        assert not class_tokens(data) & class_tokens(default) - {b"hidden"}


# -- bare ------------------------------------------------------------------------------------------


def test_bare_has_no_structured_data_and_og_on_odd_ids_only(outs, manifest):
    og_counts = {True: 0, False: 0}
    for item in manifest["items"]:
        data = raw(outs["bare"], item)
        assert b"application/ld+json" not in data and b"article:published_time" not in data
        assert b"itemprop=" not in data
        odd = int(item["native_id"], 16) % 2 == 1
        assert (b'property="og:title"' in data) == odd, item["path"]
        og_counts[odd] += 1
    assert min(og_counts.values()) > 50


def test_bare_noise_is_inside_the_article_container(outs, manifest):
    checked = 0
    for item in manifest["items"]:
        page = doc(outs["bare"], item)
        if item["source_id"] == "baodongnai":
            box = page.select_one("div.ct-bv")
            needed = ["div.qc-bv img", "div.chia-se a", "div.ct-bv-nd"]
            if item.get("language") != "en":
                needed += ["div.tin-lq li a", "div.bd-ykien form textarea"]
                assert "Thông tin bạn đọc" in nfc(text_of(box))
            byline = box.select_one("div.ct-bv-nd").find_all("p", recursive=False)[-1]
            assert not byline.get("class")
        else:
            box = page.select_one("div.detail-news")
            needed = ["div.adv-inarticle img", "div.dn-share a", "form.dn-vote", "div.dn-other li a", "div#dn-content"]
            assert "Những tin" in text_of(box.select_one("div.dn-other"))
            assert all("author" not in c and "byline" not in c for p in box.select("div.dn-sign p") for c in p["class"])
        assert box is not None and all(box.select_one(sel) is not None for sel in needed), item["path"]
        checked += 1
    assert checked == len(manifest["items"])


def test_bare_pagers(outs):
    sites = outs["bare"] / "sites"
    bdn = (sites / "baodongnai/chinh-tri/index.html").read_text(encoding="utf-8")
    assert re.findall(r'<a rel="next" href="([^"]+)"', bdn) == ["/chinh-tri?page=2"]
    assert "?page=" not in bdn.replace('rel="next" href="/chinh-tri?page=2"', "")
    party = (sites / "dongnai_party/news/index.html").read_text(encoding="utf-8")
    assert re.findall(r'<a rel="next" href="([^"]+)"', party) == ["/news/page-2/"]
    assert party.count("/page-") == 1
    gov = sites / "dongnai_gov/vi/news"
    assert (gov / "page-2/index.html").is_file()
    assert "/page-" not in (gov / "index.html").read_text(encoding="utf-8")  # the URL pattern only


# -- redesign ------------------------------------------------------------------------------------


def test_redesign_switches_theme_at_the_month(outs, manifest):
    seen = set()
    for item in manifest["items"]:
        data = raw(outs["redesign"], item)
        after = item["published_at_local"][:7] >= SWITCH
        same_as = "restyled" if after else "default"
        assert data == raw(outs[same_as], item), item["path"]
        seen.add(after)
    assert seen == {True, False}
    for rel in ("baodongnai/chinh-tri/index.html", "dongnai_gov/vi/news/index.html", "baodongnai/index.html"):
        assert (outs["redesign"] / "sites" / rel).read_bytes() == (outs["restyled"] / "sites" / rel).read_bytes()


def test_theme_parameters_are_checked_and_recorded():
    with pytest.raises(ValueError):
        ScenarioParams(theme="fancy")
    with pytest.raises(ValueError):
        ScenarioParams(theme="redesign", redesign_month="2024-13")
    with pytest.raises(ValueError):
        ScenarioParams(theme="redesign", redesign_theme="default")
    assert ScenarioParams().as_json()["theme"] == "default"
    assert "redesign_month" not in ScenarioParams(theme="bare").as_json()
    params = ScenarioParams(theme="redesign", redesign_month="2024-03", redesign_theme="bare")
    assert ScenarioParams(**params.as_json()) == params


def test_cli_generates_a_theme(tmp_path, capsys):
    args = [
        "generate",
        "--out",
        str(tmp_path),
        "--seed",
        "11",
        "--start",
        "2023-12-01",
        "--end",
        "2024-02-29",
        "--window-start",
        "2023-12-04",
        "--target-end",
        "2024-01-31",
        "--target",
        "300",
        "--party-live",
        "2023-12-06",
        "--theme",
        "redesign",
        "--redesign-month",
        "2024-02",
        "--redesign-theme",
        "bare",
    ]
    assert cli.main(args) == 0
    scenario = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))["scenario"]
    assert (scenario["theme"], scenario["redesign_month"], scenario["redesign_theme"]) == (
        "redesign",
        "2024-02",
        "bare",
    )
    assert b'class="cm-td"' in (tmp_path / "sites/baodongnai/chinh-tri/index.html").read_bytes()
    assert json.loads(capsys.readouterr().out)["integrated_total_to_target_end"] == 300
