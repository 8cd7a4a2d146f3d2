"""Vietnamese text normalisation: display cleaning and comparison keys (sources.md §1.1, §5)."""

from __future__ import annotations

import unicodedata

import pytest

from portal_etl.normalize.text import (
    DASH_VARIANTS,
    QUOTE_VARIANTS,
    clean_text,
    comparison_key,
    comparison_words,
    fix_eth,
    nfc,
    strip_dateline,
    title_key,
    tone_key,
)

# Real NukeViet title with U+00D0 (sources.md §1.1: slug "dhong-nai-co-them-…").
ETH_TITLE = "\u00d0\u1ed3ng Nai c\u00f3 th\u00eam"
SEED_TITLE = "Tăng cường liên kết thông tin về Đồng Nai trên Cổng Thông tin điện tử Đảng Cộng sản Việt Nam"


def test_nfc_composes_decomposed_vietnamese():
    decomposed = unicodedata.normalize("NFD", "Tỉnh ủy Đồng Nai")
    assert decomposed != "Tỉnh ủy Đồng Nai"
    assert nfc(decomposed) == "Tỉnh ủy Đồng Nai"


def test_fix_eth_maps_both_cases():
    assert fix_eth(ETH_TITLE) == "Đồng Nai có thêm"
    assert fix_eth("\u00f0\u01b0\u1eddng") == "đường"
    assert fix_eth("Đồng") == "Đồng"  # the real letter is untouched


def test_clean_text_unescapes_meta_entities_once():
    # og:site_name / <title> quirk: "&#x3A;", "&#40;" … (sources.md §1.1)
    assert clean_text("DongNai&#x3A; Web portal") == "DongNai: Web portal"
    assert (
        clean_text("People’s Council &#40;7th Term&#41;&#x3A; 20 &#x25; &#x002F;")
        == "People’s Council (7th Term): 20 % /"
    )
    # once only: a double-escaped payload stays text
    assert clean_text("&amp;lt;script&amp;gt;") == "&lt;script&gt;"
    assert clean_text("&lt;b&gt;", unescape=False) == "&lt;b&gt;"


def test_clean_text_removes_invisibles_and_fixes_eth_and_nfc():
    raw = "\ufeff" + unicodedata.normalize("NFD", ETH_TITLE) + "\u200b \u202ethêm\u202c\u2060 x\u2067y\u2069"
    assert clean_text(raw) == "Đồng Nai có thêm thêm xy"


def test_clean_text_whitespace_and_paragraphs():
    raw = "  Dòng một\u00a0\u00a0tiếp\n  theo \r\n\r\n\n  Đoạn hai\t\tcuối  \n\n\n"
    assert clean_text(raw) == "Dòng một tiếp theo Đoạn hai cuối"
    assert clean_text(raw, paragraphs=True) == "Dòng một tiếp theo\n\nĐoạn hai cuối"
    assert clean_text(None) == ""
    assert clean_text("") == ""


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hòa", "hoà"),
        ("Hòa bình", "Hoà bình"),
        ("thủy", "thuỷ"),
        ("Thủy lợi", "Thuỷ lợi"),
        ("khỏe", "khoẻ"),
        ("hóa", "hoá"),
        ("lòa", "loà"),
        ("tùy", "tuỳ"),
        ("lũy", "luỹ"),
        ("xòe", "xoè"),
        ("THỦY ĐIỆN", "THUỶ ĐIỆN"),
        ("ÒA", "OÀ"),
        ("Hóa-Chất", "Hoá-Chất"),
    ],
)
def test_tone_key_old_style_to_new_style(old, new):
    assert tone_key(old) == new
    assert tone_key(new) == new  # already canonical


@pytest.mark.parametrize(
    "word",
    # qu+y: tone on y in both styles; quý/quỳ are different words and must stay apart.
    # Final consonant / third vowel: both styles agree. ua/ia/ưa: first vowel is the nucleus.
    ["quý", "quỳ", "quỹ", "hoàng", "toán", "khuyết", "hoài", "ngoáy", "mùa", "của", "kìa",
     "mưa", "thúy1", "ngoòa"],
)  # fmt: skip
def test_tone_key_leaves_non_variants_alone(word):
    assert tone_key(word) == word


def test_tone_key_keeps_quy_and_quy_grave_distinct():
    assert comparison_key("quý") != comparison_key("quỳ")
    assert comparison_key("qúy") == comparison_key("quý")  # misplaced mark on the qu-glide


