"""Near-duplicate detection on real Vietnamese news text (MinHash + LSH band keys).

The seed is a real Báo Đồng Nai article (shared/seed). The other texts are written in the
same templated register — same province, same officials and institutions, same phrasing — to
check that distinct stories on the same topic stay apart.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from portal_etl.dedup.keys import body_shingles
from portal_etl.dedup.minhash import (
    BANDS,
    DUP_THRESHOLD,
    NUM_PERM,
    REVIEW_THRESHOLD,
    ROWS,
    band_keys,
    candidate_probability,
    classify,
    deserialize,
    is_empty,
    jaccard_estimate,
    serialize,
    signature,
)
from portal_etl.normalize.text import strip_dateline, title_key

_SEED_NAME = "bao-dong-nai-2024-05-28.txt"
_SEED_DIRS = [Path(__file__).resolve().parents[2] / "shared" / "seed", Path("/work/shared/seed")]
MASTHEAD_NOISE = {"Báo Đồng Nai điện tử", "En", "Tin xem nhiều"}  # sources.md §2.2

TITLE = "Tăng cường liên kết thông tin về Đồng Nai trên Cổng Thông tin điện tử Đảng Cộng sản Việt Nam"
DROPPED_SENTENCE = (
    "Điều này cần thiết cho một tỉnh như Đồng Nai có nhiều khu công nghiệp nhất cả nước và "
    "nhiều doanh nghiệp nước ngoài đang đầu tư tại tỉnh."
)

# A different story on the same topic: a Party newspaper delegation working with the provincial
# Party committee, with the same officials and the same institutional vocabulary.
DISTINCT_SAME_TOPIC = """Tỉnh ủy Đồng Nai làm việc với Báo Nhân Dân về công tác thông tin tuyên truyền

(ĐN)- Sáng 12-6, đoàn công tác Báo Nhân Dân do đồng chí Lê Quốc Minh, Ủy viên Trung ương Đảng, Tổng biên tập Báo Nhân Dân làm trưởng đoàn đã có buổi làm việc với Tỉnh ủy Đồng Nai về công tác phối hợp thông tin tuyên truyền năm 2024.

Bí thư Tỉnh ủy Nguyễn Hồng Lĩnh chủ trì buổi làm việc. Cùng dự có Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng ban Tuyên giáo Tỉnh ủy Phạm Xuân Hà; lãnh đạo Văn phòng Tỉnh ủy, Sở Thông tin và truyền thông, Báo Đồng Nai và Đài Phát thanh - Truyền hình Đồng Nai.

Báo cáo tại buổi làm việc, lãnh đạo Ban Tuyên giáo Tỉnh ủy cho biết, thời gian qua, công tác phối hợp giữa tỉnh và Báo Nhân Dân được duy trì thường xuyên. Nhiều tin, bài phản ánh kết quả phát triển kinh tế - xã hội, công tác xây dựng Đảng và hệ thống chính trị của tỉnh được đăng tải trên các ấn phẩm của báo, góp phần quảng bá hình ảnh Đồng Nai đến bạn đọc trong và ngoài nước.

Tuy nhiên, việc cung cấp thông tin cho cơ quan thường trú còn chậm, một số sự kiện lớn của tỉnh chưa được phản ánh kịp thời. Ban Tuyên giáo Tỉnh ủy đề nghị Báo Nhân Dân tăng thời lượng tuyên truyền về các công trình trọng điểm như sân bay Long Thành, các tuyến cao tốc và đường vành đai đi qua địa bàn tỉnh.

Phát biểu tại buổi làm việc, Tổng biên tập Báo Nhân Dân Lê Quốc Minh đánh giá cao sự quan tâm của Tỉnh ủy đối với hoạt động của cơ quan thường trú. Đồng chí đề nghị tỉnh tiếp tục tạo điều kiện để phóng viên tiếp cận nguồn tin chính thống, đồng thời hai bên sớm ký kết chương trình phối hợp giai đoạn 2024-2026.

Kết luận buổi làm việc, Bí thư Tỉnh ủy Nguyễn Hồng Lĩnh giao Ban Tuyên giáo Tỉnh ủy chủ trì, phối hợp với Văn phòng Tỉnh ủy xây dựng kế hoạch cụ thể, phân công đầu mối cung cấp thông tin, bảo đảm thông tin về Đồng Nai trên Báo Nhân Dân ngày càng phong phú, kịp thời và chính xác.

Hải Yến
"""  # noqa: E501

# A short "tin" (~160 words) and a second, independently written story of the same kind.
SHORT_TIN = """Đồng Nai khai trương điểm phục vụ hành chính công tại huyện Long Thành

