"""Exact dedup keys: URL, native id, title + local publish day, lead, body shingles."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest

from portal_etl.dedup.keys import (
    LEAD_MIN_WORDS,
    body_shingles,
    lead_key,
    native_key,
    shingle_words,
    title_day_key,
    url_key,
)

HEX32 = re.compile(r"^[0-9a-f]{32}$")
ICT = timezone(timedelta(hours=7))
TITLE = "Tăng cường liên kết thông tin về Đồng Nai trên Cổng Thông tin điện tử Đảng Cộng sản Việt Nam"
PUBLISHED = datetime(2024, 5, 28, 20, 13, tzinfo=ICT)  # "20:13, 28/05/2024" on baodongnai


def test_keys_are_short_stable_hex():
    k = url_key("https://dongnai.gov.vn/vi/news/thoi-su/a-1.html")
    assert HEX32.match(k)
    # frozen values: these keys are stored in PostgreSQL, a change here is a migration
    assert k == url_key("https://dongnai.gov.vn/vi/news/thoi-su/a-1.html")
    assert HEX32.match(native_key("dongnai_gov_vi", "379"))
    assert HEX32.match(title_day_key("baodongnai", TITLE, PUBLISHED))


def test_key_values_are_frozen():
    expected = hashlib.blake2b(b"url\x1fhttps://dongnai.gov.vn/vi/news/thoi-su/a-1.html", digest_size=16).hexdigest()
    assert url_key("https://dongnai.gov.vn/vi/news/thoi-su/a-1.html") == expected


def test_url_key_equal_for_url_variants():
    canonical = "https://dongnai.gov.vn/en/news/Economic-Data-Social/ten-bai-4043.html"
    variants = [
        "https://dongnai.gov.vn/en/news/savefile/Economic-Data-Social/ten-bai-4043.html",
        "https://dongnai.gov.vn/en/news/print/Economic-Data-Social/ten-bai-4043.html#x",
        "HTTPS://DONGNAI.GOV.VN:443/en/news/Economic-Data-Social/ten-bai-4043.html?utm_source=zalo",
    ]
    assert {url_key(v) for v in variants} == {url_key(canonical)}
    assert url_key(canonical) != url_key(canonical.replace("/en/", "/vi/"))


def test_native_key_scoped_by_source():
    assert native_key("dongnai_gov_vi", "379") == native_key(" dongnai_gov_vi ", 379)
    assert native_key("dongnai_gov_vi", "379") != native_key("dongnai_gov_en", "379")
    with pytest.raises(ValueError):
        native_key("dongnai_gov_vi", "")


def test_layers_never_collide():
    # same raw text in two layers gives different keys (namespaced)
    assert native_key("s", "x") != title_day_key("s", "x", PUBLISHED)


def test_title_day_key_normalises_title():
    variants = [
        TITLE,
        unicodedata.normalize("NFD", TITLE),
        TITLE.upper(),
        "  " + TITLE + "!",
        "“" + TITLE + "”",
        TITLE.replace("Đồng", "\u00d0ồng"),
    ]
    assert len({title_day_key("baodongnai", t, PUBLISHED) for t in variants}) == 1
    assert title_day_key("baodongnai", "Hòa bình", PUBLISHED) == title_day_key("baodongnai", "Hoà bình", PUBLISHED)


def test_title_day_key_uses_local_day():
    # 23:30 UTC on 27 May is 06:30 on 28 May in Đồng Nai
    utc_late = datetime(2024, 5, 27, 23, 30, tzinfo=UTC)
    assert title_day_key("s", TITLE, utc_late) == title_day_key("s", TITLE, PUBLISHED)
    # 16:59 UTC on 28 May is 23:59 local (same day), 17:00 UTC is the 29th
    assert title_day_key("s", TITLE, datetime(2024, 5, 28, 16, 59, tzinfo=UTC)) == (
        title_day_key("s", TITLE, PUBLISHED)
    )
    assert title_day_key("s", TITLE, datetime(2024, 5, 28, 17, 0, tzinfo=UTC)) != (title_day_key("s", TITLE, PUBLISHED))
    # an explicit timezone changes the day boundary
    assert title_day_key("s", TITLE, utc_late, tz="UTC") != title_day_key("s", TITLE, PUBLISHED)


def test_title_day_key_separates_sources_and_days():
    assert title_day_key("a", TITLE, PUBLISHED) != title_day_key("b", TITLE, PUBLISHED)
    assert title_day_key("a", TITLE, PUBLISHED) != title_day_key("a", TITLE, PUBLISHED + timedelta(days=1))


def test_title_day_key_rejects_naive_and_empty():
    with pytest.raises(ValueError):
        title_day_key("s", TITLE, datetime(2024, 5, 28, 20, 13))
    with pytest.raises(ValueError):
        title_day_key("s", " – !", PUBLISHED)


LEAD = (
    "(ĐN)- Chiều 28-5, đoàn công tác Báo điện tử Đảng Cộng sản Việt Nam đã có buổi làm việc với Tỉnh ủy "
    "về công tác tích hợp thông tin về tỉnh Đồng Nai."
)


def test_lead_key_folds_dateline_tone_case_and_punctuation():
    variants = [
        LEAD,
        LEAD.replace("(ĐN)- ", ""),
        LEAD.replace("(ĐN)- ", "(ĐCSVN) – ").replace("Tỉnh ủy", "Tỉnh uỷ"),
        unicodedata.normalize("NFD", LEAD.upper()).rstrip("."),
    ]
    keys = {lead_key(v) for v in variants}
    assert len(keys) == 1 and HEX32.match(keys.pop())
    assert lead_key(LEAD) != lead_key(LEAD.replace("28-5", "29-5"))
    assert lead_key(LEAD) != title_day_key("s", LEAD, PUBLISHED)  # namespaced


def test_lead_key_none_for_short_leads():
    assert lead_key(None) is None and lead_key("") is None and lead_key("(ĐN)- ") is None
    short = " ".join(["tin"] * (LEAD_MIN_WORDS - 1))
    assert lead_key(short) is None
    assert lead_key(short + " mới") is not None


def test_body_shingles():
    assert body_shingles("") == set()
    assert body_shingles("Một hai ba") == {"một hai ba"}
    assert body_shingles("a b c d e f", k=5) == {"a b c d e", "b c d e f"}
    with pytest.raises(ValueError):
        body_shingles("a", k=0)


def test_body_shingles_normalised_and_dateline_free():
    nd = "(ĐN)- Chiều 28-5, đoàn công tác Báo điện tử Đảng Cộng sản Việt Nam làm việc với Tỉnh ủy."
    cp = unicodedata.normalize(
        "NFD", "(ĐCSVN) – Chiều 28-5, đoàn công tác Báo điện tử Đảng Cộng sản Việt Nam làm việc với Tỉnh uỷ"
    )
    assert body_shingles(nd) == body_shingles(cp)
    assert shingle_words(nd)[:3] == ["chiều", "28", "5"]
    # datelines are removed at the start of any line (sapo repeated as first body paragraph)
    assert shingle_words("Tiêu đề\n\n(ĐN) - Sáng nay") == ["tiêu", "đề", "sáng", "nay"]
