"""Article URL canonicalisation and native ids (sources.md §0, §1.2, §2.1, §4.2)."""

from __future__ import annotations

import pytest

from portal_etl.normalize.urls import (
    TRACKING_PARAMS,
    canonicalize_url,
    legacy_dongnai_gov_id,
    nukeviet_id,
)

ARTICLE_EN = (
    "https://dongnai.gov.vn/en/news/Socio-Economic-information/many-options-focused-to-ensure-economic-growth-4043.html"
)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        # the stored savefile page (sources.md §1.1) → the article it duplicates
        (
            "https://dongnai.gov.vn/en/news/savefile/Socio-Economic-information/"
            "many-options-focused-to-ensure-economic-growth-4043.html",
            ARTICLE_EN,
        ),
        (
            "https://dongnai.gov.vn/en/news/print/Socio-Economic-information/"
            "many-options-focused-to-ensure-economic-growth-4043.html",
            ARTICLE_EN,
        ),
        (
            "https://dongnai.gov.vn/en/news/sendmail/Socio-Economic-information/"
            "many-options-focused-to-ensure-economic-growth-4043.html",
            ARTICLE_EN,
        ),
        # without the language segment (single-language site, §1.2)
        (
            "https://tinhuybinhphuoc.vn/news/savefile/xay-dung-dang/hoi-nghi-so-ket-379.html",
            "https://tinhuybinhphuoc.vn/news/xay-dung-dang/hoi-nghi-so-ket-379.html",
        ),
        (
            "https://longthanh.dongnai.gov.vn/vi/news/print/hoat-dong-chinh-quyen-nha-nuoc/dhong-nai-co-them-379.html",
            "https://longthanh.dongnai.gov.vn/vi/news/hoat-dong-chinh-quyen-nha-nuoc/dhong-nai-co-them-379.html",
        ),
        # case of scheme/host, default port, fragment
        (
            "HTTPS://DongNai.Gov.VN:443/en/news/Socio-Economic-information/"
            "many-options-focused-to-ensure-economic-growth-4043.html#comment",
            ARTICLE_EN,
        ),
        ("http://STTTT.dongnai.gov.vn:80/", "http://stttt.dongnai.gov.vn/"),
        ("https://dongnai.gov.vn:8443/vi/news/", "https://dongnai.gov.vn:8443/vi/news"),
        # Zalo / Facebook / Google tracking parameters, remaining query sorted
        (
            "https://baodongnai.com.vn/chinh-tri/202405/tang-cuong-lien-ket-3f1391d"
            "?zarsrc=30&utm_source=zalo&utm_medium=zalo&utm_campaign=zalo&gidzl=AbC-1",
            "https://baodongnai.com.vn/chinh-tri/202405/tang-cuong-lien-ket-3f1391d",
        ),
        (
            "https://dangcongsan.vn/tieu-diem/bai-634415.html?fbclid=IwAR0xyz&gclid=abc&UTM_Term=x",
            "https://dangcongsan.vn/tieu-diem/bai-634415.html",
        ),
        (
            "http://stttt.dongnai.gov.vn/Pages/newsdetail.aspx?NewsId=9678&CatId=21&fbclid=1",
            "http://stttt.dongnai.gov.vn/Pages/newsdetail.aspx?CatId=21&NewsId=9678",
        ),
        # duplicate slashes, trailing slash, dot segments
        (
            "https://baodongnai.com.vn//chinh-tri//202405/bai-viet-3f1391d/",
            "https://baodongnai.com.vn/chinh-tri/202405/bai-viet-3f1391d",
        ),
        ("https://baodongnai.com.vn/a/./b/../c", "https://baodongnai.com.vn/a/c"),
        ("https://baodongnai.com.vn", "https://baodongnai.com.vn/"),
        ("https://baodongnai.com.vn/", "https://baodongnai.com.vn/"),
        # percent-encoding: unreserved decoded, hex upper-cased, + in query → %20
        ("https://x.vn/%7Euser/%61bc?q=a+b", "https://x.vn/~user/abc?q=a%20b"),
        ("https://x.vn/a?b=1&a=2&a=1", "https://x.vn/a?a=1&a=2&b=1"),
        ("https://x.vn/a%2Fb/c", "https://x.vn/a%2Fb/c"),  # an encoded slash stays encoded
    ],
)
def test_canonicalize_url(raw, canonical):
    assert canonicalize_url(raw) == canonical
    assert canonicalize_url(canonical) == canonical  # idempotent