(ĐN)- Sáng 3-4, UBND huyện Long Thành tổ chức khai trương điểm phục vụ hành chính công tại thị trấn Long Thành. Điểm phục vụ tiếp nhận và trả kết quả 215 thủ tục hành chính thuộc thẩm quyền của cấp huyện và cấp xã.

Theo UBND huyện, người dân có thể nộp hồ sơ trực tiếp hoặc trực tuyến qua Cổng dịch vụ công của tỉnh. Cán bộ tại điểm phục vụ sẽ hướng dẫn người dân thực hiện thanh toán trực tuyến phí, lệ phí. Trong tháng đầu hoạt động, huyện bố trí thêm tình nguyện viên đoàn thanh niên hỗ trợ người cao tuổi.

Phó chủ tịch UBND huyện Long Thành cho biết, mô hình giúp giảm thời gian đi lại và chi phí cho người dân, doanh nghiệp, đồng thời nâng cao tính công khai, minh bạch trong giải quyết thủ tục hành chính.

Kim Liễu
"""  # noqa: E501

SAME_KIND_OTHER_STORY = """Nhơn Trạch đưa vào hoạt động điểm phục vụ hành chính công thứ hai

(ĐN)- Chiều 17-4, UBND huyện Nhơn Trạch tổ chức lễ đưa vào hoạt động điểm phục vụ hành chính công tại xã Phước Thiền. Đây là điểm thứ hai của huyện, tiếp nhận 180 thủ tục hành chính thuộc thẩm quyền giải quyết của cấp huyện và cấp xã.

Theo lãnh đạo UBND huyện, người dân, doanh nghiệp có thể nộp hồ sơ trực tiếp tại điểm phục vụ hoặc nộp trực tuyến qua Cổng dịch vụ công của tỉnh. Điểm phục vụ được trang bị máy tính, máy quét tài liệu và màn hình tra cứu tình trạng hồ sơ.

Chủ tịch UBND huyện Nhơn Trạch cho biết, việc mở thêm điểm phục vụ giúp người dân các xã phía Bắc huyện không phải đi xa, đồng thời góp phần nâng cao chỉ số hài lòng của người dân đối với sự phục vụ của cơ quan hành chính nhà nước.

