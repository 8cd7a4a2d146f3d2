"""The details layer of dedup: look-alikes stay apart, heavy republications merge.

Pure cases first (hand-written texts, not the replica's, so the thresholds are checked on text
they were not tuned on), then the same cases through the processing stage on a real PostgreSQL,
and the review evidence. Dedup on the heavy-edit replica scenario is measured by bench/bench_dedup.py.
"""

from __future__ import annotations

import pytest
from process_helpers import (
    MAY,
    SEED_PARAS,
    SEED_SAPO,
    SEED_TITLE,
    edge,
    grey_pair,
    local,
    run,
    stage,
    stage_seed,
    story_of,
)

from portal_etl.dedup import DUP_THRESHOLD, REVIEW_THRESHOLD, jaccard_estimate, signature
from portal_etl.dedup.details import compare, extract, verdict
from portal_etl.pipeline.process import review

APRIL_MAY = (local(2024, 4, 1), MAY[1])


def reception_notice(month: int, days: tuple[int, int], received: int) -> tuple[str, str]:
    title = f"Lịch tiếp công dân tháng {month} năm 2024 của Chủ tịch UBND tỉnh"
    body = "\n".join((
        f"Chủ tịch UBND tỉnh Đồng Nai thông báo lịch tiếp công dân định kỳ tháng {month} năm 2024.",
        f"Theo đó, Chủ tịch UBND tỉnh tiếp công dân vào ngày {days[0]}-{month} và ngày {days[1]}-{month} tại "
        "Trụ sở Tiếp công dân tỉnh, số 2 đường Nguyễn Văn Trị, phường Thanh Bình, thành phố Biên Hòa. "
        "Trường hợp trùng ngày nghỉ, lễ thì chuyển sang ngày làm việc liền kề.",
        "Công dân có nhu cầu phản ánh, kiến nghị, khiếu nại, tố cáo đăng ký trước tại Ban Tiếp công dân tỉnh, "
        "mang theo giấy tờ tùy thân và các tài liệu liên quan để được hướng dẫn, bố trí thứ tự tiếp.",
        f"Trong tháng trước, Ban Tiếp công dân tỉnh đã tiếp {received} lượt công dân và hướng dẫn, chuyển đơn "
        "các vụ việc đến cơ quan có thẩm quyền giải quyết theo đúng quy định của pháp luật hiện hành.",
    ))  # fmt: skip
    return title, body


def district_meeting(district: str, secretary: str, figures: tuple[int, int, int], day: int) -> tuple[str, str]:
    title = f"Huyện ủy {district} sơ kết 6 tháng đầu năm công tác xây dựng Đảng"
    body = "\n".join((
        f"Sáng {day}-7, Huyện ủy {district} tổ chức hội nghị sơ kết công tác xây dựng Đảng và hệ thống chính "
        "trị 6 tháng đầu năm, triển khai nhiệm vụ 6 tháng cuối năm 2024.",
        f"Theo báo cáo, 6 tháng đầu năm, Đảng bộ huyện {district} đã kết nạp {figures[0]} đảng viên mới, đạt "
        f"{figures[1]}% kế hoạch; tổng thu ngân sách trên địa bàn ước đạt {figures[2]} tỷ đồng.",
        "Công tác kiểm tra, giám sát được thực hiện nghiêm túc; công tác dân vận và hoạt động của Mặt trận Tổ "
        "quốc, các đoàn thể chính trị - xã hội tiếp tục có nhiều đổi mới, hướng mạnh về cơ sở.",
        f"Phát biểu chỉ đạo, Bí thư Huyện ủy {secretary} đề nghị các cấp ủy, tổ chức đảng tiếp tục đổi mới "
        "phương thức lãnh đạo, nâng cao năng lực lãnh đạo và sức chiến đấu của tổ chức cơ sở đảng.",
    ))  # fmt: skip
    return title, body


def seed_text(paragraphs: list[str], title: str = SEED_TITLE, sapo: str = SEED_SAPO) -> str:
    return "\n".join((title, sapo, *paragraphs))


# --- pure ---------------------------------------------------------------------------------------------


