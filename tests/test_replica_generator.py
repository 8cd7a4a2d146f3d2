"""The replica generator: determinism, the exact target, truth rules and every quirk."""

from __future__ import annotations

import html
import re
import time
import unicodedata
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from replica_helpers import body_words, nfc, parse_page, site_file, text_of, tree_digest

from portal_etl.registry import load_registry
from portal_replica.common import alias_of, has_old_tone, tone_new
from portal_replica.generator import QUIRK_ORDER, ScenarioParams, generate, plan
from portal_replica.manifest import (
    english_source_versions_by_month,
    integrated_by_month,
    integrated_by_source,
    integrated_total,
    items_of,
    items_with_quirk,
    load_manifest,
    published,
    recompute_primaries,
    stories,
    vietnamese_items,
)

DEFAULT = ScenarioParams()


GENERATION_SECONDS: list[float] = []


@pytest.fixture(scope="module")
def default_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("replica_default")
    started = time.monotonic()
    generate(DEFAULT, out)
    GENERATION_SECONDS.append(time.monotonic() - started)
    return out


@pytest.fixture(scope="module")
def full_manifest(default_out) -> dict:
    return load_manifest(default_out)


@pytest.fixture(scope="module")
def manifest(full_manifest) -> dict:
    """The contract's (Vietnamese) items: the English section follows rules of its own, checked
    in the English tests below and in test_translation.py."""
    return {**full_manifest, "items": vietnamese_items(full_manifest)}


def read_doc(out: Path, item: dict):
    data = site_file(out, item["source_id"], item["path"]).read_bytes()
    encoding = "cp1258" if "legacy_encoding" in item["quirks"] else "utf-8"
    return parse_page(data, encoding)


# -- determinism and volume ----------------------------------------------------------------------


def test_same_parameters_give_byte_identical_files(tmp_path):
    params = ScenarioParams(scale=0.1)
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    expected = generate(params, first)
    assert generate(params, second) == expected
    digest = tree_digest(first)
    assert len(digest) > 300
    assert digest == tree_digest(second)
    generate(ScenarioParams(scale=0.1, seed=7), other)
    assert tree_digest(other) != digest
    assert (other / "manifest.json").read_bytes() != (first / "manifest.json").read_bytes()


def test_default_scenario_hits_2555_exactly(manifest):
    expected = manifest["expected"]
    assert expected["integrated_total_to_target_end"] == 2555
    # recomputed independently from the items' approvable flags
    assert integrated_total(manifest) == 2555
    assert integrated_by_month(manifest) == expected["integrated_by_month"]
    months = expected["integrated_by_month"]
    counted = sum(n for month, n in months.items() if "2023-03" <= month <= "2024-04")
    assert counted == 2555
    assert months["2024-05"] > 0 and months["2024-06"] > 0  # after the target: not counted
    assert set(months) == {
        f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13) if "2023-03" <= f"{y}-{m:02d}" <= "2024-06"
    }
    assert manifest["scenario"]["target_integrated"] == 2555


@pytest.mark.parametrize("scale", [10.0, 0.37])
def test_scaled_target_is_exact(scale):
    scenario = plan(ScenarioParams(scale=scale))
    assert scenario.expected["integrated_total_to_target_end"] == round(2555 * scale)


def test_other_targets_and_windows_are_exact():
    params = ScenarioParams(
        seed=3, target_integrated=400, window_start=date(2023, 5, 10), target_end=date(2023, 12, 31), scale=1.0
    )
    assert plan(params).expected["integrated_total_to_target_end"] == 400


def test_primary_flags_follow_the_rule(manifest):
    primaries = recompute_primaries(manifest)
    flagged = {it["story_id"]: it for it in manifest["items"] if it["primary"]}
    assert {k: v["path"] for k, v in flagged.items()} == {k: v["path"] for k, v in primaries.items()}
    for story in stories(manifest).values():
        assert sum(it["primary"] for it in story) <= 1


def test_reject_reasons_follow_the_rule(manifest):
    registry = load_registry()
    window0 = datetime(2023, 3, 29)
    for it in manifest["items"]:
        section = registry.get(it["source_id"]).section(it["section"])
        local = published(it).replace(tzinfo=None)
        if not section.integrate:
            reason = "section_not_integrated"
        elif local < window0:
            reason = "before_window"
        elif it["item_type"] != "video" and it["word_count"] < 80:
            reason = "too_short"
        else:
            reason = None
        assert it["reject_reason"] == reason, it
        assert it["approvable"] == (reason is None)
    reasons = Counter(it["reject_reason"] for it in manifest["items"])
    assert reasons["before_window"] > 100
    assert reasons["section_not_integrated"] > 100
    assert reasons["too_short"] > 20