def test_vietnamese_tag_path_raw_and_percent_encoded_agree():
    # tag aliases keep diacritics (sources.md §1.2, tinhuybinhphuoc.vn)
    expected = "https://tinhuybinhphuoc.vn/news/tag/x%C3%A2y-d%E1%BB%B1ng/page-8"
    assert canonicalize_url("https://tinhuybinhphuoc.vn/news/tag/x%C3%A2y-d%E1%BB%B1ng/page-8") == (expected)
    assert canonicalize_url("https://tinhuybinhphuoc.vn/news/tag/x%c3%a2y-d%e1%bb%b1ng/page-8") == (expected)
    assert canonicalize_url("https://tinhuybinhphuoc.vn/news/tag/xây-dựng/page-8") == expected
    assert canonicalize_url("https://tinhuybinhphuoc.vn/news/tag/xây-dựng/page-8/") == expected


def test_vietnamese_query_value_encoded_consistently():
    a = canonicalize_url("https://x.vn/tim-kiem?q=xây dựng&utm_source=fb")
    b = canonicalize_url("https://x.vn/tim-kiem?q=x%C3%A2y+d%E1%BB%B1ng")
    assert a == b == "https://x.vn/tim-kiem?q=x%C3%A2y%20d%E1%BB%B1ng"


def test_keeps_content_params_and_path_case():
    url = "https://dongnai.gov.vn/index.php?language=vi&nv=news&op=Administrative-news"
    assert canonicalize_url(url) == ("https://dongnai.gov.vn/index.php?language=vi&nv=news&op=Administrative-news")
    # mixed-case NukeViet category aliases are real (§1.1): path case is kept
    assert "Socio-Economic-information" in canonicalize_url(ARTICLE_EN)


def test_custom_drop_params():
    url = "https://x.vn/a?ref=home&utm_source=x&id=3"
    assert canonicalize_url(url, drop_params={"ref", "utm_*"}) == "https://x.vn/a?id=3"
    assert canonicalize_url(url, drop_params=()) == "https://x.vn/a?id=3&ref=home&utm_source=x"
    assert "fbclid" in TRACKING_PARAMS and "zarsrc" in TRACKING_PARAMS


def test_savefile_only_rewritten_for_article_shape():
    # a savefile path that is not <cat>/<alias>-<id>.html is left alone
    url = "https://dongnai.gov.vn/vi/news/savefile/whatever"
    assert canonicalize_url(url) == url


@pytest.mark.parametrize("bad", ["ftp://x.vn/a", "/vi/news/x-1.html", "javascript:alert(1)", ""])
def test_rejects_non_http_urls(bad):
    with pytest.raises(ValueError):
        canonicalize_url(bad)


@pytest.mark.parametrize(
    ("url", "native"),
    [
        (ARTICLE_EN, "4043"),
        (
            "https://dongnai.gov.vn/en/news/savefile/Socio-Economic-information/"
            "many-options-focused-to-ensure-economic-growth-4043.html",
            "4043",
        ),
        ("https://longthanh.dongnai.gov.vn/vi/news/hoat-dong/dhong-nai-co-them-379.html", "379"),
        ("https://x.vn/vi/news/cat/alias-with-2024-numbers-77.html?x=1#y", "77"),
        ("https://dongnai.gov.vn/vi/news/Administrative-news/", None),
        ("https://dongnai.gov.vn/vi/news/tag/chap-hanh", None),
        ("https://baodongnai.com.vn/chinh-tri/202405/bai-viet-3f1391d", None),
    ],
)
def test_nukeviet_id(url, native):
    assert nukeviet_id(url) == native


@pytest.mark.parametrize(
    ("url", "news_id"),
    [
        ("http://stttt.dongnai.gov.vn/Pages/newsdetail.aspx?NewsId=9678&CatId=21", "9678"),
        ("http://dpidongnai.gov.vn/Pages/newsdetail.aspx?NewsId=1553&CatId=51", "1553"),
        ("https://hvhnt.dongnai.gov.vn/pages/newsdetail.aspx?CatId=95&NewsId=4278", "4278"),
        ("https://hvhnt.dongnai.gov.vn/PAGES/NEWSDETAIL.ASPX?catid=95&newsid=4278", "4278"),
        ("https://hvhnt.dongnai.gov.vn/pages/newsdetail.aspx?CatId=95", None),
        ("https://hvhnt.dongnai.gov.vn/pages/newsdetail.aspx?NewsId=abc", None),
        ("https://hvhnt.dongnai.gov.vn/pages/list.aspx?NewsId=4278", None),
    ],
)
def test_legacy_dongnai_gov_id(url, news_id):
    assert legacy_dongnai_gov_id(url) == news_id