def test_numbers_dates_and_places_are_canonical() -> None:
    found = extract("Ngày 5/4/2024 và sáng 20-1, xã Xuân Bắc (huyện Xuân Lộc) hỗ trợ 1.500 hộ, 1,5 nghìn tỷ đồng")
    assert {"d:5-4", "y:2024", "d:20-1", "p:xuân bắc", "p:xuân lộc", "n:1500", "n:1500000000000"} <= found
    assert extract("hỗ trợ 1.500 hộ") == extract("hỗ trợ 1500 hộ") == extract("hỗ trợ 1,5 nghìn hộ")
    assert extract("công tác xã hội") == frozenset()  # "xã hội" is society, not a commune
    assert "n:25" in extract("nhiệt độ 25-34 độ C") and "n:34" in extract("nhiệt độ 25-34 độ C")


def test_april_and_may_reception_notices_are_vetoed() -> None:
    april, may = reception_notice(4, (10, 25), 118), reception_notice(5, (10, 25), 96)
    minhash = jaccard_estimate(signature(april[0] + "\n" + april[1]), signature(may[0] + "\n" + may[1]))
    assert minhash >= REVIEW_THRESHOLD  # MinHash alone would merge or queue them
    cmp = compare(april[0], april[0] + "\n" + april[1], may[0], may[0] + "\n" + may[1])
    assert cmp.title_only_a == ["m:4"] and cmp.title_only_b == ["m:5"] and cmp.same_headline_template
    assert verdict(cmp) == "distinct"


def test_the_same_meeting_in_two_districts_is_vetoed() -> None:
    a = district_meeting("Xuân Lộc", "Nguyễn Văn Hùng", (112, 93, 845), 9)
    b = district_meeting("Cẩm Mỹ", "Trần Thị Lan", (86, 104, 512), 10)
    cmp = compare(a[0], "\n".join(a), b[0], "\n".join(b))
    assert cmp.conflict and cmp.masked_similarity > cmp.similarity + 0.1
    assert verdict(cmp) == "distinct"


@pytest.mark.parametrize(
    "edited",
    [
        pytest.param(lambda p: p[:1] + p[3:6], id="paragraphs_dropped"),
        pytest.param(lambda p: [p[0], *p[5:], *p[1:5]], id="paragraphs_reordered"),
        pytest.param(lambda p: [*p, "Theo Báo Đồng Nai"], id="theo_bao_dong_nai"),
        pytest.param(lambda p: [*p[:-1], p[-1] + " Tổng kinh phí hơn 1500 triệu đồng."], id="numbers"),
    ],
)
def test_heavy_republications_are_not_vetoed(edited) -> None:
    original = [*SEED_PARAS[:-1], SEED_PARAS[-1] + " Tổng kinh phí hơn 1,5 tỷ đồng."]
    copy = edited(original)
    cmp = compare(SEED_TITLE, seed_text(original), SEED_TITLE, seed_text(copy))
    assert verdict(cmp) in ("agree", "contained")
    minhash = jaccard_estimate(signature(seed_text(original)), signature(seed_text(copy)))
    assert minhash >= DUP_THRESHOLD or verdict(cmp) == "contained"


# --- through the processing stage -------------------------------------------------------------------


def stage_april_and_may_notices(dsn: str) -> tuple[int, int]:
    """The April notice republished late by another channel, two days before May's is published."""
    april, may = reception_notice(4, (10, 25), 118), reception_notice(5, (10, 25), 96)
    a = stage(
        dsn,
        "dongnai_gov",
        "/vi/news/thong-bao/lich-tiep-cong-dan-thang-4-6101.html",
        title=april[0],
        body=april[1].split("\n"),
        published=local(2024, 4, 26, 9),
        section="thoi-su-chinh-tri",
    )
    b = stage(
        dsn,
        "dongnai_party",
        "/news/tin-hoat-dong/lich-tiep-cong-dan-thang-5-301.html",
        title=may[0],
        body=may[1].split("\n"),
        published=local(2024, 4, 28, 15),
        section="tin-hoat-dong",
    )
    return a, b