def test_period_boundaries(manifest):
    days = [published(it).date() for it in manifest["items"]]
    assert min(days) == date(2023, 3, 1) and max(days) <= date(2024, 6, 30)
    assert max(days) >= date(2024, 6, 28)
    before = [it for it in manifest["items"] if published(it).date() < date(2023, 3, 29)]
    assert len(before) > 100 and all(not it["approvable"] for it in before)
    after = [it for it in manifest["items"] if published(it).date() > date(2024, 4, 30)]
    assert len(after) > 300 and any(it["primary"] for it in after)
    stamps = {it["published_at_local"]: it for it in manifest["items"]}
    assert stamps["2023-03-28T23:45:00+07:00"]["reject_reason"] == "before_window"
    assert stamps["2023-03-29T00:15:00+07:00"]["approvable"]
    assert "2024-04-30T23:50:00+07:00" in stamps


def test_party_portal_has_nothing_before_it_went_live(manifest):
    party = items_of(manifest, "dongnai_party")
    assert party
    assert min(published(it).date() for it in party) == date(2023, 10, 9)


def test_channel_shares_and_monthly_variation(manifest):
    shares = integrated_by_source(manifest)
    total = sum(shares.values())
    assert 0.45 < shares["baodongnai"] / total < 0.65
    assert 0.22 < shares["dongnai_gov"] / total < 0.40
    by_month: dict[str, Counter] = {}
    for it in recompute_primaries(manifest).values():
        by_month.setdefault(it["published_at_local"][:7], Counter())[it["source_id"]] += 1
    for month in ("2023-11", "2023-12", "2024-01", "2024-02", "2024-03", "2024-04"):
        counts = by_month[month]
        assert 0.08 < counts["dongnai_party"] / sum(counts.values()) < 0.24
    full = [sum(c.values()) for m, c in by_month.items() if "2023-04" <= m <= "2024-04"]
    mean = sum(full) / len(full)
    assert max(full) / min(full) > 1.15  # months differ
    assert all(0.6 * mean < n < 1.4 * mean for n in full)


# -- stories and republication ------------------------------------------------------------------


def test_republications(manifest):
    all_stories = stories(manifest)
    multi = [its for its in all_stories.values() if len({it["source_id"] for it in its}) > 1]
    integrated = [its for its in all_stories.values() if any(it["primary"] for it in its)]
    share = sum(1 for its in integrated if len(its) > 1) / len(integrated)
    assert 0.08 < share < 0.18
    assert any(len({it["source_id"] for it in its}) == 3 for its in multi)
    for its in multi:
        times = sorted(published(it) for it in its)
        assert times[-1] - times[0] <= timedelta(days=4, minutes=1)
    # the later copy is sometimes the only approvable one, for every kind of rejection
    reasons = Counter()
    for its in integrated:
        first = min(its, key=published)
        if not first["approvable"]:
            reasons[first["reject_reason"]] += 1
    assert set(reasons) == {"before_window", "too_short", "section_not_integrated"}
    # copies carry small edits: some titles differ, some word counts differ
    assert any(len({it["title"] for it in its}) > 1 for its in multi)
    assert any(len({it["word_count"] for it in its}) > 1 for its in multi)


def _title_key(title: str) -> str:
    return tone_new(nfc(title).replace("\u00d0", "Đ")).casefold()


def test_distinct_stories_have_distinct_titles(manifest):
    owner: dict[str, str] = {}
    for it in manifest["items"]:
        key = _title_key(it["title"])
        assert owner.setdefault(key, it["story_id"]) == it["story_id"], it["title"]


# -- item types and word counts ------------------------------------------------------------------


