"""decode_html and looks_like_html."""

from __future__ import annotations

import codecs
import json
import unicodedata

import pytest

from portal_etl.fetch import decode_html, looks_like_html

PHRASE = "Đồng Nai hòa bình"
TONES = "\u0300\u0301\u0303\u0309\u0323"  # the combining marks windows-1258 encodes


def to_cp1258(text: str) -> bytes:
    """Encode like a legacy Vietnamese editor: base letter (precomposed if cp1258 has it) plus a
    combining tone mark."""
    out = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        tone = "".join(m for m in decomposed[1:] if m in TONES)
        base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in tone))
        out.append((base + tone).encode("cp1258"))
    return b"".join(out)


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


def test_cp1258_encoding_really_uses_combining_marks() -> None:
    raw = to_cp1258(PHRASE)
    assert raw.decode("cp1258") != PHRASE  # plain decoding leaves decomposed tones
    assert unicodedata.normalize("NFC", raw.decode("cp1258")) == PHRASE


def test_header_charset_windows_1258_gives_nfc() -> None:
    text, encoding = decode_html(to_cp1258(page(PHRASE)), "text/html; charset=windows-1258")
    assert encoding == "cp1258"
    assert PHRASE in text and unicodedata.is_normalized("NFC", text)


def test_meta_charset_windows_1258() -> None:
    raw = to_cp1258(page(PHRASE, '<meta charset="windows-1258">'))
    text, encoding = decode_html(raw, "text/html")
    assert (encoding, PHRASE in text) == ("cp1258", True)


def test_meta_http_equiv_content_type() -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
    text, encoding = decode_html(to_cp1258(page(PHRASE, head)), None)
    assert encoding == "cp1258" and PHRASE in text


def test_header_wins_over_meta() -> None:
    raw = page(PHRASE, '<meta charset="windows-1258">').encode("utf-8")
    text, encoding = decode_html(raw, 'text/html; charset="UTF-8"')
    assert encoding == "utf-8" and PHRASE in text


@pytest.mark.parametrize(
    "bom,codec", [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]
)
def test_bom_without_header(bom: bytes, codec: str) -> None:
    raw = bom + page(PHRASE, '<meta charset="windows-1258">').encode(codec)
    text, encoding = decode_html(raw, "text/html")
    assert encoding.replace("_", "-") == codec and PHRASE in text
    assert not text.startswith("\ufeff")


def test_bom_stripped_when_header_names_utf8() -> None:
    text, _ = decode_html(codecs.BOM_UTF8 + page(PHRASE).encode(), "text/html; charset=utf-8")
    assert text.startswith("<!DOCTYPE")


def test_detection_fallback_and_nfd_input_normalised() -> None:
    nfd = unicodedata.normalize("NFD", page(PHRASE * 20))
    text, encoding = decode_html(nfd.encode("utf-8"), None)
    assert encoding.replace("_", "-") == "utf-8"
    assert PHRASE in text and unicodedata.is_normalized("NFC", text)


def test_invalid_utf8_bytes_do_not_crash() -> None:
    raw = page("ok").encode() + b"\xff\xfe\xc3\x28 \xe1\x80"
    text, encoding = decode_html(raw, "text/html; charset=utf-8")
    assert encoding == "utf-8" and "\ufffd" in text and "ok" in text


def test_unknown_charset_label_falls_through() -> None:
    raw = to_cp1258(page(PHRASE, '<meta charset="windows-1258">'))
    text, encoding = decode_html(raw, "text/html; charset=x-no-such-thing")
    assert encoding == "cp1258" and PHRASE in text


def test_latin1_label_means_windows_1252_and_empty_input() -> None:
    text, encoding = decode_html(b"<p>\x93quoted\x94</p>", "text/html; charset=ISO-8859-1")
    assert encoding == "cp1252" and "\u201cquoted\u201d" in text
    assert decode_html(b"", None)[0] == ""


def test_random_bytes_never_crash() -> None:
    blob = bytes(range(256)) * 8
    for header in (None, "text/html; charset=utf-8", "text/html; charset=windows-1258"):
        text, encoding = decode_html(blob, header)
        assert isinstance(text, str) and encoding


@pytest.mark.parametrize(
    "content,content_type",
    [
        (b"%PDF-1.7\n%\xe2\xe3", "application/pdf"),
        (b"%PDF-1.4\n<html>", "text/html"),  # the server lies, the magic bytes do not
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image/png"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", None),
        (b"\xff\xd8\xff\xe0\0\x10JFIF", "text/html"),
        (b"PK\x03\x04 docx", None),
        (json.dumps({"html": "<p>x</p>"}).encode(), "application/json"),
        (b'  [{"title": "<b>x</b>"}]', "text/html"),
        (b'<?xml version="1.0"?><rss><channel><title>x</title><link>y</link>', "text/xml"),
        (b'<?xml version="1.0"?><rss><channel><title>x</title></channel></rss>', "text/html"),
        (b"<html><body>x</body></html>", "application/pdf"),
        (b"\0\0\0\x18ftypmp42", None),
        (b"", "text/html"),
        (b"plain words", "text/plain"),
    ],
)
def test_looks_like_html_rejects(content: bytes, content_type: str | None) -> None:
    assert not looks_like_html(content, content_type)


@pytest.mark.parametrize(
    "content,content_type",
    [
        (page(PHRASE).encode(), "text/html; charset=utf-8"),
        (b'\n\n    <!DOCTYPE html>\n    <html lang="vi">', "text/html"),  # NukeViet indents
        (page(PHRASE).encode(), None),
        (codecs.BOM_UTF8 + b"<html><head>", "text/html"),
        (codecs.BOM_UTF16_LE + "<html><head>".encode("utf-16-le"), None),
        (b'<?xml version="1.0"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml">', "application/xhtml+xml"),
        (b"<section>fragment</section>", "text/html"),
        (b"<div>served as octet-stream</div>", "application/octet-stream"),
    ],
)
def test_looks_like_html_accepts(content: bytes, content_type: str | None) -> None:
    assert looks_like_html(content, content_type)


def test_a_legacy_charset_header_is_not_believed_for_a_utf8_body() -> None:
    """A server's default ISO-8859-1 in front of a UTF-8 CMS would store mojibake (issue 6)."""
    raw = page(PHRASE, '<meta charset="utf-8">').encode("utf-8")
    for header in ("text/html; charset=ISO-8859-1", "text/html; charset=windows-1258"):
        text, encoding = decode_html(raw, header)
        assert encoding == "utf-8" and PHRASE in text
    # a real legacy page is never valid UTF-8, so the header still wins for it
    assert decode_html(to_cp1258(page(PHRASE)), "text/html; charset=windows-1258")[1] == "cp1258"


def test_a_utf8_header_yields_to_the_meta_of_a_body_that_is_not_utf8() -> None:
    raw = to_cp1258(page(PHRASE, '<meta charset="windows-1258">'))
    text, encoding = decode_html(raw, "text/html; charset=utf-8")
    assert encoding == "cp1258" and PHRASE in text and "\ufffd" not in text
    # without a <meta> to say otherwise, bad bytes in a UTF-8 page stay replacements
    assert decode_html(page("ok").encode() + b"\xff", "text/html; charset=utf-8")[1] == "utf-8"