Hoàng Lộc
"""  # noqa: E501


def _seed_text() -> str:
    for d in _SEED_DIRS:
        if (d / _SEED_NAME).is_file():
            return (d / _SEED_NAME).read_text(encoding="utf-8")
    pytest.fail(f"seed article {_SEED_NAME} not found in {_SEED_DIRS}")


@pytest.fixture(scope="module")
def seed() -> str:
    """The seed article as an adapter would hand it over: masthead/teaser noise removed."""
    lines = [ln for ln in _seed_text().splitlines() if ln.strip() not in MASTHEAD_NOISE]
    text = "\n".join(lines).replace("Tin xem nhiều", "")
    assert TITLE in text and DROPPED_SENTENCE in text
    return text


@pytest.fixture(scope="module")
def edited_copy(seed: str) -> str:
    """Republished copy: one sentence dropped, title punctuation changed, tone placement
    changed (ủy→uỷ, the new style), dateline agency changed."""
    text = seed.replace(DROPPED_SENTENCE, "")
    text = text.replace(
        TITLE,
        "Tăng cường liên kết thông tin về Đồng Nai – trên “Cổng Thông tin điện tử Đảng Cộng sản Việt Nam”!",
    )
    text = text.replace("ủy", "uỷ").replace("Ủy", "Uỷ").replace("(ĐN)- ", "(ĐCSVN) - ")
    assert text.count("uỷ") > 10 and "ủy" not in text
    return text


def sim(a: str, b: str) -> float:
    return jaccard_estimate(signature(a), signature(b))


def exact_jaccard(a: str, b: str) -> float:
    sa, sb = body_shingles(a), body_shingles(b)
    return len(sa & sb) / len(sa | sb)


def test_edited_copy_is_duplicate(seed, edited_copy):
    s = sim(seed, edited_copy)
    assert classify(s) == "duplicate", s
    assert s >= 0.9
    assert abs(s - exact_jaccard(seed, edited_copy)) < 0.05
    # the title variants share one title key as well
    assert title_key(TITLE) == title_key(
        "Tăng cường liên kết thông tin về Đồng Nai – trên “Cổng Thông tin điện tử Đảng Cộng sản Việt Nam”!"
    )


def test_national_portal_republication_is_duplicate(seed):
    # (ĐCSVN) dateline, each photo caption once instead of twice, a source line appended
    lines = seed.replace("(ĐN)- ", "(ĐCSVN) - ").split("\n")
    republished = "\n".join(dict.fromkeys(lines)) + "\nTheo Báo Đồng Nai"
    assert classify(sim(seed, republished)) == "duplicate"


def test_title_reworded_and_sentences_changed_is_duplicate(seed, edited_copy):
    rewritten = (
        edited_copy.replace(
            "Tăng cường liên kết thông tin về Đồng Nai – trên “Cổng Thông tin điện tử Đảng Cộng sản Việt Nam”!",
            "Báo điện tử Đảng Cộng sản Việt Nam làm việc với Tỉnh uỷ Đồng Nai",
        ).replace("Phó bí thư Thường trực Tỉnh uỷ Hồ Thanh Sơn chủ trì buổi làm việc.", "")
        + "\nBuổi làm việc diễn ra trong không khí cởi mở, thẳng thắn."
    )
    assert classify(sim(seed, rewritten)) == "duplicate"


def test_short_tin_with_small_edits_is_duplicate():
    dropped = SHORT_TIN.replace(
        "Trong tháng đầu hoạt động, huyện bố trí thêm tình nguyện viên đoàn thanh niên hỗ trợ người cao tuổi.",
        "",
    )
    retitled = dropped.replace(
        "Đồng Nai khai trương điểm phục vụ hành chính công tại huyện Long Thành",
        "Long Thành: Khai trương điểm phục vụ hành chính công",
    )
    assert classify(sim(SHORT_TIN, dropped)) == "duplicate"
    assert classify(sim(SHORT_TIN, retitled)) == "duplicate"


def test_heavy_cut_goes_to_review_or_duplicate(seed):
    paragraphs = [p for p in seed.split("\n\n") if p.strip()]
    cut = "\n\n".join(paragraphs[:6] + paragraphs[9:])  # 3 of 13 paragraphs dropped
    assert classify(sim(seed, cut)) in ("duplicate", "review")


def test_different_article_same_topic_is_distinct(seed):
    s = sim(seed, DISTINCT_SAME_TOPIC)
    assert classify(s) == "distinct", s
    assert s < 0.15
    assert exact_jaccard(seed, DISTINCT_SAME_TOPIC) < 0.15


def test_same_kind_other_story_is_distinct():
    s = sim(SHORT_TIN, SAME_KIND_OTHER_STORY)
    assert classify(s) == "distinct", s
    assert s < 0.15


def test_template_with_only_names_swapped_needs_review():
    # machine-templated items that differ only in names, numbers and dates are neither
    # clearly the same story nor clearly different: a person decides
    swapped = (
        SHORT_TIN.replace("Long Thành", "Nhơn Trạch")
        .replace("215", "198")
        .replace("3-4", "10-4")
        .replace("Kim Liễu", "Hoàng Lộc")
    )
    assert classify(sim(SHORT_TIN, swapped)) == "review"


def test_unrelated_short_and_long_texts(seed):
    assert sim(seed, SHORT_TIN) < 0.05


def test_normalisation_invariance(seed):
    import unicodedata

    variants = [
        unicodedata.normalize("NFD", seed),
        seed.upper(),
        seed.replace("Đ", "\u00d0"),
        seed.replace(" - ", " – "),
    ]
    sig = signature(seed)
    for v in variants:
        assert np.array_equal(signature(v), sig)
    # the dateline does not count
    agency, rest = strip_dateline("(ĐN)- Chiều 28-5, đoàn công tác")
    assert agency == "ĐN"
    assert np.array_equal(signature(rest), signature("(ĐCSVN) – Chiều 28-5, đoàn công tác"))


def test_signature_shape_dtype_and_frozen_value():
    sig = signature(_seed_text())  # the raw seed file
    assert sig.shape == (NUM_PERM,) and sig.dtype == np.uint32
    # frozen: signatures are stored, a change here needs SIGNATURE_VERSION + recomputation
    digest = hashlib.blake2b(serialize(sig), digest_size=16).hexdigest()
    assert digest == "726cd289e7e659ff4cbc3250a2a1d4b1"
    assert signature("Đồng Nai")[:4].tolist() == [189051315, 3775759238, 1017758134, 540232026]


def test_signature_deterministic_across_processes(seed):
    code = (
        "import sys; from portal_etl.dedup.minhash import signature, serialize; "
        "sys.stdout.write(serialize(signature(sys.stdin.read())).hex())"
    )
    plugins = str(Path(__file__).resolve().parents[1] / "plugins")
    outs = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": plugins}
        proc = subprocess.run(
            [sys.executable, "-c", code], input=seed, capture_output=True, text=True, env=env,
            check=True, encoding="utf-8",
        )  # fmt: skip
        outs.add(proc.stdout)
    assert outs == {serialize(signature(seed)).hex()}


def test_empty_text():
    empty = signature("")
    assert is_empty(empty) and is_empty(signature(" – ! "))
    assert not is_empty(signature("Đồng Nai"))
    assert jaccard_estimate(empty, empty) == 0.0
    assert band_keys(empty) == []
    assert classify(jaccard_estimate(empty, signature("x"))) == "distinct"


def test_short_text_single_shingle():
    assert jaccard_estimate(signature("Đồng Nai"), signature("ĐỒNG NAI!")) == 1.0
    assert jaccard_estimate(signature("Đồng Nai"), signature("Bình Phước")) < 0.05


def test_serialize_roundtrip(seed):
    sig = signature(seed)
    data = serialize(sig)
    assert isinstance(data, bytes) and len(data) == 3 + 4 * NUM_PERM
    back = deserialize(memoryview(data))  # psycopg2 returns bytea as memoryview
    assert back.dtype == np.uint32 and np.array_equal(back, sig)
    with pytest.raises(ValueError):
        deserialize(b"XX\x01" + data[3:])
    with pytest.raises(ValueError):
        deserialize(data[:2] + b"\x09" + data[3:])
    with pytest.raises(ValueError):
        deserialize(data[:-1])


def test_jaccard_estimate_shape_mismatch():
    with pytest.raises(ValueError):
        jaccard_estimate(signature("a"), signature("a")[:64])


def test_band_keys_format_and_candidates(seed, edited_copy):
    keys = band_keys(signature(seed))
    assert len(keys) == BANDS
    assert all(-(1 << 63) <= k < 1 << 63 for k in keys)  # fits a bigint
    assert [(k % (1 << 64)) >> 58 for k in keys] == list(range(BANDS))  # band number in the top bits
    assert band_keys(signature(seed)) == keys  # stable
    shared = set(keys) & set(band_keys(signature(edited_copy)))
    assert len(shared) >= BANDS // 2
    assert not set(keys) & set(band_keys(signature(DISTINCT_SAME_TOPIC)))
    assert not set(keys) & set(band_keys(signature(SHORT_TIN)))
    with pytest.raises(ValueError):
        band_keys(signature(seed), bands=64, rows=3)


def test_lsh_parameters_meet_recall_target():
    assert BANDS * ROWS <= NUM_PERM
    assert candidate_probability(REVIEW_THRESHOLD) > 0.99
    assert candidate_probability(DUP_THRESHOLD) > 0.999999
    assert candidate_probability(0.05) < 0.01  # unrelated pairs rarely become candidates


def test_lsh_recall_empirically_at_review_threshold():
    # 200 pairs of unigram sets with Jaccard exactly 0.5 (100 shared of 200 distinct tokens)
    hits, estimates = 0, []
    for i in range(200):
        a = " ".join(f"w{i}x{j}" for j in range(0, 150))
        b = " ".join(f"w{i}x{j}" for j in range(50, 200))
        sa, sb = signature(a, k=1), signature(b, k=1)
        estimates.append(jaccard_estimate(sa, sb))
        hits += bool(set(band_keys(sa)) & set(band_keys(sb)))
    assert abs(float(np.mean(estimates)) - 0.5) < 0.02  # unbiased estimator
    assert hits / 200 >= 0.97  # expected 0.9964


def test_classify_boundaries():
    assert classify(1.0) == "duplicate"
    assert classify(DUP_THRESHOLD) == "duplicate"
    assert classify(DUP_THRESHOLD - 1e-9) == "review"
    assert classify(REVIEW_THRESHOLD) == "review"
    assert classify(REVIEW_THRESHOLD - 1e-9) == "distinct"
    assert classify(0.0) == "distinct"
    assert classify(0.6, dup_threshold=0.9, review_threshold=0.3) == "review"
    with pytest.raises(ValueError):
        classify(0.5, dup_threshold=0.4, review_threshold=0.6)


def test_signature_throughput(seed):
    """Prints the rate; never asserts on time (machines differ)."""
    text = " ".join(seed.split()[:600])  # ~600-word article, the target size
    docs = [f"{text} {i}" for i in range(300)]
    start = time.perf_counter()
    for d in docs:
        signature(d)
    rate = len(docs) / (time.perf_counter() - start)
    print(f"\nsignature(): {rate:.0f} documents/s for 600-word texts")


def test_the_band_table_declares_bands_per_item_to_the_planner(pipeline_dsn: str) -> None:
    """sql/023: ANALYZE's sample cannot see that each item has BANDS rows; the declared share must
    follow the code's BANDS, or the look-up's plan flips to a sequential scan at scale."""
    import psycopg2

    from portal_etl.dedup.minhash import BANDS

    conn = psycopg2.connect(pipeline_dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT attoptions FROM pg_attribute WHERE attrelid = 'process.lsh_band'::regclass"
                " AND attname = 'item_id'"
            )
            options = dict(o.split("=", 1) for o in cur.fetchone()[0] or [])
    finally:
        conn.close()
    assert float(options["n_distinct"]) == pytest.approx(-1 / BANDS, abs=5e-5)