def test_item_types_follow_the_adapters_rule(manifest):
    registry = load_registry()
    types = Counter()
    for it in manifest["items"]:
        section = registry.get(it["source_id"]).section(it["section"])
        slug = it["path"].rsplit("/", 1)[-1]
        if section.item_type:
            assert it["item_type"] == section.item_type
        elif slug.startswith("infographic-"):
            assert it["item_type"] == "infographic"
        elif it["word_count"] >= 500:
            assert it["item_type"] == "bai" and it["word_count"] <= 1200
        else:
            assert it["item_type"] == "tin"
            assert (
                "short_body" in it["quirks"]
                or 120 <= it["word_count"] <= 420
                or it["reject_reason"] == "section_not_integrated"
            )
        types[it["item_type"]] += 1
    assert set(types) == {"tin", "bai", "video", "podcast", "infographic", "photo"}
    assert any(it["item_type"] == "video" and it["word_count"] < 80 and it["approvable"] for it in manifest["items"])


def test_word_counts_match_the_served_body(default_out, manifest):
    by_type: dict[tuple[str, str], list[dict]] = {}
    for it in manifest["items"]:
        by_type.setdefault((it["source_id"], it["item_type"]), []).append(it)
    sample = [it for its in by_type.values() for it in its[:: max(1, len(its) // 12)]]
    sample += items_with_quirk(manifest, "nfd_body")[:10] + items_with_quirk(manifest, "short_body")[:10]
    assert len(sample) > 120
    for it in sample:
        doc = read_doc(default_out, it)
        words = body_words(doc, it["source_id"], "sapo_repeated" in it["quirks"])
        assert words == it["word_count"], it["path"]


# -- the English section (on in the default scenario: the demo's report shows it) -----------------


def test_default_scenario_has_a_small_english_section_with_known_pairs(full_manifest, manifest):
    english = [it for it in full_manifest["items"] if it.get("language") == "en"]
    counts = full_manifest["english"]["counts"]
    assert sum(counts.values()) == len(english) == len(full_manifest["english"]["pairs"])
    assert 40 <= counts["translation"] <= 150 and counts["english_only"] >= 5  # a few a month
    assert 3 <= counts["ambiguous"] <= 8  # a few questions for an editor, not a backlog
    assert all(not it["approvable"] and not it["primary"] for it in english)
    by_path = {(it["source_id"], it["path"]): it for it in manifest["items"]}
    for pair in full_manifest["english"]["pairs"]:
        if pair["kind"] == "english_only":
            assert pair["vi_path"] is None
        else:  # an original is an approvable Vietnamese article of the newspaper
            original = by_path[(pair["vi_source_id"], pair["vi_path"])]
            assert original["source_id"] == "baodongnai" and original["approvable"]
    # the integrated figures do not move: English items are versions, not stories
    assert integrated_by_month(full_manifest) == integrated_by_month(manifest)


def test_english_truth_gives_the_report_table_and_the_review_queue(full_manifest):
    expected = full_manifest["expected"]
    by_month = expected["english_source_versions_by_month"]
    assert by_month == english_source_versions_by_month(full_manifest)
    assert by_month["2024-04"]["baodongnai"] > 0  # the demo's report month
    translated_stories = sum(n for channels in by_month.values() for n in channels.values())
    assert 0 < translated_stories <= full_manifest["english"]["counts"]["translation"]
    ambiguous = [it for it in full_manifest["items"] if it.get("english_kind") == "ambiguous"]
    assert sorted((w["source_id"], w["path"]) for w in expected["waiting_review"]) == sorted(
        (it["source_id"], it["path"]) for it in ambiguous
    )
    assert {w["reason"] for w in expected["waiting_review"]} == {"possible_duplicate"}


def test_the_english_section_adds_pages_and_changes_no_vietnamese_one(tmp_path):
    small = dict(scale=0.1, english_ambiguous_share=0.015)
    generate(ScenarioParams(**small), tmp_path / "on")
    generate(ScenarioParams(**small, english=False), tmp_path / "off")
    on, off = tree_digest(tmp_path / "on" / "sites"), tree_digest(tmp_path / "off" / "sites")
    english_list = "baodongnai/english/index.html"  # the section's list page exists either way
    changed = {p for p in off if on.get(p) != off[p]}
    assert changed == {english_list, "baodongnai.routes.json"}
    assert {p for p in on if p not in off} and all(p.startswith("baodongnai/english/") for p in on if p not in off)
    with_en, without = load_manifest(tmp_path / "on"), load_manifest(tmp_path / "off")
    assert vietnamese_items(with_en) == without["items"]
    assert "english" not in without and "english_ambiguous_share" not in without["scenario"]
    assert with_en["expected"]["integrated_by_month"] == without["expected"]["integrated_by_month"]


# -- ids, paths ------------------------------------------------------------------------------------


def test_ids_and_paths(manifest):
    gov = sorted(items_of(manifest, "dongnai_gov"), key=lambda it: (published(it), int(it["native_id"])))
    ids = [int(it["native_id"]) for it in gov]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for it in gov:
        assert re.fullmatch(rf"/vi/news/{it['section']}/[a-z0-9-]+-{it['native_id']}\.html", it["path"])
    for it in items_of(manifest, "dongnai_party"):
        assert re.fullmatch(rf"/news/{it['section']}/[a-z0-9-]+-{it['native_id']}\.html", it["path"])
        assert it["native_id"].isdigit()
    for it in items_of(manifest, "baodongnai"):
        month = it["published_at_local"][:7].replace("-", "")
        assert re.fullmatch(rf"/{it['section']}/{month}/[a-z0-9-]+-{it['native_id']}", it["path"])
        if it["published_at_local"] < "2024":
            assert re.fullmatch(r"\d{7}", it["native_id"])
        else:
            assert re.fullmatch(r"[0-9a-f]{7}", it["native_id"]) and not it["native_id"].isdigit()
    truncated = [it for it in items_of(manifest, "baodongnai") if re.search(r"--[0-9a-f]{7}$", it["path"])]
    assert truncated
    for it in items_of(manifest, "dongnai_gov")[:200]:
        if "eth_title" not in it["quirks"]:
            assert it["path"].rsplit("/", 1)[1].startswith(alias_of(it["title"]) + "-")


def test_gov_legacy_paths(manifest):
    legacy = [it for it in manifest["items"] if it.get("legacy_path")]
    assert legacy and all(it["source_id"] == "dongnai_gov" for it in legacy)
    assert all(it["published_at_local"] < "2024" for it in legacy)
    assert all(re.fullmatch(r"/Pages/newsdetail\.aspx\?NewsId=\d+&CatId=\d+", it["legacy_path"]) for it in legacy)


# -- quirks ------------------------------------------------------------------------------------------


def test_every_quirk_is_present(manifest):
    counts = Counter(q for it in manifest["items"] for q in it["quirks"])
    assert set(counts) == set(QUIRK_ORDER)
    assert 0.01 < counts["eth_title"] / len(items_of(manifest, "dongnai_gov")) < 0.08
    months = {it["published_at_local"][:7] for it in items_with_quirk(manifest, "month_boundary")}
    assert len(months) == 16  # every 1st of the month from March 2023 to June 2024


def test_eth_titles(default_out, manifest):
    items = items_with_quirk(manifest, "eth_title")
    assert all(it["source_id"] == "dongnai_gov" for it in items)
    for it in items[:10]:
        doc = read_doc(default_out, it)
        h1 = doc.select("h1.title")[0].get_text()
        assert nfc(h1).startswith("\u00d0")
        assert nfc(h1).replace("\u00d0", "Đ", 1) == it["title"]
        assert it["title"].startswith("Đ")  # the manifest holds U+0110
        assert it["path"].rsplit("/", 1)[1].startswith("dh")


def test_tone_placement(default_out, manifest):
    items = items_with_quirk(manifest, "tone_old")
    assert 0.05 < len(items) / len(manifest["items"]) < 0.25
    for it in items[:10]:
        doc = read_doc(default_out, it)
        article = doc.select("div#news-bodyhtml, div.article-body")[0]
        text = nfc(article.get_text()) + nfc(it["title"])
        assert has_old_tone(text)
    new_items = [it for it in manifest["items"] if "tone_old" not in it["quirks"]][:50]
    for it in new_items:
        doc = read_doc(default_out, it)
        article = doc.select("div#news-bodyhtml, div.article-body")[0]
        assert not has_old_tone(nfc(article.get_text()))


def test_nfd_body_and_title(default_out, manifest):
    bodies = items_with_quirk(manifest, "nfd_body")
    titles = items_with_quirk(manifest, "nfd_title")
    assert bodies and titles
    for it in bodies[:10]:
        doc = read_doc(default_out, it)
        text = doc.select("div#news-bodyhtml, div.article-body")[0].get_text()
        assert not unicodedata.is_normalized("NFC", text)
    for it in titles[:10]:
        doc = read_doc(default_out, it)
        h1 = doc.select("h1")[0].get_text()
        assert not unicodedata.is_normalized("NFC", h1)
        assert nfc(h1).replace("\u00d0", "Đ", 1) == it["title"]
    plain = [it for it in manifest["items"] if not {"nfd_title", "nfd_body"} & set(it["quirks"])]
    doc = read_doc(default_out, plain[0])
    assert unicodedata.is_normalized("NFC", doc.select("h1")[0].get_text())


def test_legacy_encoding(default_out, manifest):
    items = items_with_quirk(manifest, "legacy_encoding")
    assert items and all(it["section"] == "podcast" for it in items)
    for it in items[:10]:
        data = site_file(default_out, "baodongnai", it["path"]).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        text = nfc(data.decode("cp1258"))
        assert '<meta charset="windows-1258">' in text
        assert f'<h1 class="article-title">{html.escape(it["title"])}</h1>' in text
    listing = (default_out / "sites/baodongnai/podcast/index.html").read_bytes()
    assert "Tin nhanh audio" in nfc(listing.decode("cp1258"))


def test_month_boundary_items(manifest):
    items = items_with_quirk(manifest, "month_boundary")
    per_day = Counter(it["published_at_local"][:10] for it in items)
    assert all(n >= 3 for n in per_day.values())
    assert all(published(it).day == 1 and published(it).hour < 2 for it in items)
    may = [it for it in items if it["published_at_local"] == "2024-05-01T00:30:00+07:00"]
    assert may and may[0]["approvable"]
    counted = {month for month in integrated_by_month(manifest)}
    assert "2024-05" in counted


def test_multi_category(default_out, manifest):
    items = items_with_quirk(manifest, "multi_category")
    assert items and {it["source_id"] for it in items} <= {"dongnai_gov", "dongnai_party"}
    for it in items[:5]:
        other = it["also_listed_in"][0]
        assert other != it["section"]
        alt = it["path"].replace(f"/{it['section']}/", f"/{other}/")
        prefix = it["path"].split(f"/{it['section']}/")[0]
        pages = sorted((default_out / "sites" / it["source_id"] / prefix.lstrip("/") / other).rglob("index.html"))
        assert any(f'href="{alt}"' in p.read_text("utf-8") for p in pages)
        assert not site_file(default_out, it["source_id"], alt).exists()


def test_short_and_repeated_sapo(default_out, manifest):
    short = items_with_quirk(manifest, "short_body")
    assert all(it["reject_reason"] == "too_short" and it["word_count"] < 80 for it in short)
    repeated = items_with_quirk(manifest, "sapo_repeated")
    assert repeated and all(it["source_id"] == "baodongnai" and it["published_at_local"] < "2024" for it in repeated)
    for it in repeated[:5]:
        doc = read_doc(default_out, it)
        sapo = text_of(doc.select("div.article-sapo")[0])
        first = text_of(doc.select("div.article-body > p")[0])
        assert nfc(first) == nfc(sapo)
    later = [it for it in items_of(manifest, "baodongnai") if it["published_at_local"] >= "2024"]
    doc = read_doc(default_out, later[0])
    assert text_of(doc.select("div.article-body > p")[0]) != text_of(doc.select("div.article-sapo")[0])


# -- page details --------------------------------------------------------------------------------


def test_newspaper_text_conventions(default_out, manifest):
    texts = [
        site_file(default_out, "baodongnai", it["path"]).read_bytes().decode("utf-8")
        for it in items_of(manifest, "baodongnai")[:400]
        if "legacy_encoding" not in it["quirks"]
    ]
    joined = "\n".join(texts)
    assert '<div class="article-sapo">(ĐN)- ' in joined
    assert '<div class="article-sapo">(ĐN) – ' in joined
    assert re.search(r"<tr><td>[^<]+\. Ảnh: [^<]+</td></tr>", joined)
    assert '<p class="article-byline">Thực hiện: ' in joined
    assert re.search(r'<p class="article-byline">[^<-]+- [^<]+</p>', joined)  # "Hải Yến- Khánh Lộc"
    assert '"@type": "NewsArticle"' in joined and '"datePublished": "2023-' in joined
    for marker in (
        'class="site-header"',
        'class="reader-comments"',
        'class="related-news"',
        "Hotline: 0915.73.44.73",
        "Thông tin bạn đọc",
    ):
        assert marker in texts[0]


def test_nukeviet_detail_markup(default_out, manifest):
    it = next(it for it in items_of(manifest, "dongnai_gov") if re.search(r"[:/%()]", it["title"]) and not it["quirks"])
    raw = site_file(default_out, "dongnai_gov", it["path"]).read_text("utf-8")
    title_tag = re.search(r"<title>(.*?)</title>", raw).group(1)
    assert re.search(r"&#x3A;|&#x002F;|&#x25;|&#40;", title_tag)
    assert html.unescape(title_tag).startswith(it["title"])
    assert f'<meta property="og:title" content="{html.escape(it["title"])}">' in raw
    local = published(it)
    assert f'content="{local:%Y-%m-%d}+07{local:%H:%M:%S}"' in raw  # malformed published_time
    doc = parse_page(raw.encode())
    visible = doc.select("div.row.margin-bottom-lg span.h5")[0].get_text()
    assert re.fullmatch(r"(Thứ (hai|ba|tư|năm|sáu|bảy)|Chủ nhật) - " + f"{local:%d/%m/%Y %H:%M}", visible)
    hidden = doc.select('span[itemprop="datePublished"]')[0].get_text()
    assert hidden >= it["published_at_local"]  # the edit time, never earlier
    assert doc.select("div.hometext[itemprop=description]")
    assert doc.select("p.h5.text-right strong")[0].get_text() == "Tác giả: "
    for selector in (
        "#form3B",
        ".fb-like",
        ".zalo-share-button",
        "div.panel-body.other-news",
        "ul.list-inline.text-right a.dimgray",
    ):
        assert doc.select(selector), selector
    tail = it["path"][len("/vi/news") :]
    for op in ("savefile", "print", "sendmail"):
        assert f'href="/vi/news/{op}{tail}"' in raw
    # print and sendmail are made by the server from these
    assert site_file(default_out, "dongnai_gov", f"/vi/news/savefile{tail}").is_file()


def test_nukeviet_list_pages(default_out, manifest):
    site = default_out / "sites/dongnai_gov/vi/news"
    first = (site / "kinh-te/index.html").read_text("utf-8")
    doc = parse_page(first.encode())
    entries = doc.select("div.news_column > div.panel.panel-default > div.panel-body")
    assert len(entries) == 20 and "featured" in entries[0].get("class")
    assert entries[0].select("h2 > a[href][title]") and entries[1].select("h3 > a[href][title]")
    stamp = entries[0].select("div.text-muted ul.list-unstyled.list-inline li")[0].get_text()
    assert re.fullmatch(r"\s*\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", stamp)
    assert "Đã xem: " in entries[0].get_text()
    assert 'rel="next"' in first and 'href="/vi/news/kinh-te/page-2/"' in first
    # ≤ 7 pages: the active <li> is closed with <li> (NukeViet's bug)
    small = [p for p in (site / "video-clip").glob("page-*/index.html")]
    assert 0 < len(small) < 7
    assert re.search(
        r'<li class="page-item active"><a class="page-link" href="javascript:void\(0\)">1</a><li>',
        (site / "video-clip/index.html").read_text("utf-8"),
    )


def test_rss_feed(default_out):
    feed = (default_out / "sites/dongnai_gov/vi/news/rss/index.html").read_text("utf-8")
    items = re.findall(r"<item>.*?</item>", feed, re.S)
    assert len(items) == 30
    for item in items:
        date_text = re.search(r"<pubDate>(.*?)</pubDate>", item).group(1)
        m = re.fullmatch(r"\w{3}, (\d{1,2}) (\w{3}) \d{4} \d{2}:(\d{2}):\d{2} GMT", date_text)
        assert m and not m.group(1).startswith("0")
        month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].index(
            m.group(2)
        ) + 1
        assert int(m.group(3)) == month  # minutes field = month number
        assert re.search(r"<guid isPermaLink=\"false\"><!\[CDATA\[ news_\d+ \]\]></guid>", item)


def test_robots_files(default_out):
    for sid, prefix in (("dongnai_gov", "/vi/news"), ("dongnai_party", "/news"), ("baodongnai", "")):
        robots = (default_out / "sites" / sid / "robots.txt").read_text("ascii")
        for route in ("savefile", "print", "sendmail"):
            assert f"Disallow: {prefix}/{route}/" in robots
        assert "Disallow: /admin/" in robots


def test_generation_is_fast_enough(default_out):
    assert GENERATION_SECONDS and GENERATION_SECONDS[0] < 30