def stage_district_meetings(dsn: str) -> tuple[int, int]:
    """The same half-year meeting in two districts, a day apart on two channels."""
    xa = district_meeting("Xuân Lộc", "Nguyễn Văn Hùng", (112, 93, 845), 9)
    cm = district_meeting("Cẩm Mỹ", "Trần Thị Lan", (86, 104, 512), 10)
    a = stage(
        dsn,
        "dongnai_party",
        "/news/xay-dung-dang/so-ket-xuan-loc-401.html",
        title=xa[0],
        body=xa[1].split("\n"),
        published=local(2024, 5, 9, 10),
        section="xay-dung-dang",
    )
    b = stage(
        dsn,
        "baodongnai",
        "/chinh-tri/202405/so-ket-cam-my-4a1b2c3",
        title=cm[0],
        body=cm[1].split("\n"),
        published=local(2024, 5, 10, 11),
        section="chinh-tri",
    )
    return a, b


@pytest.mark.parametrize(
    ("stage_pair", "interval", "minhash_would_match"),
    [
        # MinHash alone would merge or queue the notices: the details layer must record its veto
        pytest.param(stage_april_and_may_notices, APRIL_MAY, True, id="april_and_may_notices"),
        pytest.param(stage_district_meetings, MAY, False, id="district_meetings"),
    ],
)
def test_pipeline_keeps_look_alikes_apart_and_out_of_review(
    process_db: str, stage_pair, interval: tuple, minhash_would_match: bool
) -> None:
    a, b = stage_pair(process_db)
    run(process_db, *interval)
    got = edge(process_db, a, b)
    if minhash_would_match:
        reason, sim = got
        assert reason == "distinct_details" and sim >= REVIEW_THRESHOLD
    else:
        assert got is None or got[0] == "distinct_details"
    assert story_of(process_db, a) != story_of(process_db, b)
    assert review.list_queue(dsn=process_db) == []


def test_pipeline_merges_heavy_republications_but_not_the_second_part_of_a_merge(process_db: str) -> None:
    original = stage_seed(process_db)
    other_title, other_body = district_meeting("Trảng Bom", "Lê Văn Nam", (64, 88, 301), 27)
    other = stage(
        process_db,
        "dongnai_party",
        "/news/xay-dung-dang/so-ket-trang-bom-402.html",
        title=other_title,
        body=other_body.split("\n"),
        published=local(2024, 5, 27, 16),
        section="xay-dung-dang",
    )
    # a shortened republication: headline reworded, a third of the paragraphs, the source noted
    shortened = stage(
        process_db,
        "dongnai_gov",
        "/vi/news/thoi-su-chinh-tri/lien-ket-thong-tin-6003.html",
        title="Đồng Nai: " + SEED_TITLE.replace("Tăng cường", "Đẩy mạnh"),
        sapo=SEED_SAPO,
        body=[*SEED_PARAS[:3], "Theo Báo Đồng Nai"],
        published=local(2024, 5, 29, 8),
        section="thoi-su-chinh-tri",
    )
    # two articles merged into one: the seed, then the other story's opening
    merged = stage(
        process_db,
        "dongnai_party",
        "/news/tin-hoat-dong/tong-hop-403.html",
        title=SEED_TITLE + " (tổng hợp)",
        sapo=SEED_SAPO,
        body=[*SEED_PARAS, *other_body.split("\n")[:1]],
        published=local(2024, 5, 29, 9),
        section="tin-hoat-dong",
    )
    run(process_db, *MAY)
    assert story_of(process_db, shortened) == story_of(process_db, original) == story_of(process_db, merged)
    assert story_of(process_db, other) != story_of(process_db, original)
    assert edge(process_db, original, shortened)[0] in ("near_duplicate", "contained_copy")


def test_review_show_gives_the_evidence(process_db: str) -> None:
    early, late = grey_pair(process_db)
    run(process_db, *MAY)
    shown = review.show(late, dsn=process_db)
    evidence = shown["candidates"][0]["evidence"]
    assert shown["candidates"][0]["item_id"] == early
    assert evidence["shared_shingles"] > 20 and len(evidence["shared_shingle_sample"]) == 8
    assert 0 < evidence["headline_similarity"] < 1  # the headline was reworded
    assert 0 < evidence["similarity_exact"] < 1 and 0 < evidence["containment"] <= 1
    for key in ("details_only_this", "details_only_other", "similarity_details_masked", "verdict"):
        assert key in evidence