def test_comparison_key_folds_case_tone_dashes_quotes_punctuation():
    assert comparison_key("Kinh tế - xã hội") == "kinh tế xã hội"
    for dash in DASH_VARIANTS:
        assert comparison_key(f"Kinh tế {dash} xã hội") == "kinh tế xã hội", repr(dash)
        assert comparison_key(f"Kinh tế{dash}xã hội") == "kinh tế xã hội", repr(dash)
    for quote in QUOTE_VARIANTS:
        assert comparison_key(f"{quote}Đồng Nai{quote}") == "đồng nai", repr(quote)
    assert comparison_key("“Đồng Nai” – Hòa   bình!!! (2024)") == "đồng nai hoà bình 2024"
    assert comparison_key("snake_case&amp;x") == "snake case x"
    assert comparison_words("Đà Nẵng, 2.555 tin") == ["đà", "nẵng", "2", "555", "tin"]


def test_nfd_and_nfc_give_equal_keys():
    assert title_key(unicodedata.normalize("NFD", SEED_TITLE)) == title_key(SEED_TITLE)
    # NFD + old tone placement + upper case all at once
    nfd_old = unicodedata.normalize("NFD", "CÔNG TÁC HÒA GIẢI Ở THỦY PHÚ")
    assert title_key(nfd_old) == title_key("Công tác hoà giải ở Thuỷ Phú")


def test_eth_and_real_d_give_equal_keys():
    assert title_key(ETH_TITLE) == title_key("Đồng Nai có thêm")
    assert title_key(ETH_TITLE.lower()) == title_key("đồng nai có thêm")


def test_hoa_variants_give_equal_keys():
    assert title_key("Hòa Bình") == title_key("Hoà Bình")
    assert title_key("sức khỏe cộng đồng") == title_key("sức khoẻ cộng đồng")
    assert title_key("Thủy lợi, hóa chất") == title_key("Thuỷ lợi – hoá chất")


def test_title_key_ignores_entity_escaping_and_invisibles():
    escaped = "People’s Council &#40;7th Term&#41;&#x3A; 20 days"
    assert title_key(escaped) == title_key("People's Council (7th Term): 20 days")
    assert title_key("Đồng\u200bNai") == title_key("ĐồngNai")  # ZWSP joins, does not split


@pytest.mark.parametrize(
    ("sapo", "agency"),
    [
        ("(ĐN)- Chiều 28-5, đoàn công tác", "ĐN"),
        ("(ĐN) – Chiều 28-5, đoàn công tác", "ĐN"),
        ("(ĐN) - Chiều 28-5, đoàn công tác", "ĐN"),
        ("(ĐN)-Chiều 28-5, đoàn công tác", "ĐN"),
        ("(ĐN)—Chiều 28-5, đoàn công tác", "ĐN"),
        ("(ĐN)\u00a0–\u00a0Chiều 28-5, đoàn công tác", "ĐN"),
        ("(ĐCSVN) - Chiều 28-5, đoàn công tác", "ĐCSVN"),
        ("(ĐCSVN)-Chiều 28-5, đoàn công tác", "ĐCSVN"),
        ("  (ĐCSVN) -  Chiều 28-5, đoàn công tác", "ĐCSVN"),
        ("(\u00d0N) - Chiều 28-5, đoàn công tác", "ĐN"),  # eth look-alike in the prefix
        ("(TTXVN) ‒ Chiều 28-5, đoàn công tác", "TTXVN"),
        ("(Chinhphu.vn) - Chiều 28-5, đoàn công tác", "Chinhphu.vn"),
    ],
)
def test_strip_dateline_variants(sapo, agency):
    assert strip_dateline(sapo) == (agency, "Chiều 28-5, đoàn công tác")


def test_strip_dateline_nfd_prefix():
    prefix, rest = strip_dateline(unicodedata.normalize("NFD", "(ĐCSVN) – Sáng nay"))
    assert prefix == "ĐCSVN"
    assert nfc(rest) == "Sáng nay"


@pytest.mark.parametrize(
    "sapo",
    [
        "Chiều 28-5 (ĐN) - đoàn công tác",  # not at the start
        "(ảnh minh hoạ) - đoàn công tác",  # lower-case: not an agency
        "(ĐN) Chiều 28-5",  # no dash after the parenthesis
        "Kinh tế - xã hội",
        "",
    ],
)
def test_strip_dateline_leaves_other_text(sapo):
    assert strip_dateline(sapo) == (None, sapo)


def test_strip_dateline_none():
    assert strip_dateline(None) == (None, "")


def test_keys_equal_after_dateline_stripped():
    nd = strip_dateline("(ĐN)- Chiều 28-5, đoàn công tác Báo điện tử")[1]
    cp = strip_dateline("(ĐCSVN) – Chiều 28-5, đoàn công tác Báo điện tử")[1]
    assert comparison_key(nd) == comparison_key(cp)
